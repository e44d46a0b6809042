import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import {
  existingResults,
  identityResultsOn,
  type ListedResult,
  type ListedTasks,
  listedResultsOfActiveMiners,
  type ResultGroup,
  type ResultIdentity,
} from '../db/tables/results.ts';

/** A miner identity as the index keys it (`id`: its `miners` row). */
export interface IndexIdentity {
  readonly id: number;
  readonly hotkey: string;
  readonly revision: string;
}

/** An env's current list as the index needs it. */
export interface IndexList {
  readonly env_id: string;
  readonly task_ids: readonly number[];
  readonly version: number;
}

interface ListState {
  readonly version: number;
  readonly taskIds: readonly number[];
  /** Task id → position in the list. */
  readonly position: ReadonlyMap<number, number>;
}

/** Which positions of an env's list have a result for one identity: one byte per position. */
interface Known {
  bits: Uint8Array;
  count: number;
  /** Positions without a result, as of `missingAt` results (filtered lazily). */
  missing?: number[];
  missingAt?: number;
}

function identityKey(hotkey: string, revision: string): string {
  return `${hotkey}\u0000${revision}`;
}

/** Every (env, task id) of `lists`, as the result reads take them. */
function listedTasks(lists: Iterable<{ readonly env: string; readonly ids: readonly number[] }>): ListedTasks {
  const envIds: string[] = [];
  const taskIds: number[] = [];
  for (const list of lists)
    for (const id of list.ids) {
      envIds.push(list.env);
      taskIds.push(id);
    }
  return { envIds, taskIds };
}

function listState(list: IndexList): ListState {
  return { version: list.version, taskIds: list.task_ids, position: new Map(list.task_ids.map((id, p) => [id, p])) };
}

/**
 * The leader's memory of which (identity, env, task id) already have a result, restricted to
 * active identities and to ids on the current lists (a byte per list position: about 2 MB at
 * 256 miners × 8 envs × 1,000 ids), with the positions still without a result that admission
 * scans instead of whole lists.
 *
 * It is read in full at the start of a term and then about hourly (reconciliation): in full for
 * the ids on the current lists only, so that the read costs lists × active identities and not
 * the months of results on ids that rotated out (see `listedResultsOfActiveMiners`). In between
 * it learns from targeted reads only: results of new identities, of ids that entered a list, of
 * tasks that left the pool and of the candidates checked before creation ({@link learn}). It is a
 * hint that keeps the tick cheap; admission never trusts it alone (candidates are checked against
 * Postgres before creation, see top-up.ts).
 */
export class ResultIndex {
  readonly #known = new Map<string, Map<string, Known>>();
  #identities = new Set<string>();
  /** `miners.id` → identity key, of the active identities. */
  #byId = new Map<number, string>();
  #lists = new Map<string, ListState>();
  #loadedAt: number | undefined;

  /** When the last full read happened (ms since epoch), if any. */
  get loadedAt(): number | undefined {
    return this.#loadedAt;
  }

  /** Forgets everything: the next {@link sync} reads all results again. */
  reset(): void {
    this.#known.clear();
    this.#identities = new Set();
    this.#byId = new Map();
    this.#lists = new Map();
    this.#loadedAt = undefined;
  }

