import { randomUUID } from 'node:crypto';
import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { TASK_JOB_NAME } from '../../src/config/constants.ts';
import type { Config } from '../../src/config/schema.ts';
import { taskJobOptions } from '../../src/pool/job-options.ts';
import { queueName, type TaskJobData, taskJobId } from '../../src/pool/task-job.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { testLogger } from './test-logger.ts';

/** The options the scheduler gives the job of `task`: its id and the pool's job options. */
export function jobOptionsOf(config: Config, task: TaskJobData): JobsOptions {
  return { jobId: taskJobId(task.env, task.hotkey, task.revision, task.task_id), ...taskJobOptions(config.scheduler) };
}

let counter = 0;

/** A valid task; every call gets a fresh task id unless given. */
export function makeTask(overrides: Partial<TaskJobData> = {}): TaskJobData {
  counter += 1;
  return {
    env: 'test/env-a',
    task_id: counter,
    task_uuid: randomUUID(),
    uid: 7,
    hotkey: '5HotkeyTest',
    revision: 'rev00001',
    endpoint: 'http://127.0.0.1:9/',
    created_at: Date.now(),
    ...overrides,
  };
}

/** Queues of a test, one per env, on a connection of their own; closed together. */
export class TestQueues {
  readonly #queues = new Map<string, Queue>();
  #closed: Promise<void> | undefined;

  private constructor(
    readonly connection: Redis,
    readonly prefix: string,
    readonly config: Config,
  ) {}

  /** Queues on the config's Redis and queue prefix. */
  static open(config: Config): TestQueues {
    return new TestQueues(createRedis(config.storage.redisUrl, 'bullmq', testLogger()), config.storage.queuePrefix, config);
  }

  queue(env: string): Queue {
    let queue = this.#queues.get(env);
    if (!queue) {
      queue = new Queue(queueName(env), { connection: this.connection, prefix: this.prefix });
      this.#queues.set(env, queue);
    }
    return queue;
  }

  /** Adds a task the way the scheduler does. */
  add(task: TaskJobData, data: Record<string, unknown> = {}): Promise<Job> {
    return this.queue(task.env).add(TASK_JOB_NAME, { ...task, ...data }, jobOptionsOf(this.config, task));
  }

  async getJob(task: TaskJobData): Promise<Job | undefined> {
    return this.queue(task.env).getJob(taskJobId(task.env, task.hotkey, task.revision, task.task_id));
  }

  async state(task: TaskJobData): Promise<string> {
    return this.queue(task.env).getJobState(taskJobId(task.env, task.hotkey, task.revision, task.task_id));
  }

  /** Closes the queues, then the connection (idempotent). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.all([...this.#queues.values()].map((q) => q.close()));
      this.#queues.clear();
      await closeRedis(this.connection);
    })();
    return this.#closed;
  }
}
