import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { createApp } from '../../../src/api/app.ts';
import type { Config } from '../../../src/config/schema.ts';
import { poolKeys } from '../../../src/pool/pool-keys.ts';
import { sharedPoolStats } from '../../../src/pool/shared-pool-stats.ts';
import { createMetrics, Registry } from '../../../src/runtime/metrics.ts';
import { closeRedis, createRedis } from '../../../src/runtime/redis.ts';
import { apiReaders } from '../../../src/service/api-readers.ts';
import { serveMetricsSources } from '../../../src/service/metrics-sources.ts';
import { parsePrometheusText, valueOf } from '../../helpers/prometheus-text.ts';
import { type CliProcess, runCli, spawnCli } from '../../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { getJson } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const ENV = 'noop/registry';
const HEARTBEAT_MS = 200;
const database = useTestDatabase();
const redis = useTestRedis();
let config: Config;
let queues: TestQueues;
let probe: Redis;
let app: Hono;
const processes: CliProcess[] = [];

interface WorkersBody {
  workers: {
    id: string;
    state: string;
    envs: string[];
    pid: number;
    version: string;
    heartbeat_ms: number;
    episodes: Record<string, number>;
    in_flight: number;
  }[];
  counts: Record<string, number>;
  envs_without_consumer: { env_id: string; pending: number; last_consumed_by: string[] }[] | null;
  warning: string | null;
}

// Built in the first test: the database of `useTestDatabase` exists only once its hook ran.
async function setUp(): Promise<void> {
  if (app) return;
  config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix, EVALPOOL_DATABASE_URL: database.url });
  queues = TestQueues.open(config);
  probe = createRedis(config.storage.redisUrl, 'probe', testLogger());
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const poolStats = sharedPoolStats({ redis: probe, prefix: redis.prefix, db: database.db, defaultSlots: config.slots.default }, 0);
  app = createApp({
    config,
    db: database.db,
    redisProbe: probe,
    logger: testLogger(),
    readers: apiReaders(config, probe, poolStats),
    metrics,
    metricsSources: serveMetricsSources(metrics, database.db, poolStats, { redis: probe, prefix: redis.prefix }),
  });
  // What admission does when the scheduler first adds to a queue.
  await redis.redis.sadd(poolKeys(redis.prefix).queues, ENV);
}

after(async () => {
  for (const p of processes) await p.kill();
  await queues?.close();
  if (probe) await closeRedis(probe);
});

function startWorker(): CliProcess {
  const cli = spawnCli(['worker', '--envs', ENV, '--concurrency', '2'], {
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_WORKER_ID: 'victim',
    EVALPOOL_WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS),
    EVALPOOL_LOCK_DURATION_MS: '1000',
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    EVALPOOL_RESULT_FLUSH_MS: '5',
  });
  processes.push(cli);
  return cli;
}

const workers = async () => (await getJson<WorkersBody>(app, '/v1/workers')).body;
const victim = (body: WorkersBody) => body.workers.find((w) => w.id === 'victim');
const cli = (args: string[] = []) => runCli(['workers', ...args], { EVALPOOL_QUEUE_PREFIX: redis.prefix, EVALPOOL_LOG_LEVEL: 'warn' });

