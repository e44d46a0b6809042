import {
  type Bucket,
  bucketAt,
  bucketField,
  type CapRule,
  capRule,
  charge,
  decodeBucket,
  parseBucketField,
  withPaid,
} from './hourly-cap.ts';
import type { PoolList } from './pool-list.ts';
import type { PooledTask } from './pool-snapshot.ts';

/**
 * The hourly-cap buckets of one top-up (hourly-cap.ts): each decoded from the snapshot when first
 * needed and refilled to `now`, then charged as tasks are accepted; `touched` are those that paid.
 */
export class TopUpBuckets {
  readonly touched = new Set<string>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #encoded: ReadonlyMap<string, string>;
  readonly #rules: ReadonlyMap<string, CapRule>;
  readonly #now: number;

  constructor(encoded: ReadonlyMap<string, string>, lists: readonly PoolList[], margin: number, now: number) {
    this.#encoded = encoded;
    this.#rules = new Map(lists.map((l) => [l.env_id, capRule(l, margin)]));
    this.#now = now;
  }

  of(hotkey: string, revision: string, env: string): Bucket {
    const field = bucketField(hotkey, revision, env);
    let bucket = this.#buckets.get(field);
    if (!bucket) this.#buckets.set(field, (bucket = bucketAt(decodeBucket(this.#encoded.get(field)), this.#rules.get(env)!, this.#now)));
    return bucket;
  }

  /** Pays for `taskId` (free when the bucket already paid for it). */
  charge(hotkey: string, revision: string, env: string, taskId: number): void {
    const bucket = this.of(hotkey, revision, env);
    const after = charge(bucket, taskId);
    if (after !== bucket) {
      const field = bucketField(hotkey, revision, env);
      this.#buckets.set(field, after);
      this.touched.add(field);
    }
  }
}

/**
 * The hourly-cap buckets this top-up writes (with its creation, in one transaction): those that
 * paid for new ids, and those of active identities whose tasks in the pool are missing from their
 * paid ids (tasks created before the record existed, or by an older leader): a task in the pool
 * was created, so its id was given. Each written bucket keeps only paid ids on the env's current
 * list without a known result (hourly-cap.ts).
 */
export function bucketsToWrite(
  pooled: readonly PooledTask[],
  touched: ReadonlySet<string>,
  facts: {
    bucketOf(hotkey: string, revision: string, env: string): Bucket;
    readonly activeRevision: ReadonlyMap<string, string>;
    readonly lists: readonly PoolList[];
    hasResult(hotkey: string, revision: string, env: string, taskId: number): boolean;
  },
): Map<string, Bucket> {
  const listIds = new Map(facts.lists.map((l) => [l.env_id, new Set(l.task_ids)]));
  const kept = (hotkey: string, revision: string, env: string, id: number): boolean =>
    (listIds.get(env)?.has(id) ?? false) && !facts.hasResult(hotkey, revision, env, id);
  const given = new Map<string, number[]>();
  for (const field of touched) given.set(field, []);
  for (const t of pooled) {
    if (facts.activeRevision.get(t.hotkey) !== t.revision || !kept(t.hotkey, t.revision, t.env, t.taskId)) continue;
    if (facts.bucketOf(t.hotkey, t.revision, t.env).paid.has(t.taskId)) continue;
    const field = bucketField(t.hotkey, t.revision, t.env);
    let ids = given.get(field);
    if (!ids) given.set(field, (ids = []));
    ids.push(t.taskId);
  }
  const out = new Map<string, Bucket>();
  for (const [field, ids] of given) {
    const { hotkey, revision, env } = parseBucketField(field)!;
    out.set(
      field,
      withPaid(facts.bucketOf(hotkey, revision, env), ids, (id) => kept(hotkey, revision, env, id)),
    );
  }
  return out;
}
