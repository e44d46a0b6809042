import { HOUR_MS } from '../config/constants.ts';
/**
 * The per miner×env creation cap (docs/design.md, "Per-miner slots"): a fast miner must not get new
 * task ids faster than the rotation brings them.
 *
 * The rule, precisely: each (hotkey, revision, env) has a token bucket.
 * - capacity = the env's list size; a new identity starts with a full bucket, so the first fill
 *   of a list (at most one task per id) is never stopped by the cap;
 * - refill = rotation rate × margin, in tasks per hour (`rotation_count × 3600 /
 *   rotation_interval_seconds × EVALPOOL_HOURLY_CAP_MARGIN`, at least 1 per hour), continuously;
 * - creating a task of an id the bucket has not paid for takes one whole token and the bucket
 *   remembers the id (`paid`); creating a task of a paid id again costs nothing.
 * So an identity gets at most `capacity`-worth of burst plus rate × margin *distinct* ids per env
 * and hour, and in steady state a miner that keeps up needs exactly the rotation rate (margin ≥ 1
 * never slows it down). Re-creating an id the miner was already given (a paused task deleted by
 * its TTL or by ops, a pending task trimmed over a lowered cap, a job lost by a worker crash) gives
 * it nothing new to sample, so it is never held back: a miner back from an outage gets its tasks
 * again at the next tick, not over hours of refill.
 *
 * Why a miner cannot use it to sample ahead:
 * - getting tasks deleted on purpose (going away until they pause, lowering its declared
 *   concurrency to have them trimmed) only brings back ids it already had; what it learnt from
 *   them stays measured (task-history.ts); only never-paid ids cost tokens;
 * - a new revision is a new identity with a fresh bucket and no paid ids, as before: it must be
 *   evaluated on the whole current list, and no list holds an id that rotation has not brought;
 *   the same holds after a deregistration (reconciliation drops gone identities' buckets);
 * - `paid` keeps only ids on the env's current list without a known result (pruned whenever the
 *   bucket is written), so the record never outgrows the list, whatever the history; an id that
 *   rotates out and is drawn again later costs a token again once pruned (it was given before,
 *   so either way nothing new is sampled).
 *
 * The buckets and their paid ids live in one Redis hash next to the pool, written in the same
 * fenced transaction as the tasks they pay for (fenced-create.ts), so a charge and its record
 * cannot part. Losing Redis loses the pool, the buckets and the records together: every bucket is
 * full again, and its capacity (the list size) covers re-creating every id still missing.
 */

/** The cap of one env. */
export interface CapRule {
  readonly capacity: number;
  readonly refillPerMs: number;
}

/** A bucket's state: tokens at `updatedAt` (ms since epoch), and the ids it already paid for. */
export interface Bucket {
  readonly tokens: number;
  readonly updatedAt: number;
  readonly paid: ReadonlySet<number>;
}

const NONE: ReadonlySet<number> = new Set();

/** The cap rule of an env list. */
export function capRule(
  list: { readonly task_ids: readonly unknown[]; readonly rotation_count: number; readonly rotation_interval_seconds: number },
  margin: number,
): CapRule {
  const perHour = list.rotation_interval_seconds > 0 ? (list.rotation_count * 3_600) / list.rotation_interval_seconds : 0;
  return { capacity: Math.max(1, list.task_ids.length), refillPerMs: Math.max(perHour * margin, 1) / HOUR_MS };
}

/** The bucket at `now`: refilled since its last update, full (and with nothing paid) when never seen. */
export function bucketAt(bucket: Bucket | undefined, rule: CapRule, now: number): Bucket {
  if (!bucket) return { tokens: rule.capacity, updatedAt: now, paid: NONE };
  const elapsed = Math.max(0, now - bucket.updatedAt);
  return { tokens: Math.min(rule.capacity, bucket.tokens + elapsed * rule.refillPerMs), updatedAt: now, paid: bucket.paid };
}

/** Whether creating a task of `taskId` is within the cap: a paid id, or a whole token left. */
export function mayCreate(bucket: Bucket, taskId: number): boolean {
  return bucket.paid.has(taskId) || bucket.tokens >= 1;
}

/**
 * The bucket after creating a task of `taskId` (check {@link mayCreate} first): unchanged for a
 * paid id, one token less and the id paid otherwise.
 */
export function charge(bucket: Bucket, taskId: number): Bucket {
  if (bucket.paid.has(taskId)) return bucket;
  return { tokens: bucket.tokens - 1, updatedAt: bucket.updatedAt, paid: new Set([...bucket.paid, taskId]) };
}

/**
 * The bucket with `given` ids (tasks of the identity in the pool: created, hence given) added to
 * its paid ids, and only those kept that `keep` accepts (on the current list, no known result).
 */
export function withPaid(bucket: Bucket, given: Iterable<number>, keep: (taskId: number) => boolean): Bucket {
  const paid = new Set<number>();
  for (const id of bucket.paid) if (keep(id)) paid.add(id);
  for (const id of given) if (keep(id)) paid.add(id);
  return { ...bucket, paid };
}

/** The hash field of a bucket. */
export function bucketField(hotkey: string, revision: string, env: string): string {
  return [hotkey, revision, env].map(encodeURIComponent).join('|');
}

/** The identity and env of a bucket field, or undefined for a foreign field. */
export function parseBucketField(field: string): { hotkey: string; revision: string; env: string } | undefined {
  const parts = field.split('|');
  if (parts.length !== 3) return undefined;
  try {
    const [hotkey, revision, env] = parts.map(decodeURIComponent) as [string, string, string];
    return { hotkey, revision, env };
  } catch {
    return undefined;
  }
}

/** Stored form of a bucket: `tokens@updatedAt`, then `;` and the paid ids when there are any. */
export function encodeBucket(bucket: Bucket): string {
  const head = `${bucket.tokens.toFixed(4)}@${Math.round(bucket.updatedAt)}`;
  return bucket.paid.size === 0 ? head : `${head};${[...bucket.paid].sort((a, b) => a - b).join(',')}`;
}

/** Reads a stored bucket; undefined when unreadable (then it counts as full, like a new one). */
export function decodeBucket(text: string | undefined): Bucket | undefined {
  if (!text) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)@(\d+)(?:;(\d+(?:,\d+)*))?$/.exec(text);
  if (!match) return undefined;
  const paid = match[3] === undefined ? NONE : new Set(match[3].split(',').map(Number));
  return { tokens: Number(match[1]), updatedAt: Number(match[2]), paid };
}
