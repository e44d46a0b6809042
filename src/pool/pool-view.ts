import type { PooledTask } from './pool-snapshot.ts';

/** In-flight counts of one hotkey (any revision). */
export interface HotkeyLoad {
  total: number;
  readonly byEnv: Map<string, number>;
}

/**
 * The pool as the tick reasons about it: per hotkey, how many tasks are in flight (the "slot
 * index", rebuilt from each snapshot); per identity and env, which task ids are taken (in flight
 * or paused) and so may not be created.
 */
export class PoolView {
  readonly #load = new Map<string, HotkeyLoad>();
  readonly #taken = new Map<string, Map<string, Set<number>>>();
  #inFlight = 0;

  constructor(tasks: Iterable<PooledTask>) {
    for (const task of tasks) {
      const key = `${task.hotkey}\u0000${task.revision}`;
      let envs = this.#taken.get(key);
      if (!envs) this.#taken.set(key, (envs = new Map<string, Set<number>>()));
      let ids = envs.get(task.env);
      if (!ids) envs.set(task.env, (ids = new Set()));
      ids.add(task.taskId);
      if (task.state === 'paused') continue;
      this.#inFlight++;
      let load = this.#load.get(task.hotkey);
      if (!load) this.#load.set(task.hotkey, (load = { total: 0, byEnv: new Map() }));
      load.total++;
      load.byEnv.set(task.env, (load.byEnv.get(task.env) ?? 0) + 1);
    }
  }

  /** Tasks pending or assigned, all miners. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** In-flight counts of a hotkey. */
  load(hotkey: string): HotkeyLoad {
    return this.#load.get(hotkey) ?? { total: 0, byEnv: new Map() };
  }

  /** Task ids of an identity in an env that are in flight or paused. */
  taken(hotkey: string, revision: string, env: string): ReadonlySet<number> {
    return this.#taken.get(`${hotkey}\u0000${revision}`)?.get(env) ?? EMPTY;
  }

  /** Every hotkey with something in flight. */
  hotkeys(): IterableIterator<string> {
    return this.#load.keys();
  }
}

const EMPTY: ReadonlySet<number> = new Set();