  #entry(hotkey: string, revision: string, env: string, create: boolean): Known | undefined {
    return this.#entryOf(identityKey(hotkey, revision), env, create);
  }

  #entryOf(key: string, env: string, create: boolean): Known | undefined {
    let envs = this.#known.get(key);
    if (!envs) {
      if (!create) return undefined;
      this.#known.set(key, (envs = new Map<string, Known>()));
    }
    let known = envs.get(env);
    if (!known && create) envs.set(env, (known = { bits: new Uint8Array(this.#lists.get(env)?.taskIds.length ?? 0), count: 0 }));
    return known;
  }

  /** Whether a result is known for this task. */
  has(hotkey: string, revision: string, env: string, taskId: number): boolean {
    const p = this.#lists.get(env)?.position.get(taskId);
    return p !== undefined && this.#entry(hotkey, revision, env, false)?.bits[p] === 1;
  }

  /** Known results of an identity on an env's current list. */
  count(hotkey: string, revision: string, env: string): number {
    return this.#entry(hotkey, revision, env, false)?.count ?? 0;
  }

  /** Positions (ascending) of the env's list whose id has no known result for the identity. */
  missing(hotkey: string, revision: string, env: string): readonly number[] {
    const list = this.#lists.get(env);
    if (!list || !this.#identities.has(identityKey(hotkey, revision))) return [];
    const known = this.#entry(hotkey, revision, env, true)!;
    if (!known.missing) {
      known.missing = [];
      for (let p = 0; p < known.bits.length; p++) if (known.bits[p] === 0) known.missing.push(p);
    } else if (known.missingAt !== known.count) {
      known.missing = known.missing.filter((p) => known.bits[p] === 0);
    }
    known.missingAt = known.count;
    return known.missing;
  }

  /** Records a result (ignored unless the identity is active and the id on the current list). */
  add(hotkey: string, revision: string, env: string, taskId: number): void {
    const key = identityKey(hotkey, revision);
    if (!this.#identities.has(key)) return;
    const p = this.#lists.get(env)?.position.get(taskId);
    if (p !== undefined) this.#set(key, env, p);
  }

  #set(key: string, env: string, p: number): void {
    const known = this.#entryOf(key, env, true)!;
    if (known.bits[p] === 1) return;
    known.bits[p] = 1;
    known.count++;
  }

  /** Reads which of `keys` have a result (one query) and records them; returns those found. */
  async learn(db: Kysely<Database>, keys: readonly ResultIdentity[]): Promise<ResultIdentity[]> {
    const found = await existingResults(db, keys);
    for (const r of found) this.add(r.hotkey, r.revision, r.env_id, r.task_id);
    return found;
  }

  /**
   * Brings the index up to date with the active identities and current lists: a full read the
   * first time (or after {@link reset}), then only new identities and ids that entered a list.
   * Returns the number of queries it ran (0 when nothing changed).
   */
  async sync(db: Kysely<Database>, identities: readonly IndexIdentity[], lists: readonly IndexList[]): Promise<number> {
    const wanted = new Map(identities.map((i) => [identityKey(i.hotkey, i.revision), i]));
    this.#byId = new Map(identities.map((i) => [i.id, identityKey(i.hotkey, i.revision)]));

    if (this.#loadedAt === undefined) {
      this.#identities = new Set(wanted.keys());
      this.#lists = new Map(lists.map((l) => [l.env_id, listState(l)]));
      this.#known.clear();
      // Only ids on the current lists: the cost is lists × active identities, whatever the history.
      this.#recordListed(await listedResultsOfActiveMiners(db, listedTasks(lists.map((l) => ({ env: l.env_id, ids: l.task_ids })))));
      this.#loadedAt = Date.now();
      return 1;
    }

    for (const key of this.#identities) if (!wanted.has(key)) this.#known.delete(key);
    const fresh = [...wanted.entries()].filter(([key]) => !this.#identities.has(key)).map(([, i]) => i);
    this.#identities = new Set(wanted.keys());

    // A list that changed (rotation): carry each identity's known results over to the new
    // positions; the ids that entered are read below.
    const entered: { env: string; ids: number[] }[] = [];
    const current = new Map<string, ListState>();
    for (const list of lists) {
      const before = this.#lists.get(list.env_id);
      if (before && before.version === list.version && before.taskIds.length === list.task_ids.length) {
        current.set(list.env_id, before);
        continue;
      }
      const now = listState(list);
      current.set(list.env_id, now);
      const added = list.task_ids.filter((id) => !before?.position.has(id));
      if (added.length > 0) entered.push({ env: list.env_id, ids: added });
      for (const envs of this.#known.values()) {
        const old = envs.get(list.env_id);
        if (!old) continue;
        const bits = new Uint8Array(list.task_ids.length);
        let count = 0;
        list.task_ids.forEach((id, p) => {
          const q = before?.position.get(id);
          if (q !== undefined && old.bits[q] === 1) {
            bits[p] = 1;
            count++;
          }
        });
        envs.set(list.env_id, { bits, count });
      }
    }
    for (const env of this.#lists.keys()) if (!current.has(env)) for (const envs of this.#known.values()) envs.delete(env);
    this.#lists = current;

    let queries = 0;
    if (entered.length > 0) {
      this.#recordListed(await listedResultsOfActiveMiners(db, listedTasks(entered)));
      queries++;
    }
    if (fresh.length > 0) {
      const listed = listedTasks([...current].map(([env, l]) => ({ env, ids: l.taskIds })));
      this.#record(await identityResultsOn(db, listed, { hotkeys: fresh.map((i) => i.hotkey), revisions: fresh.map((i) => i.revision) }));
      queries++;
    }
    return queries;
  }

  #recordListed(rows: readonly ListedResult[]): void {
    for (const row of rows) {
      const p = this.#lists.get(row.env_id)?.position.get(row.task_id);
      if (p === undefined) continue;
      for (const id of row.miner_ids) {
        const key = this.#byId.get(id);
        if (key !== undefined) this.#set(key, row.env_id, p);
      }
    }
  }

  #record(groups: readonly ResultGroup[]): void {
    for (const g of groups) for (const id of g.task_ids) this.add(g.hotkey, g.revision, g.env_id, id);
  }
}
