import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { resultsOfActiveMinersOn, resultsSince } from '../db/tables/results.ts';
import { POOL_DEFAULTS } from './defaults.ts';

/** A miner identity as the index keys it. */
export interface IndexIdentity {
  readonly hotkey: string;
  readonly revision: string;
}

/** An env's current list as the index needs it. */
export interface IndexList {
  readonly env_id: string;
  readonly task_ids: readonly number[];
  readonly version: number;
}

function identityKey(hotkey: string, revision: string): string {
  return `${hotkey}\u0000${revision}`;
}

/**
 * The leader's memory of which (identity, env, task id) already have a result, restricted to
 * active identities and to ids on the current lists. It is a hint that makes the tick cheap (the
 * full set is read once per leadership and at reconciliation; afterwards only new results are
 * read, by creation time with an overlap); admission never trusts it alone: candidates are checked
 * against Postgres before they are added (see top-up.ts).
 */
export class ResultIndex {
  readonly #sets = new Map<string, Map<string, Set<number>>>();
  #identities = new Set<string>();
  #lists = new Map<string, { version: number; ids: Set<number> }>();
  #since: Date | undefined;

  /** Forgets everything: the next {@link sync} reads all results again. */
  reset(): void {
    this.#sets.clear();
    this.#identities = new Set();
    this.#lists = new Map();
    this.#since = undefined;
  }

  /** Whether a result is known for this task. */
  has(hotkey: string, revision: string, env: string, taskId: number): boolean {
    return this.#sets.get(identityKey(hotkey, revision))?.get(env)?.has(taskId) ?? false;
  }

  /** Known results of an identity on an env's current list. */
  count(hotkey: string, revision: string, env: string): number {
    return this.#sets.get(identityKey(hotkey, revision))?.get(env)?.size ?? 0;
  }

  /** Records a result seen elsewhere (e.g. by the candidate check). */
  add(hotkey: string, revision: string, env: string, taskId: number): void {
    const key = identityKey(hotkey, revision);
    if (!this.#identities.has(key) || !this.#lists.get(env)?.ids.has(taskId)) return;
    let envs = this.#sets.get(key);
    if (!envs) this.#sets.set(key, (envs = new Map<string, Set<number>>()));
    let ids = envs.get(env);
    if (!ids) envs.set(env, (ids = new Set()));
    ids.add(taskId);
  }

  /**
   * Brings the index up to date with the active identities and current lists: a full read the
   * first time, then only what changed (new identities, ids that entered a list) plus the
   * results created since the previous sync. Returns the number of queries it ran.
   */
  async sync(db: Kysely<Database>, identities: readonly IndexIdentity[], lists: readonly IndexList[]): Promise<number> {
    let queries = 0;
    const wanted = new Map(identities.map((i) => [identityKey(i.hotkey, i.revision), i]));

    if (this.#since === undefined) {
      // The clock first, so that nothing committed during the full read is missed afterwards.
      const clock = await resultsSince(db, new Date(8.64e15));
      queries++;
      this.#identities = new Set(wanted.keys());
      this.#lists = new Map(lists.map((l) => [l.env_id, { version: l.version, ids: new Set(l.task_ids) }]));
      this.#sets.clear();
      queries += await this.#load(db, lists.map((l) => ({ env: l.env_id, ids: l.task_ids })));
      this.#since = new Date(clock.dbNow.getTime() - POOL_DEFAULTS.resultDeltaOverlapMs);
      return queries;
    }

    // Identities: drop the gone, remember the new ones (loaded below once lists are current).
    for (const key of this.#identities) if (!wanted.has(key)) this.#sets.delete(key);
    const fresh = [...wanted.entries()].filter(([key]) => !this.#identities.has(key)).map(([, i]) => i);
    this.#identities = new Set(wanted.keys());

    // Lists: forget ids that left, load results for ids that entered.
    const entered: { env: string; ids: number[] }[] = [];
    const current = new Map<string, { version: number; ids: Set<number> }>();
    for (const list of lists) {
      const before = this.#lists.get(list.env_id);
      const ids = new Set(list.task_ids);
      current.set(list.env_id, { version: list.version, ids });
      if (before && before.version === list.version && before.ids.size === ids.size) continue;
      const added = list.task_ids.filter((id) => !before?.ids.has(id));
      if (added.length > 0) entered.push({ env: list.env_id, ids: added });
      if (before) {
        for (const envs of this.#sets.values()) {
          const set = envs.get(list.env_id);
          if (set) for (const id of set) if (!ids.has(id)) set.delete(id);
        }
      }
    }
    for (const env of this.#lists.keys()) if (!current.has(env)) for (const envs of this.#sets.values()) envs.delete(env);
    this.#lists = current;

    if (entered.length > 0) queries += await this.#load(db, entered);
    if (fresh.length > 0) {
      queries += await this.#load(db, lists.map((l) => ({ env: l.env_id, ids: l.task_ids })), {
        hotkeys: fresh.map((i) => i.hotkey),
        revisions: fresh.map((i) => i.revision),
      });
    }

    const delta = await resultsSince(db, this.#since);
    queries++;
    for (const r of delta.rows) this.add(r.hotkey, r.revision, r.env_id, r.task_id);
    this.#since = new Date(delta.dbNow.getTime() - POOL_DEFAULTS.resultDeltaOverlapMs);
    return queries;
  }

  async #load(
    db: Kysely<Database>,
    tasks: readonly { env: string; ids: readonly number[] }[],
    identities?: { hotkeys: string[]; revisions: string[] },
  ): Promise<number> {
    const envIds: string[] = [];
    const taskIds: number[] = [];
    for (const t of tasks) for (const id of t.ids) {
      envIds.push(t.env);
      taskIds.push(id);
    }
    const groups = await resultsOfActiveMinersOn(db, { envIds, taskIds }, identities);
    for (const g of groups) for (const id of g.task_ids) this.add(g.hotkey, g.revision, g.env_id, id);
    return 1;
  }
}
