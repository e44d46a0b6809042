/**
 * Which tasks a miner gets next, in order of need (DESIGN.md, "Per-miner slots"). Pure: the
 * tick gathers the facts, this decides.
 *
 * Rules, for one miner with `free = slots − in flight` > 0 (nothing otherwise):
 * 1. A task is a list id of an env that is neither known to have a result, nor paused, nor in
 *    flight for the miner's current identity.
 * 2. An env never holds more than `max(1, floor(MAX_ENV_SHARE × slots))` of the miner's in-flight
 *    tasks, nor gets more tasks than whole tokens in its hourly-cap bucket (hourly-cap.ts).
 * 3. Tasks are picked one at a time, each from the env that needs it most:
 *    a. an env with nothing in flight for the miner first;
 *    b. then the largest deficit against the rotation rate: `missing / rate` (seconds of
 *       rotation the miner is behind; `rate` = rotation_count / rotation_interval_seconds);
 *    c. then the env whose next id rotates out soonest;
 *    d. then env id (determinism).
 *    Within an env, ids closest to rotating out (oldest in the list) go first.
 * Picking one at a time and recounting spreads the free slots over envs instead of filling the
 * first env to its cap.
 */

/** An env's list as admission sees it. */
export interface AdmissionList {
  readonly env_id: string;
  /** Oldest first: the front leaves at the next rotation. */
  readonly task_ids: readonly number[];
  readonly rotation_count: number;
  readonly rotation_interval_seconds: number;
  readonly last_rotated_at: Date;
}

/** The facts about one miner that admission needs. */
export interface MinerAdmissionInput {
  readonly slots: number;
  /** Tasks of the miner (hotkey, any revision) pending or assigned, all envs. */
  readonly inFlight: number;
  /** The same, per env. */
  readonly inFlightByEnv: ReadonlyMap<string, number>;
  /** Whether this id may not be created for the miner's identity (result, paused, in flight). */
  blocked(env: string, taskId: number): boolean;
  /** Ids of the env's list not blocked: exact, or an over-estimate (zero skips the env). */
  missing(env: string): number;
  /** Whole tokens left in the env's hourly-cap bucket. */
  tokens(env: string): number;
}

/** One task to create. */
export interface Admission {
  readonly env: string;
  readonly taskId: number;
}

interface EnvState {
  readonly list: AdmissionList;
  readonly rate: number;
  inFlight: number;
  missing: number;
  room: number;
  /** Position of the next candidate in the list; -1 when none is left. */
  cursor: number;
}

/** The env cap of a miner with `slots` slots. */
export function envCap(slots: number, maxEnvShare: number): number {
  return Math.max(1, Math.floor(maxEnvShare * slots));
}

function advance(state: EnvState, miner: MinerAdmissionInput, from: number): void {
  const ids = state.list.task_ids;
  for (let p = from; p < ids.length; p++) {
    if (!miner.blocked(state.list.env_id, ids[p]!)) {
      state.cursor = p;
      return;
    }
  }
  state.cursor = -1;
}

function rotatesOutAt(state: EnvState): number {
  const { list } = state;
  const count = Math.max(1, list.rotation_count);
  return list.last_rotated_at.getTime() + list.rotation_interval_seconds * 1_000 * (Math.floor(state.cursor / count) + 1);
}

/** Compares two candidate envs: negative when `a` needs the next task more. */
function byNeed(a: EnvState, b: EnvState): number {
  if ((a.inFlight === 0) !== (b.inFlight === 0)) return a.inFlight === 0 ? -1 : 1;
  const deficit = b.missing / b.rate - a.missing / a.rate;
  if (deficit !== 0) return deficit;
  const soon = rotatesOutAt(a) - rotatesOutAt(b);
  if (soon !== 0) return soon;
  return a.list.env_id < b.list.env_id ? -1 : a.list.env_id > b.list.env_id ? 1 : 0;
}

/** The tasks to create for one miner, in the order they should be created. */
export function planMinerAdmissions(miner: MinerAdmissionInput, lists: readonly AdmissionList[], maxEnvShare: number): Admission[] {
  let free = miner.slots - miner.inFlight;
  if (free <= 0) return [];
  const cap = envCap(miner.slots, maxEnvShare);
  const states: EnvState[] = [];
  for (const list of lists) {
    const inFlight = miner.inFlightByEnv.get(list.env_id) ?? 0;
    const room = Math.min(cap - inFlight, Math.floor(miner.tokens(list.env_id)));
    const missing = miner.missing(list.env_id);
    // Skipping on zero keeps a covered miner from scanning its lists every tick.
    if (room <= 0 || missing <= 0) continue;
    const rate = Math.max(list.rotation_count, 1e-9) / Math.max(list.rotation_interval_seconds, 1e-9);
    const state: EnvState = { list, rate, inFlight, missing, room, cursor: -1 };
    advance(state, miner, 0);
    if (state.cursor >= 0) states.push(state);
  }

  const admitted: Admission[] = [];
  while (free > 0) {
    let best: EnvState | undefined;
    for (const s of states) if (s.cursor >= 0 && s.room > 0 && (!best || byNeed(s, best) < 0)) best = s;
    if (!best) break;
    admitted.push({ env: best.list.env_id, taskId: best.list.task_ids[best.cursor]! });
    free--;
    best.inFlight++;
    best.room--;
    best.missing = Math.max(1, best.missing - 1);
    advance(best, miner, best.cursor + 1);
  }
  return admitted;
}
