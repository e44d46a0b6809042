/**
 * Weights computation bench: the pure scoring pass (`computeScores`) at docs/design.md's scale,
 * 256 miners × 8 envs with aggregates over 1,000-id lists. The SQL aggregate in front of it is
 * timed separately by whoever builds it; the target (≤ 1 s) covers both.
 */
import { performance } from 'node:perf_hooks';
import { computeScores } from '../../src/scoring/compute-scores.ts';
import type { MinerEnvAggregate, ScoredEnv, ScoredMiner, ScoringInput } from '../../src/scoring/scoring-input.ts';
import { prng } from '../helpers/prng.ts';
import { testScoringParams } from '../helpers/test-config.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { median } from './median.ts';

const FULL_MINERS = 256;
const ENVS = 8;
const LIST_SIZE = 1000;
const WARMUP_RUNS = 10;
const TIMED_RUNS = 20;
const TARGET_MS = 1000;

/**
 * A population that exercises every branch: most miners fully covered, some short of coverage,
 * clusters of near-copies of a few base policies (so thresholds decide), distinct commit blocks.
 */
export function benchInput(minerCount: number, seed = 42): ScoringInput {
  const random = prng(seed);
  const envs: ScoredEnv[] = Array.from({ length: ENVS }, (_, j) => ({ envId: `env-${j}`, listSize: LIST_SIZE }));
  const bases = Array.from({ length: 12 }, () => envs.map(() => random()));
  const miners: ScoredMiner[] = [];
  const aggregates: MinerEnvAggregate[] = [];
  for (let uid = 0; uid < minerCount; uid++) {
    miners.push({ uid, hotkey: `5Hotkey${uid}`, revision: `rev${uid}`, committedBlock: 1000 + Math.floor(random() * 5000) });
    const base = bases[Math.floor(random() * bases.length)]!;
    for (const [j, env] of envs.entries()) {
      const n = random() < 0.9 ? LIST_SIZE : Math.floor(LIST_SIZE * (0.6 + 0.4 * random()));
      const p = Math.min(Math.max(base[j]! + (random() - 0.5) * 0.08, 0), 1);
      const successes = Math.round(n * p);
      aggregates.push({ uid, envId: env.envId, n, sum: successes, sumSq: successes });
    }
  }
  return { envs, miners, aggregates };
}

/** Times `computeScores` at `256·scale` miners (8 envs, 1,000-id lists). */
export function run(ctx: BenchContext): Promise<BenchResult[]> {
  const minerCount = Math.max(8, Math.round(FULL_MINERS * ctx.scale));
  const input = benchInput(minerCount);
  const params = testScoringParams();
  for (let i = 0; i < WARMUP_RUNS; i++) computeScores(input, params);
  const times: number[] = [];
  let eligible = 0;
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = performance.now();
    eligible = computeScores(input, params).eligibleCount;
    times.push(performance.now() - start);
  }
  const scale = `${minerCount} miners × ${ENVS} envs × ${LIST_SIZE} results`;
  const notes = `pure scoring only (SQL aggregate not included); ${eligible} eligible; ${TIMED_RUNS} runs after ${WARMUP_RUNS} warm-up`;
  const med = median(times);
  return Promise.resolve([
    { name: `weights computation, median (${scale})`, value: med, unit: 'ms', target: `<= ${TARGET_MS} ms`, ok: med <= TARGET_MS, notes },
    { name: `weights computation, max (${scale})`, value: Math.max(...times), unit: 'ms', notes },
  ]);
}
