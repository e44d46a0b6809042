/**
 * The per miner×env creation cap (DESIGN.md, "Per-miner slots"): a fast miner must not churn
 * through tasks faster than the rotation brings new ids.
 *
 * The rule, precisely: each (hotkey, revision, env) has a token bucket.
 * - capacity = the env's list size; a new identity starts with a full bucket, so the first fill
 *   of a list (at most one task per id) is never stopped by the cap;
 * - refill = rotation rate × margin, in tasks per hour (`rotation_count × 3600 /
 *   rotation_interval_seconds × EVALPOOL_HOURLY_CAP_MARGIN`, at least 1 per hour), continuously;
 * - creating a task takes one token; no task is created without a whole token.
 * Over any hour after the first fill, an identity gets at most `capacity`-worth of burst plus
 * rate × margin tasks per env; in steady state a miner that keeps up needs exactly the rotation
 * rate, so the margin (≥ 1) never slows it down. The buckets live in Redis next to the pool
 * (losing Redis loses the pool too, and then a refill is legitimately needed).
 */

/** The cap of one env. */
export interface CapRule {
  readonly capacity: number;
  readonly refillPerMs: number;
}

/** A bucket's state: tokens at `updatedAt` (ms since epoch). */
export interface Bucket {
  readonly tokens: number;
  readonly updatedAt: number;
}

const HOUR_MS = 3_600_000;

/** The cap rule of an env list. */
export function capRule(list: { readonly task_ids: readonly unknown[]; readonly rotation_count: number; readonly rotation_interval_seconds: number }, margin: number): CapRule {
  const perHour = list.rotation_interval_seconds > 0 ? (list.rotation_count * 3_600) / list.rotation_interval_seconds : 0;
  return { capacity: Math.max(1, list.task_ids.length), refillPerMs: Math.max(perHour * margin, 1) / HOUR_MS };
}

/** The bucket at `now`: refilled since its last update, full when never seen. */
export function bucketAt(bucket: Bucket | undefined, rule: CapRule, now: number): Bucket {
  if (!bucket) return { tokens: rule.capacity, updatedAt: now };
  const elapsed = Math.max(0, now - bucket.updatedAt);
  return { tokens: Math.min(rule.capacity, bucket.tokens + elapsed * rule.refillPerMs), updatedAt: now };
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

/** Stored form of a bucket. */
export function encodeBucket(bucket: Bucket): string {
  return `${bucket.tokens.toFixed(4)}@${Math.round(bucket.updatedAt)}`;
}

/** Reads a stored bucket; undefined when unreadable (then it counts as full, like a new one). */
export function decodeBucket(text: string | undefined): Bucket | undefined {
  if (!text) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)@(\d+)$/.exec(text);
  if (!match) return undefined;
  return { tokens: Number(match[1]), updatedAt: Number(match[2]) };
}
