import * as v from 'valibot';

/**
 * The data of one task in the pool (a BullMQ job). `task_id` says what is evaluated (an index
 * into the env's dataset, the episode seed for robotics); `task_uuid` tracks this execution.
 * The same (env, hotkey, revision, task id) is never in the pool twice: see {@link taskJobId}.
 */
export const TaskJobDataSchema = v.object({
  /** Environment id, e.g. `mujoco/reach-v1`; also the queue's name. */
  env: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_./-]{1,128}$/, 'env must be 1-128 letters, digits, _ . / -')),
  task_id: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2_147_483_647)),
  task_uuid: v.pipe(v.string(), v.uuid()),
  uid: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535)),
  hotkey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  revision: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  endpoint: v.pipe(v.string(), v.url()),
  /** When the scheduler created the task (ms since epoch). */
  created_at: v.pipe(v.number(), v.integer()),
  /**
   * The miner received this task (its `/reset` was delivered) in an earlier attempt and did not
   * answer it: once the attempts run out, a non-answer is a scored failure (`exhaustedOutcome`).
   * Set at creation when the attempts table says so (task-history.ts), or by the worker after
   * such an attempt.
   */
  miner_had_task: v.optional(v.boolean()),
  /** Measured non-answers of earlier jobs of this task, already taken off this job's attempts (task-history.ts). */
  earlier_attempts: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});

/** The data of one task in the pool. */
export type TaskJobData = v.InferOutput<typeof TaskJobDataSchema>;

/** Parses job data read from Redis; throws a valibot error naming the bad field. */
export function parseTaskJobData(data: unknown): TaskJobData {
  return v.parse(TaskJobDataSchema, data);
}

/**
 * The deterministic BullMQ job id of a task. BullMQ forbids `:` in custom ids, so each part is
 * percent-encoded (which also keeps the `|` separator unambiguous).
 */
export function taskJobId(env: string, hotkey: string, revision: string, taskId: number): string {
  return ['t', env, hotkey, revision, String(taskId)].map(encodeURIComponent).join('|');
}

/** The queue of an environment: one queue per env, named after the env id. */
export function queueName(env: string): string {
  return env;
}

/** The identity of a task as its job id spells it. */
export interface TaskJobIdParts {
  readonly env: string;
  readonly hotkey: string;
  readonly revision: string;
  readonly taskId: number;
}

/**
 * Reads a job id made by {@link taskJobId} back into its parts; `undefined` for any other id
 * (a foreign job, a BullMQ marker), which the pool then ignores.
 */
export function parseTaskJobId(jobId: string): TaskJobIdParts | undefined {
  const parts = jobId.split('|');
  if (parts.length !== 5 || parts[0] !== 't') return undefined;
  try {
    const [, env, hotkey, revision, task] = parts.map(decodeURIComponent) as [string, string, string, string, string];
    if (!/^\d{1,10}$/.test(task)) return undefined;
    return { env, hotkey, revision, taskId: Number(task) };
  } catch {
    return undefined; // malformed percent-encoding
  }
}
