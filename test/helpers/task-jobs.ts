import { randomUUID } from 'node:crypto';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../src/config/schema.ts';
import { queueName, taskJobId, type TaskJobData } from '../../src/pool/task-job.ts';

/**
 * The options the scheduler gives a task job (DESIGN.md, "Task lifecycle"): retries with
 * exponential backoff, removed once completed, kept (paused) once failed.
 * TODO(lead): replace with the pool's own job-options builder when issue 3 lands.
 */
export function taskJobOptions(config: Config, task: TaskJobData): JobsOptions {
  return {
    jobId: taskJobId(task.env, task.hotkey, task.revision, task.task_id),
    attempts: config.scheduler.taskAttempts,
    backoff: { type: 'exponential', delay: config.scheduler.taskBackoffMs },
    removeOnComplete: true,
    removeOnFail: false,
  };
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

/** Queues of a test: one per env, closed together. */
export class TestQueues {
  readonly #queues = new Map<string, Queue>();
  constructor(
    readonly connection: Redis,
    readonly prefix: string,
    readonly config: Config,
  ) {}

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
    return this.queue(task.env).add('task', { ...task, ...data }, taskJobOptions(this.config, task));
  }

  async getJob(task: TaskJobData): Promise<Job | undefined> {
    return this.queue(task.env).getJob(taskJobId(task.env, task.hotkey, task.revision, task.task_id));
  }

  async state(task: TaskJobData): Promise<string> {
    return this.queue(task.env).getJobState(taskJobId(task.env, task.hotkey, task.revision, task.task_id));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.#queues.clear();
  }
}
