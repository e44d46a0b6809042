/**
 * CLI start bench: the median wall time of `evalpool <command>` as a process, from spawn to exit,
 * for `--help`, `--version` and the read-only commands (target ≤ 500 ms on an idle machine,
 * issue 15). The commands run compiled from dist/ (what `npm ci` builds; built here first if
 * stale); the baseline is the same command run from the TypeScript sources through tsx.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { range, seedList, seedMiner, seedResults } from '../helpers/scoring-seed.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { distIsFresh } from '../../bin/dist-freshness.js';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { createBenchDatabase } from './bench-database.ts';
import { median } from './median.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'bin/evalpool.js');
const RUNS = 10;
const TARGET_MS = 500;

/** Wall ms of one run of `evalpool <args>`, or of the sources through tsx when `fromSources`. */
function timeOnce(args: readonly string[], env: NodeJS.ProcessEnv, fromSources: boolean): number {
  const argv = fromSources ? ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args] : [CLI, ...args];
  const start = performance.now();
  const run = spawnSync(process.execPath, argv, { cwd: ROOT, env, stdio: 'ignore' });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`evalpool ${args.join(' ')} exited with ${run.status ?? run.signal}`);
  return ms;
}

function medianOf(args: readonly string[], env: NodeJS.ProcessEnv, fromSources: boolean, runs: number): number {
  timeOnce(args, env, fromSources); // warm the page cache (and tsx's transform cache)
  return median(Array.from({ length: runs }, () => timeOnce(args, env, fromSources)));
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const built = distIsFresh(ROOT);
  if (!built) spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-dist.js')], { cwd: ROOT, stdio: 'inherit' });
  const database = await createBenchDatabase(ctx.postgresUrl, 'cli', 2);
  const minersFile = path.join(os.tmpdir(), `evalpool-bench-miners-${process.pid}.json`);
  try {
    // Something to show: two miners with results and one published weights row.
    await seedList(database.db, 'a', range(0, 5));
    for (const uid of [1, 2]) {
      await seedMiner(database.db, { uid, committedBlock: uid });
      await seedResults(database.db, { uid }, 'a', range(0, 5), () => uid - 1);
    }
    await computeAndPublishWeights({ db: database.db, config: testConfig(), logger: testLogger(), block: () => Promise.resolve(1000) });
    await writeFile(minersFile, JSON.stringify({ miners: [{ uid: 1, hotkey: 'hk1', endpoint: 'http://127.0.0.1:9' }] }));
    // A miners file of its own: `config check` fails on a missing one (and must not read the checkout's miners.json).
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, EVALPOOL_DATABASE_URL: database.url, EVALPOOL_REDIS_URL: ctx.redisUrl, EVALPOOL_QUEUE_PREFIX: `bench-cli-${process.pid}`, EVALPOOL_MINERS_FILE: minersFile };
    const runs = Math.max(3, Math.round(RUNS * Math.min(1, ctx.scale * 10)));
    const commands: string[][] = [['--help'], ['--version'], ['weights', 'show'], ['miners', 'show', '--miners-file', minersFile], ['slots', 'show'], ['tasks', 'stats'], ['config', 'check']];
    const results: BenchResult[] = [];
    for (const args of commands) {
      const value = medianOf(args, env, false, runs);
      const baseline = medianOf(args, env, true, runs);
      results.push({
        name: `evalpool ${args.slice(0, 2).filter((a) => !a.includes('/')).join(' ')} (median wall time of ${runs})`,
        value,
        unit: 'ms',
        baseline,
        target: `<= ${TARGET_MS} ms`,
        ok: value <= TARGET_MS,
        notes: `compiled dist/ (${built ? 'fresh' : 'rebuilt for this run'}); baseline: the sources through tsx; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
      });
    }
    return results;
  } finally {
    await database.drop();
  }
}
