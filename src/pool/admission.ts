/**
 * Which tasks a miner gets next, in order of need (docs/design.md, "Per-miner slots"). Pure: the
 * tick gathers the facts, this decides.
 *
 * Rules, for one miner with `free = slots − in flight` > 0 (nothing otherwise):
 * 1. A task is a list id of an env that is neither known to have a result, nor paused, nor in
 *    flight for the miner's current identity. Only ids without a known result are scanned (the
 *    result index keeps them per identity), so a covered miner costs nothing.
 * 2. An env never holds more than `max(1, floor(MAX_ENV_SHARE × slots))` of the miner's in-flight
 *    tasks, nor gets more ids its hourly-cap bucket has not paid for than it has whole tokens
 *    (hourly-cap.ts); an id already paid for (the miner had it before) costs no token, so an env
 *    whose tokens ran out still gets those back.
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
  /** Positions (ascending) in the env's list of ids without a known result for this identity. */
  candidates(env: string): readonly number[];
  /** Whether the id is in flight or paused for this identity (so it may not be created). */
  taken(env: string, taskId: number): boolean;
  /** Tokens left in the env's hourly-cap bucket (only whole ones count). */
  tokens(env: string): number;
  /** Whether the env's hourly-cap bucket already paid for this id: creating it costs no token. */
  paid(env: string, taskId: number): boolean;
}

/** One task to create. */
export interface Admission {
  readonly env: string;
  readonly taskId: number;
}

interface EnvState {
  readonly list: AdmissionList;
  readonly positions: readonly number[];
  readonly rate: number;
  inFlight: number;
  missing: number;
  /** Tasks the env share still allows. */
  room: number;
  /** Whole tokens left: ids not paid for are skipped once they are spent. */
  tokens: number;
  /** Index in `positions` of the next candidate; -1 when none is left. */
  next: number;
}

/** The env cap of a miner with `slots` slots. */
export function envCap(slots: number, maxEnvShare: number): number {
  return Math.max(1, Math.floor(maxEnvShare * slots));
}

function advance(state: EnvState, miner: MinerAdmissionInput, from: number): void {
  const { positions, list } = state;
  for (let i = from; i < positions.length; i++) {
    const id = list.task_ids[positions[i]!]!;
    if (!miner.taken(list.env_id, id) && (state.tokens >= 1 || miner.paid(list.env_id, id))) {
      state.next = i;
      return;
    }
  }
  state.next = -1;
}

function position(state: EnvState): number {
  return state.positions[state.next]!;
}

function rotatesOutAt(state: EnvState): number {
  const { list } = state;
  const count = Math.max(1, list.rotation_count);
  return list.last_rotated_at.getTime() + list.rotation_interval_seconds * 1_000 * (Math.floor(position(state) / count) + 1);
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
    const room = cap - inFlight;
    if (room <= 0) continue;
    const tokens = Math.floor(miner.tokens(list.env_id));
    const positions = miner.candidates(list.env_id);
    // An over-estimate (taken ids are not subtracted): it only orders envs.
    const missing = positions.length;
    if (missing === 0) continue;
    const rate = Math.max(list.rotation_count, 1e-9) / Math.max(list.rotation_interval_seconds, 1e-9);
    const state: EnvState = { list, positions, rate, inFlight, missing, room, tokens, next: -1 };
    advance(state, miner, 0);
    if (state.next >= 0) states.push(state);
  }

  const admitted: Admission[] = [];
  while (free > 0) {
    let best: EnvState | undefined;
    for (const s of states) if (s.next >= 0 && s.room > 0 && (!best || byNeed(s, best) < 0)) best = s;
    if (!best) break;
    const taskId = best.list.task_ids[position(best)]!;
    admitted.push({ env: best.list.env_id, taskId });
    free--;
    best.inFlight++;
    best.room--;
    if (!miner.paid(best.list.env_id, taskId)) best.tokens--;
    best.missing = Math.max(1, best.missing - 1);
    advance(best, miner, best.next + 1);
  }
  return admitted;
}
