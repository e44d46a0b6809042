import type { Kysely } from 'kysely';
import { MINER_DECLARATION_PROBES_AT_ONCE, MINER_DECLARATION_REFRESH_MS, MINER_HEALTH_TIMEOUT_MS } from '../config/constants.ts';
import type { Database } from '../db/schema.ts';
import { getMinerDeclarations, saveMinerDeclarations, type NewMinerDeclaration } from '../db/tables/miner-declarations.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { probeDeclaredConcurrency, type DeclaredConcurrency, type ProbeOptions } from '../miners/declared-concurrency.ts';
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
 * One pass of the leader's declaration probe (DESIGN.md, "Contracts": `max_concurrent_episodes`):
 * probes the `/health` of every active miner never probed at its current endpoint, or probed
 * `refreshMs` ago or more, `probesAtOnce` at a time, each within `timeoutMs`, and stores what it
 * learnt (top-up then caps the miner's slots by it). A miner is re-probed no more often than
 * `refreshMs` unless its endpoint changes (which takes a commitment on chain), so flapping its
 * declaration moves it at that pace at most. Returns the declarations stored.
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
      learnt.push({ hotkey: miner.hotkey, endpoint: miner.endpoint, episodes: answer.episodes, ...(answer.problem === undefined ? {} : { problem: answer.problem }) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(due.length, settings.probesAtOnce ?? MINER_DECLARATION_PROBES_AT_ONCE) }, lane));
  await saveMinerDeclarations(db, learnt, now);
  for (const d of learnt) {
    const before = known.get(d.hotkey);
    if (before?.endpoint === d.endpoint && before.max_concurrent_episodes === d.episodes && before.problem === (d.problem ?? null)) continue;
    const fields = { hotkey: d.hotkey, endpoint: d.endpoint, episodes: d.episodes, before: before?.max_concurrent_episodes ?? null };
    if (d.problem === undefined) logger.info(fields, 'miner declared its concurrency');
    else logger.warn({ ...fields, problem: d.problem }, 'miner concurrency declaration has a problem (see problem)');
  }
  return learnt;
}
