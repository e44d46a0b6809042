import type { Redis } from 'ioredis';
import * as v from 'valibot';
import { poolKeys } from '../pool/pool-keys.ts';
import type { Rotation } from '../sampling/rotate-list.ts';
import { leaseOwner } from './leader-lease.ts';

/**
 * The scheduler's status in Redis (one hash), written by the leader and readable by any replica:
 * who leads since when, the last tick, the last error, the last rotation of each env and the last
 * run of each periodic task. The lease key says whether the recorded leader still leads.
 */

const TaskRunSchema = v.object({ at: v.string(), durationMs: v.number(), error: v.optional(v.string()) });
const TickSchema = v.object({ at: v.string(), durationMs: v.number(), summary: v.record(v.string(), v.unknown()) });
const ErrorSchema = v.object({ at: v.string(), task: v.string(), message: v.string() });
const RotationSchema = v.object({ at: v.string(), version: v.number(), idsOut: v.number(), idsIn: v.number() });
const LeaderSchema = v.object({ id: v.string(), since: v.string() });
const MinersSchema = v.object({
  at: v.string(),
  block: v.number(),
  active: v.number(),
  excluded: v.number(),
  /** Set while discovery fails and the last known miners are kept. */
  stale: v.optional(v.object({ since: v.string(), error: v.string() })),
});

/** One periodic task's last run. */
export type TaskRunStatus = v.InferOutput<typeof TaskRunSchema>;

/** The status as read by {@link readSchedulerStatus}. */
export interface SchedulerStatusRecord {
  /** The lease holder now (null: no leader at the moment). */
  readonly leader: { readonly id: string; readonly ttlMs: number } | null;
  /** The last leader that wrote the status, and since when it leads(ed). */
  readonly lastLeader: v.InferOutput<typeof LeaderSchema> | null;
  readonly lastTick: v.InferOutput<typeof TickSchema> | null;
  readonly lastError: v.InferOutput<typeof ErrorSchema> | null;
  readonly rotations: Readonly<Record<string, v.InferOutput<typeof RotationSchema>>>;
  readonly tasks: Readonly<Record<string, TaskRunStatus>>;
  /** The last miner discovery: block, counts, and whether the miners are stale. */
  readonly miners: v.InferOutput<typeof MinersSchema> | null;
}

/** Writes the status fields; every write is one command on the given connection. */
export class StatusWriter {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#key = poolKeys(prefix).status;
  }

  async leader(id: string, since: Date): Promise<void> {
    await this.#redis.hset(this.#key, 'leader', JSON.stringify({ id, since: since.toISOString() }));
  }

  async taskRun(name: string, startedAt: number, durationMs: number, error?: Error): Promise<void> {
    const at = new Date(startedAt).toISOString();
    const fields: Record<string, string> = {
      [`task:${name}`]: JSON.stringify({ at, durationMs, ...(error ? { error: error.message } : {}) }),
    };
    if (error) fields.error = JSON.stringify({ at, task: name, message: error.message });
    await this.#redis.hset(this.#key, fields);
  }

  async tick(startedAt: number, durationMs: number, summary: Record<string, unknown>): Promise<void> {
    await this.#redis.hset(this.#key, 'tick', JSON.stringify({ at: new Date(startedAt).toISOString(), durationMs, summary }));
  }

  async miners(report: v.InferOutput<typeof MinersSchema>): Promise<void> {
    await this.#redis.hset(this.#key, 'miners', JSON.stringify(report));
  }

  async rotations(rotations: readonly Pick<Rotation, 'envId' | 'version' | 'idsOut' | 'idsIn'>[], at: Date): Promise<void> {
    if (rotations.length === 0) return;
    const fields = Object.fromEntries(
      rotations.map((r) => [
        `rotation:${r.envId}`,
        JSON.stringify({ at: at.toISOString(), version: r.version, idsOut: r.idsOut.length, idsIn: r.idsIn.length }),
      ]),
    );
    await this.#redis.hset(this.#key, fields);
  }
}

function parseField<T>(schema: v.GenericSchema<unknown, T>, text: string | undefined): T | null {
  if (text === undefined) return null;
  try {
    const result = v.safeParse(schema, JSON.parse(text));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}

/** Reads the status (one round trip); unreadable fields come back as null or are left out. */
export async function readSchedulerStatus(redis: Redis, prefix: string): Promise<SchedulerStatusRecord> {
  const keys = poolKeys(prefix);
  const replies = (await redis.pipeline().hgetall(keys.status).get(keys.lease).pttl(keys.lease).exec()) ?? [];
  const hash = (replies[0]?.[1] ?? {}) as Record<string, string>;
  const token = (replies[1]?.[1] ?? null) as string | null;
  const ttlMs = Number(replies[2]?.[1] ?? -2);
  const rotations: Record<string, v.InferOutput<typeof RotationSchema>> = {};
  const tasks: Record<string, TaskRunStatus> = {};
  for (const [field, text] of Object.entries(hash)) {
    if (field.startsWith('rotation:')) {
      const parsed = parseField(RotationSchema, text);
      if (parsed) rotations[field.slice('rotation:'.length)] = parsed;
    } else if (field.startsWith('task:')) {
      const parsed = parseField(TaskRunSchema, text);
      if (parsed) tasks[field.slice('task:'.length)] = parsed;
    }
  }
  return {
    leader: token ? { id: leaseOwner(token), ttlMs } : null,
    lastLeader: parseField(LeaderSchema, hash.leader),
    lastTick: parseField(TickSchema, hash.tick),
    lastError: parseField(ErrorSchema, hash.error),
    rotations,
    tasks,
    miners: parseField(MinersSchema, hash.miners),
  };
}
