import type { Kysely } from 'kysely';
import { MINER_DECLARATION_PROBES_AT_ONCE, MINER_DECLARATION_REFRESH_MS, MINER_HEALTH_TIMEOUT_MS } from '../config/constants.ts';
import type { Database, Miner } from '../db/schema.ts';
import {
  getMinerDeclarations,
  type MinerDeclarationRow,
  type NewMinerDeclaration,
  saveMinerDeclarations,
} from '../db/tables/miner-declarations.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { type DeclaredConcurrency, type ProbeOptions, probeDeclaredConcurrency } from '../miners/declared-concurrency.ts';
import type { Logger } from '../runtime/logger.ts';

/** Settings of {@link refreshDeclarations}; all but `max` default to the constants. */
export interface DeclarationSettings {
  /** Most episodes a declaration may grant: `EVALPOOL_SLOTS_MAX`. */
  readonly max: number;
  readonly refreshMs?: number;
  readonly timeoutMs?: number;
  readonly probesAtOnce?: number;
}

/** How a miner is probed; injectable for tests. */
export type Probe = (endpoint: string, options: ProbeOptions) => Promise<DeclaredConcurrency>;

/**
 * What a probe's answer stores. Only a well-formed answer changes a declaration: a probe that got
 * none (timeout, refused connection, error status, garbage: a `fallback`) keeps the one read
 * earlier at the same endpoint, so that a failing `/health` (a blip) does not shrink the cap to
 * the fallback; the fallback of 1 applies only when nothing was read there yet. A miner can still
 * lower its cap with a well-formed answer (a lowered cap trims its pending tasks): the defence
 * against that is the trim order (retries last, removals.ts) and the durable measured history
 * (task-history.ts), not this. The probe time is stored either way: the next probe waits the
 * refresh period.
 */
function declarationOf(
  miner: Pick<Miner, 'hotkey' | 'endpoint'>,
  answer: DeclaredConcurrency,
  before: MinerDeclarationRow | undefined,
): NewMinerDeclaration {
  const identity = { hotkey: miner.hotkey, endpoint: miner.endpoint };
  if (answer.fallback === true && before?.endpoint === miner.endpoint) {
    const episodes = before.max_concurrent_episodes;
    return { ...identity, episodes, problem: `${answer.problem ?? 'no well-formed answer'}; the earlier declaration (${episodes}) stands` };
  }
  return { ...identity, episodes: answer.episodes, ...(answer.problem === undefined ? {} : { problem: answer.problem }) };
}

/**
 * One pass of the leader's declaration probe (docs/design.md, "Per-miner slots": declarations, `max_concurrent_episodes`):
 * probes the `/health` of every active miner never probed at its current endpoint, or probed
 * `refreshMs` ago or more, `probesAtOnce` at a time, each within `timeoutMs`, and stores what it
 * learnt (top-up then caps the miner's slots by it; see {@link declarationOf} for an answer that
 * declares nothing). A miner is re-probed no more often than `refreshMs` unless its endpoint
 * changes (which takes a commitment on chain), so flapping its declaration moves it at that pace
 * at most. Returns the declarations stored.
 */
export async function refreshDeclarations(
  db: Kysely<Database>,
  settings: DeclarationSettings,
  now: Date,
  signal: AbortSignal,
  logger: Logger,
  probe: Probe = probeDeclaredConcurrency,
): Promise<NewMinerDeclaration[]> {
  const refreshMs = settings.refreshMs ?? MINER_DECLARATION_REFRESH_MS;
  const [miners, known] = await Promise.all([getActiveMiners(db), getMinerDeclarations(db)]);
  const due = miners.filter((m) => {
    const row = known.get(m.hotkey);
    return row === undefined || row.endpoint !== m.endpoint || now.getTime() - row.probed_at.getTime() >= refreshMs;
  });
  const learnt: NewMinerDeclaration[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < due.length && !signal.aborted) {
      const miner = due[next++]!;
      const answer = await probe(miner.endpoint, { max: settings.max, timeoutMs: settings.timeoutMs ?? MINER_HEALTH_TIMEOUT_MS, signal });
      if (signal.aborted) return; // an answer cut short by the end of the term is not the miner's
      learnt.push(declarationOf(miner, answer, known.get(miner.hotkey)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(due.length, settings.probesAtOnce ?? MINER_DECLARATION_PROBES_AT_ONCE) }, lane));
  await saveMinerDeclarations(db, learnt, now);
  for (const d of learnt) {
    const before = known.get(d.hotkey);
    if (before?.endpoint === d.endpoint && before.max_concurrent_episodes === d.episodes && before.problem === (d.problem ?? null))
      continue;
    const fields = { hotkey: d.hotkey, endpoint: d.endpoint, episodes: d.episodes, before: before?.max_concurrent_episodes ?? null };
    if (d.problem === undefined) logger.info(fields, 'miner declared its concurrency');
    else logger.warn({ ...fields, problem: d.problem }, 'miner concurrency declaration has a problem (see problem)');
  }
  return learnt;
}