test('kill -9 of a worker: /v1/workers, /v1/status, /metrics and `evalpool workers` show it gone and name the env nobody consumes; restarted, it is live again', async () => {
  await setUp();
  const first = startWorker();
  await first.waitForLog((l) => l.msg === 'evalpool worker is running', 120_000);
  const live = await waitFor('the worker to show live', async () => {
    const body = await workers();
    return victim(body)?.state === 'live' && body;
  });
  const announced = victim(live)!;
  assert.equal(announced.pid, first.child.pid);
  assert.deepEqual(announced.envs, [ENV]);
  assert.equal(announced.heartbeat_ms, HEARTBEAT_MS);
  assert.match(announced.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(live.envs_without_consumer, []);
  assert.equal(live.warning, null);

  // It reports its episodes by class.
  await queues.add(makeTask({ env: ENV, hotkey: '5Registry' }));
  await waitFor('the episode in its heartbeat', async () => victim(await workers())?.episodes.success === 1);

  first.child.kill('SIGKILL');
  assert.equal(await first.exited(), 'SIGKILL');
  const waiting = makeTask({ env: ENV, hotkey: '5Registry' });
  await queues.add(waiting);

  const gone = await waitFor('the killed worker to show gone', async () => {
    const body = await workers();
    return victim(body)?.state === 'gone' && body.envs_without_consumer?.length === 1 && body;
  });
  assert.deepEqual(gone.envs_without_consumer, [{ env_id: ENV, pending: 1, last_consumed_by: ['victim'] }]);
  assert.match(gone.warning ?? '', new RegExp(`no live worker consumes ${ENV} \\(1 pending; last consumed by victim\\)`));
  assert.equal(gone.counts.live, 0);

  const status = (await getJson<{ warnings: string[]; workers: { live: number; gone: number } }>(app, '/v1/status')).body;
  assert.ok(
    status.warnings.some((w) => w.includes(`no live worker consumes ${ENV}`)),
    JSON.stringify(status.warnings),
  );
  assert.equal(status.workers.gone, 1);

  const metrics = parsePrometheusText(await (await app.request('/metrics')).text());
  assert.equal(valueOf(metrics, 'evalpool_workers_live', { env: ENV }), 0);
  assert.equal(valueOf(metrics, 'evalpool_workers', { state: 'gone' }), 1);
  assert.ok(valueOf(metrics, 'evalpool_worker_last_seen_seconds', { worker: 'victim' }) >= 0);

  const table = await cli();
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^victim\s+gone\s/m);
  assert.match(table.stdout, /warning: pending tasks wait and no live worker consumes their environment:/);
  assert.match(table.stdout, new RegExp(`^  ${ENV}: 1 pending, last consumed by victim$`, 'm'));
  for (const line of table.stdout.split('\n')) assert.ok(line.length <= 100, `wider than 100 columns: ${line}`);
  const json = JSON.parse((await cli(['--json'])).stdout) as WorkersBody;
  assert.equal(victim(json)?.state, 'gone');
  assert.deepEqual(json.envs_without_consumer, [{ env_id: ENV, pending: 1, last_consumed_by: ['victim'] }]);

  const second = startWorker();
  await second.waitForLog((l) => l.msg === 'evalpool worker is running', 120_000);
  await waitFor('the restarted worker to show live and take the waiting task', async () => {
    const body = await workers();
    return victim(body)?.state === 'live' && victim(body)?.pid === second.child.pid && body.envs_without_consumer?.length === 0;
  });
  await waitFor('the waiting task to be done', async () => (await queues.getJob(waiting)) === undefined);
  const again = await cli();
  assert.match(again.stdout, /^victim\s+live\s/m);
  assert.doesNotMatch(again.stdout, /warning:/);
  const metricsAgain = parsePrometheusText(await (await app.request('/metrics')).text());
  assert.equal(valueOf(metricsAgain, 'evalpool_workers_live', { env: ENV }), 1);

  // A clean stop shows gone at once (no waiting for the heartbeat to expire).
  second.child.kill('SIGTERM');
  assert.equal(await second.exited(), 0);
  assert.equal(victim(await workers())?.state, 'gone');
});

test('GET /v1/workers?state= is validated', async () => {
  await setUp();
  const bad = await getJson<{ error: string; detail: string }>(app, '/v1/workers?state=dead');
  assert.equal(bad.status, 400);
  assert.match(bad.body.detail, /state must be one of live, stale, gone, got "dead"/);
  const ok = await getJson<WorkersBody>(app, '/v1/workers?state=live');
  assert.equal(ok.status, 200);
  assert.ok(ok.body.workers.every((w) => w.state === 'live'));
});
