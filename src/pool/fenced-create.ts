/**
 * THE LAWS OF THE POOL: creation of tasks, the one place where the slot invariant is enforced.
 *
 * Invariant: in flight(miner) ≤ slots(miner) at every instant, across restarts and with several
 * `serve` replicas (in flight = the miner's pending + assigned jobs, all envs, any revision).
 *
 * L1 Only the lease holder creates tasks. Every creation runs inside MULTI/EXEC guarded by WATCH
 *    on the lease key, after reading (under that WATCH) that the key holds this leader's token.
 *    If the lease expired or changed hands in between, EXEC aborts and nothing is created. A stale
 *    leader (paused process, lost network) therefore cannot create anything once a successor
 *    exists, however late its commands arrive.
 * L2 A creation plan comes from a snapshot read in one MULTI (pool-snapshot.ts) that carried the
 *    same token. Nobody else created anything between that snapshot and EXEC (a creation needs the
 *    lease, and the token never returns once replaced), and workers only move jobs within in
 *    flight or out of it. So in flight at EXEC ≤ snapshot count + created ≤ slots.
 * L3 The WATCHed connection has no offline queue and never re-sends unfulfilled commands, and
 *    EXEC is sent only on the very socket that carried WATCH: a reconnect cannot turn a guarded
 *    transaction into an unguarded one (a MULTI left open by a dead socket is discarded by Redis).
 *    Nothing else runs on that connection while a transaction is open (the scheduler runs its
 *    steps one at a time).
 * L4 The same (env, hotkey, revision, task id) is never in the pool twice: the job id is
 *    deterministic and BullMQ's add is a no-op for an id that exists (pending, assigned or paused).
 * L5 Paused (failed) jobs hold no slot: they are not in flight, and they block their own
 *    re-creation (L4) until the TTL cleanup or ops delete them.
 * L6 Workers never touch the pool's bookkeeping. A finished job leaves BullMQ (removed on
 *    success, failed = paused); the next snapshot sees it. The "slot index" is the per-miner
 *    in-flight map built from each snapshot: rebuilt from the real job states every tick, it
 *    cannot drift; it over-counts only jobs that finish between the snapshot and EXEC.
 * L7 Removal never raises in flight; BullMQ refuses to remove an assigned (locked) job, so only
 *    pending jobs leave by removal. Manually retrying a paused job (e.g. from a queue dashboard)
 *    bypasses L1 and is not supported: delete paused tasks instead.
 */
import { Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { TASK_JOB_NAME } from '../config/constants.ts';
import type { Bucket } from './hourly-cap.ts';
import { encodeBucket } from './hourly-cap.ts';
import { poolKeys } from './pool-keys.ts';
import type { TaskJobData } from './task-job.ts';
import { taskJobId } from './task-job.ts';
import type { TaskQueues } from './task-queues.ts';

/** A task to create. */
export interface NewTask {
  readonly data: TaskJobData;
  /** This job's attempts when not the pool's: a task continuing its measured history (task-history.ts). */
  readonly attempts?: number;
}

/** What a guarded creation did. */
export type CreateOutcome =
  | { readonly status: 'created'; readonly created: number; readonly transactions: number }
  | { readonly status: 'lease-lost' };

/** Thrown by the tick when this process does not hold the lease any more. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';

  constructor(detail: string) {
    super(`the scheduler lease was lost: ${detail}`);
  }
}

/** Inputs of {@link createTasksFenced}. */
export interface FencedCreateInput {
  /** The dedicated connection (`createRedis(…, 'fenced')` in runtime/redis.ts) shared by `queues`. */
  readonly connection: Redis;
  readonly queues: TaskQueues;
  readonly prefix: string;
  /** This leader's lease token. */
  readonly token: string;
  readonly tasks: readonly NewTask[];
  readonly jobOptions: JobsOptions;
  /** Hourly-cap buckets to store with the creation (field → bucket). */
  readonly buckets?: ReadonlyMap<string, Bucket>;
}

/** EXEC aborts when the lease key is touched, also by this leader's own renewal: retry then. */
const MAX_TRANSACTIONS = 4;

/**
 * Creates tasks under the laws above, all in one transaction. Returns `lease-lost` when the
 * lease is not this leader's (nothing was created).
 */
export async function createTasksFenced(input: FencedCreateInput): Promise<CreateOutcome> {
  const { connection, queues, prefix, token, tasks } = input;
  if (tasks.length === 0 && (input.buckets?.size ?? 0) === 0) return { status: 'created', created: 0, transactions: 0 };
  const keys = poolKeys(prefix);
  const envs = [...new Set(tasks.map((t) => t.data.env))];
  const jobs = tasks.map((t) => {
    const queue = queues.get(t.data.env);
    const jobId = taskJobId(t.data.env, t.data.hotkey, t.data.revision, t.data.task_id);
    const options = { ...input.jobOptions, jobId, ...(t.attempts === undefined ? {} : { attempts: t.attempts }) };
    return { queue, jobId, json: new Job(queue, TASK_JOB_NAME, t.data, options, jobId).asJSON() };
  });
  const anyQueue = queues.get(envs[0] ?? '_');
  const client = await anyQueue.getBackend().client;

  for (let transaction = 1; transaction <= MAX_TRANSACTIONS; transaction++) {
    if (connection.status !== 'ready') throw new Error(`the scheduler's Redis connection is ${connection.status}`);
    const socket = connection.stream;
    const watched = connection.pipeline().watch(keys.lease).get(keys.lease);
    if (envs.length > 0) watched.sadd(keys.queues, ...envs);
    const replies = await watched.exec();
    const holder = replies?.[1]?.[1];
    if (holder !== token) {
      await connection.unwatch();
      return { status: 'lease-lost' };
    }
    // L3: EXEC only on the socket that carried WATCH. Between this check and exec() nothing
    // yields to the event loop, and exec() writes synchronously on a ready connection.
    const multi = client.multi();
    const queued = jobs.map(({ queue, jobId, json }) => queue.getBackend().addJobToTransaction(multi, json, jobId));
    if (input.buckets && input.buckets.size > 0) {
      multi.hset(keys.buckets, Object.fromEntries([...input.buckets].map(([field, bucket]) => [field, encodeBucket(bucket)])));
    }
    if (connection.stream !== socket || connection.status !== 'ready') {
      await connection.unwatch().catch(() => undefined);
      throw new Error("the scheduler's Redis connection was re-established during a transaction; retrying next tick");
    }
    const exec = multi.exec();
    await Promise.all(queued);
    const result = await exec;
    if (result === null) continue; // the lease key was touched: check the token again
    const failed = result.find(([error]) => error !== null);
    if (failed) throw failed[0] as Error;
    return { status: 'created', created: jobs.length, transactions: transaction };
  }
  throw new Error(`could not create tasks: the lease key kept changing during ${MAX_TRANSACTIONS} transactions`);
}
