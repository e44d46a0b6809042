import { getPoolStats, type PoolStats, type PoolStatsInput } from './pool-stats.ts';

/**
 * One pool snapshot for every reader of a process (the read API, `/metrics`): a snapshot younger
 * than `cacheMs`, or one still being taken, is shared, so that a page load or a scrape costs at
 * most one snapshot per period. A failed snapshot is not kept: the next call tries again.
 */
export function sharedPoolStats(input: PoolStatsInput, cacheMs: number): () => Promise<PoolStats> {
  let last: { readonly at: number; readonly value: Promise<PoolStats>; settled: boolean } | undefined;
  return () => {
    const now = Date.now();
    if (last && (!last.settled || now - last.at < cacheMs)) return last.value;
    const entry = { at: now, value: getPoolStats(input), settled: false };
    last = entry;
    entry.value.then(
      () => (entry.settled = true),
      () => {
        if (last === entry) last = undefined;
      },
    );
    return entry.value;
  };
}
