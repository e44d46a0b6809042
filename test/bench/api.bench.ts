/**
 * `GET /v1/weights/latest` under load: a real `evalpool serve` API (its own process, see
 * `api-bench-server.ts`; with the HTTP metrics middleware, as serve runs it) on loopback, answering from its in-memory copy of weights for 256
 * miners, driven by autocannon from this process. Target (docs/design.md): ≥ 10,000 req/s and
 * p99 ≤ 10 ms on the project's 2-core machines, where the server and the load generator share
 * those two cores.
 */
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { insertWeights } from '../../src/db/tables/weights.ts';
import { computeScores } from '../../src/scoring/compute-scores.ts';
import { spawnEntry } from '../helpers/spawn-cli.ts';
import { testScoringParams } from '../helpers/test-config.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { benchInput } from './weights.bench.ts';

const SERVER = fileURLToPath(new URL('./api-bench-server.ts', import.meta.url));
/** Concurrent clients of the measured run (far more than the validators of a subnet poll with). */
const CONNECTIONS = 16;
/** A heavier, informative run: queueing on two shared cores dominates its tail latency. */
const STRESS_CONNECTIONS = 64;
const FULL_SECONDS = 10;
const WARMUP_SECONDS = 2;
const TARGET_RPS = 10_000;
const TARGET_P99_MS = 10;
/**
 * The limit of the run with the rate limiter on: the highest `EVALPOOL_RATE_LIMIT_PER_MINUTE`
 * allows, far above what one loopback client reaches, so that every request pays the limiter's
 * bookkeeping and none is refused.
 */
const LIMITER_ON_PER_MINUTE = 10_000_000;

function load(url: string, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, pipelining: 1, duration: seconds });
}

/** Starts the API process and resolves with its URL. */
async function startServer(databaseUrl: string, redisUrl: string, rateLimitPerMinute = 0) {
  const cli = spawnEntry(SERVER, [databaseUrl, redisUrl, String(rateLimitPerMinute)]);
  const url = String((await cli.waitForLog((line) => typeof line.url === 'string')).url);
  return {
    url,
    async stop() {
      cli.child.kill('SIGTERM');
      await cli.exited();
    },
  };
}

/** Measures requests/s and p99 latency of `GET /v1/weights/latest` for `10·scale` s (at least 2 s). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const bench = await createBenchDatabase(ctx.postgresUrl, 'api');
  try {
    // Realistic weights: the bench population of 256 miners, as the weights task would store it.
    const report = computeScores(benchInput(256), testScoringParams());
    await insertWeights(bench.db, {
      blockNumber: 4_000_000,
      weights: Object.fromEntries(report.miners.map((m) => [String(m.uid), m.weight])),
      weightsU16: report.weightsU16!,
      metadata: { scheme: 'first-commit-subsets', n_miners_evaluated: report.miners.length, n_environments: report.envs.length },
    });
    const limited = await measureWithLimiter(bench.url, ctx);
    const server = await startServer(bench.url, ctx.redisUrl);
    try {
      const target = `${server.url}/v1/weights/latest`;
      const probe = await fetch(target);
      const bytes = (await probe.text()).length;
      if (probe.status !== 200) throw new Error(`GET /v1/weights/latest answered ${probe.status}`);
      await load(target, WARMUP_SECONDS, CONNECTIONS);
      const seconds = Math.max(2, Math.round(FULL_SECONDS * ctx.scale));
      const result = await load(target, seconds, CONNECTIONS);
      const stress = await load(target, seconds, STRESS_CONNECTIONS);
      const bad = result.non2xx + result.errors + result.timeouts;
      const notes = `${CONNECTIONS} connections, ${seconds} s after a ${WARMUP_SECONDS} s warm-up; ${bytes}-byte body (256 miners); ${bad} non-2xx/errors; server and autocannon share the machine`;
      const stressNotes = `${STRESS_CONNECTIONS} connections, ${seconds} s; ${stress.non2xx + stress.errors + stress.timeouts} non-2xx/errors; informative`;
      const rps = result.requests.average;
      const p99 = result.latency.p99;
      return [
        {
          name: 'GET /v1/weights/latest throughput',
          value: rps,
          unit: 'req/s',
          target: `>= ${TARGET_RPS} req/s`,
          ok: rps >= TARGET_RPS && bad === 0,
          notes,
        },
        {
          name: 'GET /v1/weights/latest latency p99',
          value: p99,
          unit: 'ms',
          target: `<= ${TARGET_P99_MS} ms`,
          ok: p99 <= TARGET_P99_MS,
          notes,
        },
        { name: 'GET /v1/weights/latest latency median', value: result.latency.p50, unit: 'ms', notes },
        {
          name: `GET /v1/weights/latest throughput (${STRESS_CONNECTIONS} connections)`,
          value: stress.requests.average,
          unit: 'req/s',
          notes: stressNotes,
        },
        {
          name: `GET /v1/weights/latest latency p99 (${STRESS_CONNECTIONS} connections)`,
          value: stress.latency.p99,
          unit: 'ms',
          notes: stressNotes,
        },
        ...limited,
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await bench.drop();
  }
}

/**
 * The same load with the per-IP rate limiter on (a separate server process, limit never reached):
 * the limiter is O(1) per request and must keep the route above its target.
 */
async function measureWithLimiter(databaseUrl: string, ctx: BenchContext): Promise<BenchResult[]> {
  const server = await startServer(databaseUrl, ctx.redisUrl, LIMITER_ON_PER_MINUTE);
  try {
    const target = `${server.url}/v1/weights/latest`;
    await load(target, WARMUP_SECONDS, CONNECTIONS);
    const seconds = Math.max(2, Math.round(FULL_SECONDS * ctx.scale));
    const result = await load(target, seconds, CONNECTIONS);
    const bad = result.non2xx + result.errors + result.timeouts;
    const notes = `rate limiter on (EVALPOOL_RATE_LIMIT_PER_MINUTE=${LIMITER_ON_PER_MINUTE}, never reached); ${CONNECTIONS} connections, ${seconds} s after a ${WARMUP_SECONDS} s warm-up; ${bad} non-2xx/errors`;
    return [
      {
        name: 'GET /v1/weights/latest throughput, rate limiter on',
        value: result.requests.average,
        unit: 'req/s',
        target: `>= ${TARGET_RPS} req/s`,
        ok: result.requests.average >= TARGET_RPS && bad === 0,
        notes,
      },
      {
        name: 'GET /v1/weights/latest latency p99, rate limiter on',
        value: result.latency.p99,
        unit: 'ms',
        target: `<= ${TARGET_P99_MS} ms`,
        ok: result.latency.p99 <= TARGET_P99_MS,
        notes,
      },
    ];
  } finally {
    await server.stop();
  }
}
