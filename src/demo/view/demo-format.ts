import { formatTable } from '../../runtime/format-table.ts';
import type { DemoMinerProgress, DemoProgress, DemoWeights } from '../demo-progress.ts';

/** `mujoco/reach-v1` → `reach-v1`: the part that differs between the built-in envs. */
function shortEnv(envId: string): string {
  return envId.slice(envId.lastIndexOf('/') + 1);
}

/** Seconds as `9s`, `1m05s`, `1h02m`. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`;
}

/** Episodes done and wanted, for one miner or (without `miner`) for all. */
export function episodeCounts(progress: DemoProgress, miner?: DemoMinerProgress): { done: number; total: number } {
  const listTotal = progress.envs.reduce((sum, e) => sum + e.listSize, 0);
  const miners = miner ? [miner] : progress.miners;
  const done = miners.reduce((sum, m) => sum + m.envs.reduce((s, e) => s + e.done, 0), 0);
  return { done, total: listTotal * miners.length };
}

/** `reach-v1 12/32  push-v1 10/32`: a miner's coverage of each env's current list. */
export function envCoverage(progress: DemoProgress, miner: DemoMinerProgress): string {
  return miner.envs.map((e, i) => `${shortEnv(e.envId)} ${e.done}/${progress.envs[i]?.listSize ?? '?'}`).join('  ');
}

/** One line of progress for logs and pipes: `[12s] episodes 87/288 · demo-random 29/96 · ...`. */
export function progressLine(progress: DemoProgress, elapsedSeconds: number): string {
  const all = episodeCounts(progress);
  const parts = progress.miners.map((m) => {
    const own = episodeCounts(progress, m);
    return `${m.hotkey} ${own.done}/${own.total}`;
  });
  return [`[${formatElapsed(elapsedSeconds)}] episodes ${all.done}/${all.total}`, ...parts].join(' · ');
}

function rate(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

/** The miner with the largest weight (the lowest uid on a tie), if any. */
export function leaderOf(progress: DemoProgress, weights: DemoWeights): DemoMinerProgress | undefined {
  let best: DemoMinerProgress | undefined;
  for (const m of progress.miners) {
    if (best === undefined || (weights.byUid.get(m.uid) ?? 0) > (weights.byUid.get(best.uid) ?? 0)) best = m;
  }
  return best;
}

/**
 * The weights as a table: per miner its success rate over each env's current list, whether it
 * is eligible, and its weight; then one sentence naming the leader. `policies` maps the demo's
 * own hotkeys to their policy, to say which policy leads.
 */
export function weightsReport(progress: DemoProgress, weights: DemoWeights, policies: ReadonlyMap<string, string>): string {
  const eligible = new Set(weights.eligibleUids);
  const headers = ['uid', 'hotkey', ...progress.envs.map((e) => `${shortEnv(e.envId)} success`), 'eligible', 'weight'];
  const rows = progress.miners.map((m) => [
    m.uid,
    m.hotkey,
    ...m.envs.map((e) => rate(e.successRate)),
    eligible.has(m.uid) ? 'yes' : 'no',
    (weights.byUid.get(m.uid) ?? 0).toFixed(5),
  ]);
  const leader = leaderOf(progress, weights);
  const share = leader ? ((weights.byUid.get(leader.uid) ?? 0) * 100).toFixed(3) : '0';
  const policy = leader ? policies.get(leader.hotkey) : undefined;
  const sentence = leader
    ? `→ ${leader.hotkey} (uid ${leader.uid}${policy ? `, the ${policy} policy` : ''}) leads with ${share}% of the weight.`
    : '→ no miner has weight yet.';
  return `${formatTable(headers, rows)}\n${sentence}`;
}

/** One line when newer weights are published: `[3m12s] new weights at block N: demo-expert 0.99998 · ...`. */
export function weightsLine(progress: DemoProgress, weights: DemoWeights, elapsedSeconds: number): string {
  const parts = progress.miners.map((m) => `${m.hotkey} ${(weights.byUid.get(m.uid) ?? 0).toFixed(5)}`);
  return `[${formatElapsed(elapsedSeconds)}] new weights at block ${weights.blockNumber}: ${parts.join(' · ')}`;
}
