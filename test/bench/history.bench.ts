/**
 * Cost flat in history: the same present (256 miners × 8 envs × 1,000-id lists) over 1× and N×
 * list lifetimes of history (rotated-out ids, retired revisions; see history-phase.ts), side by
 * side: leader start, steady tick, weights pass, `/v1/*` latencies, and the RSS of the leader and
 * of the API process. Goal: every N× figure within 1.2× of the 1× one; RSS ≤ 300 MB.
 *
 * N is `EVALPOOL_BENCH_HISTORY` (default 30: 55 M result rows, 32 GB with indexes, seeded in
 * ~50 min at load 8–15 on the shared 2-core machine, most of it the index builds; pass a smaller N
 * for a quicker run); `npm run bench -- --only history`. Seeding: test/helpers/seed-history.ts.
 * Each side runs in a process of its own (its RSS is its own) and writes the EXPLAIN of the
 * history-sensitive queries next to the bench output (bench-output/history-explain-<N>x.txt).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnEntry } from '../helpers/spawn-cli.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import type { HistoryFigures } from './history-phase.ts';

const PHASE = fileURLToPath(new URL('./history-phase.ts', import.meta.url));
const DEFAULT_MULTIPLIER = 30;
const RATIO_TARGET = 1.2;
const RSS_TARGET_MB = 300;

async function phase(multiplier: number, scale: number): Promise<HistoryFigures> {
  mkdirSync('bench-output', { recursive: true });
  const child = spawnEntry(PHASE, [String(multiplier), String(scale), path.resolve('bench-output', `history-explain-${multiplier}x.txt`)]);
  const code = await child.exited();
  if (code !== 0) throw new Error(`history phase ${multiplier}× exited with ${code}\n${child.stderr()}`);
  return JSON.parse(child.stdout().trim().split('\n').at(-1)!) as HistoryFigures;
}

const spread = (xs: readonly number[] | undefined): string =>
  xs && xs.length > 1 ? `n=${xs.length}, ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} ms` : '';

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const multiplier = Number(process.env.EVALPOOL_BENCH_HISTORY ?? DEFAULT_MULTIPLIER);
  if (!Number.isInteger(multiplier) || multiplier < 2)
    throw new Error(`EVALPOOL_BENCH_HISTORY must be an integer ≥ 2, got ${process.env.EVALPOOL_BENCH_HISTORY}`);
  const one = await phase(1, ctx.scale);
  const many = await phase(multiplier, ctx.scale);
  const scale = `${many.miners} miners × 8 envs × 1,000-id lists`;
  const side = (f: HistoryFigures) =>
    `${f.multiplier}×: ${f.resultRows} results (${Math.round(f.tableMb)} MB), ${f.attemptRows} attempts, ${f.snapshotRows} score snapshots, seeded in ${Math.round(f.seedSeconds)} s ` +
    `(${Object.entries(f.seedSteps)
      .map(([k, v]) => `${k} ${Math.round(v)} s`)
      .join(', ')}); load average ${f.load[0].toFixed(1)} → ${f.load[1].toFixed(1)}`;
  const row = (name: string, key: string | undefined, a: number, b: number, notes?: string): BenchResult => ({
    name: `${name}, ${multiplier}× history (baseline: 1×)`,
    value: b,
    unit: 'ms',
    baseline: a,
    target: `<= ${RATIO_TARGET}× of 1× (ratio ${(b / a).toFixed(2)})`,
    ok: b <= a * RATIO_TARGET,
    notes:
      [notes, key && `1× ${spread(one.samples[key])}; ${multiplier}× ${spread(many.samples[key])}`].filter(Boolean).join('; ') || undefined,
  });
  return [
    {
      name: `seeding, ${multiplier}× history (baseline: 1×)`,
      value: many.seedSeconds,
      unit: 's',
      baseline: one.seedSeconds,
      notes: `${side(one)}. ${side(many)}`,
    },
    row(`leader start: reconcile + first fill (${scale})`, 'start', one.startMs, many.startMs, 'median of 3'),
    row('result index full read (part of the start)', 'indexRead', one.indexReadMs, many.indexReadMs),
    row('steady tick median', 'tick', one.tickMs, many.tickMs),
    row('weights pass with writes', 'weights', one.weightsMs, many.weightsMs),
    ...Object.keys(one.api).map((route) => row(`GET ${route} median`, undefined, one.api[route]!, many.api[route]!, 'median of 30')),
    {
      name: `leader peak RSS, ${multiplier}× history (baseline: 1×)`,
      value: many.leaderRssMb,
      unit: 'MB',
      baseline: one.leaderRssMb,
      target: `<= ${RSS_TARGET_MB} MB`,
      ok: many.leaderRssMb <= RSS_TARGET_MB,
    },
    {
      name: `API process peak RSS, ${multiplier}× history (baseline: 1×)`,
      value: many.apiRssMb,
      unit: 'MB',
      baseline: one.apiRssMb,
      target: `<= ${RSS_TARGET_MB} MB`,
      ok: many.apiRssMb <= RSS_TARGET_MB,
    },
  ];
}
