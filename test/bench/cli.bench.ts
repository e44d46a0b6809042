/**
 * CLI start bench: the median wall time of `evalpool <command>` as a process, from spawn to exit,
 * for `--help`, `--version` and the read-only commands (target ≤ 500 ms on an idle machine,
 * issue 15), run as a user runs them after `npm ci`: bin/evalpool.js (the `evalpool` on the PATH)
 * on the compiled dist/ that the install builds, against a migrated database and a Redis that hold
 * miners, results, weights, slots and a task pool (cli-seed.ts), output to a pipe.
 *
 * The machine is shared, so the figures come with their floor: `node -e 0` (Node's own start) runs
 * in every round next to the commands, and each row says how far above that floor it is, which
 * is what the CLI costs whatever the load. The baseline column is the same command run from the
 * TypeScript sources through tsx (what a stale or missing dist/ falls back to).
 */
import { spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../../bin/dist-freshness.js';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { deletePrefix } from '../helpers/test-redis.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { seedCliBench } from './cli-seed.ts';
import { median } from './median.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'bin/evalpool.js');
const RUNS = 10;
const TARGET_MS = 500;

/** What one round runs: the floor, then each command from dist/. */
interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  /** The same command from the sources (the baseline); none for the floor. */
  readonly sourcesArgv?: readonly string[];
}

/** Wall ms of one run of `node <argv>`; a failed run fails the bench (a fast error is no figure). */
function timeOnce(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, argv, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`node ${argv.join(' ')} exited with ${run.status ?? run.signal}: ${run.stderr.toString()}`);
  return ms;
}

/** The compiled CLI must be what runs: without a fresh dist/, bin/evalpool.js runs the sources through tsx. */
function assertDistFresh(when: string): void {
  if (!distIsFresh(ROOT))
    throw new Error(`dist/ is not fresh ${when} (a source changed?): bin/evalpool.js would run the sources through tsx`);
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const built = distIsFresh(ROOT);
  if (!built) spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-dist.js')], { cwd: ROOT, stdio: 'inherit' });
  assertDistFresh('after the build');
  const prefix = `bench-cli-${process.pid}`;
  const database = await createBenchDatabase(ctx.postgresUrl, 'cli', 2);
  const minersFile = path.join(os.tmpdir(), `evalpool-bench-miners-${process.pid}.json`);
  try {
    await seedCliBench(database.db, ctx.redisUrl, prefix);
    await writeFile(minersFile, JSON.stringify({ miners: [{ uid: 1, hotkey: 'hk1', endpoint: 'http://127.0.0.1:9' }] }));
    // A miners file of its own: `config check` fails on a missing one (and must not read the checkout's miners.json).
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      EVALPOOL_DATABASE_URL: database.url,
      EVALPOOL_REDIS_URL: ctx.redisUrl,
      EVALPOOL_QUEUE_PREFIX: prefix,
      EVALPOOL_MINERS_FILE: minersFile,
    };
    const runs = Math.max(3, Math.round(RUNS * Math.min(1, ctx.scale * 10)));
    const commands: string[][] = [
      ['--help'],
      ['--version'],
      ['weights', 'show'],
      ['miners', 'show', '--miners-file', minersFile],
      ['slots', 'show'],
      ['tasks', 'stats'],
      ['config', 'check'],
    ];
    const cases: Case[] = [
      { name: 'node -e 0 (the floor: Node starting and exiting)', argv: ['-e', '0'] },
      ...commands.map((args) => ({
        name: `evalpool ${args
          .slice(0, 2)
          .filter((a) => !a.includes('/'))
          .join(' ')}`,
        argv: [CLI, ...args],
        sourcesArgv: ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args],
      })),
    ];

    // Rounds, each running every case once, so that the floor and the commands meet the same load.
    const times = cases.map(() => [] as number[]);
    const loads: number[] = [];
    for (const c of cases) timeOnce(c.argv, env); // warm the page cache
    for (let round = 0; round < runs; round++) {
      loads.push(os.loadavg()[0]!);
      cases.forEach((c, i) => times[i]!.push(timeOnce(c.argv, env)));
    }
    assertDistFresh('after the runs');
    const baselines = cases.map((c) => {
      if (!c.sourcesArgv) return undefined;
      timeOnce(c.sourcesArgv, env); // warm tsx's transform cache
      return median(Array.from({ length: runs }, () => timeOnce(c.sourcesArgv!, env)));
    });

    const floor = median(times[0]!);
    const load = `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${os.cpus().length} cores`;
    return cases.map((c, i): BenchResult => {
      const value = median(times[i]!);
      const common = { name: `${c.name} (median wall time of ${runs})`, value, unit: 'ms' };
      if (i === 0) return { ...common, notes: `${load}; the commands' rounds ran it next to them` };
      return {
        ...common,
        baseline: baselines[i],
        target: `<= ${TARGET_MS} ms`,
        ok: value <= TARGET_MS,
        notes: `${Math.round(value - floor)} ms above node -e 0; compiled dist/ (${built ? 'fresh' : 'rebuilt for this run'}) through bin/evalpool.js; baseline: the sources through tsx; ${load}`,
      };
    });
  } finally {
    await database.drop();
    await rm(minersFile, { force: true });
    const redis = createRedis(ctx.redisUrl, 'command', testLogger());
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
  }
}
