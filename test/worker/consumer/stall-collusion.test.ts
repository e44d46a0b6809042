// Collusion against the stall rule (a deadline that fires after this process's own loop stalled
// is the worker's, never scored). Colluding miners share a real task worker (BullMQ, Postgres, the
// MuJoCo evaluator and its miner clients) with a late miner: whenever the late miner receives an /act, the colluders drip huge (but valid)
// answers and complete them together just before its deadline, so that parsing them stalls the
// worker's loop across that deadline. The late miner must still get its scored failures, never a
// worker_error release, even with the response limit at the highest an operator may set. The
// honest side of the rule (a real SIGSTOP never scores an honest miner) is worker-stall.test.ts.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { MINER_MAX_RESPONSE_BYTES_LIMIT } from '../../../src/config/constants.ts';
import type { Config } from '../../../src/config/schema.ts';
import { builtInEvaluators, registryEvaluator } from '../../../src/worker/evaluation/evaluators.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { startTestServer, type TestServer } from '../../miners/test-server.ts';
import { attemptRows, resultRows, startWorker, type WorkerHarness } from '../harness.ts';

const database = useTestDatabase();
const redis = useTestRedis();
const ENV = 'mujoco/reach-v1';
/** The action timeout under test: room for a loaded machine, and the window the colluders aim at. */
const ACTION_MS = 1_500;
/** The colluders complete their answers this long before the late miner's deadline. */
const LEAD_MS = 300;
const LATE_TASKS = 4;
const COLLUDERS = 3;
/** Each colluder's episodes: one ends at each strike (its huge answer is refused). */
const COLLUDER_TASKS = LATE_TASKS;

let config: Config;
let queues: TestQueues;
let worker: WorkerHarness | undefined;
let stopEvaluators: (() => Promise<void>) | undefined;
const servers: TestServer[] = [];
const held: ServerResponse[] = [];

before(() => {
  config = testConfig({
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_RESULT_FLUSH_MS: '5',
    EVALPOOL_ACTION_TIMEOUT_MS: String(ACTION_MS),
    EVALPOOL_LOCK_DURATION_MS: '60000',
    EVALPOOL_TASK_ATTEMPTS: '3',
    EVALPOOL_TASK_BACKOFF_MS: '20',
  });
  queues = TestQueues.open(config);
});

after(async () => {
  await worker?.stop();
  await stopEvaluators?.();
  for (const response of held) response.destroy();
  for (const server of servers) await server.close();
  await queues.close();
});

const VALID = { joint_torque: [0, 0] };
const small = JSON.stringify({ action: { continuous: VALID } });

/**
 * A valid action whose `extra` holds ~`bytes` of small keys: the costliest answer to parse and
 * validate per byte (1 MiB costs the worker's loop most of a second). The key lengths keep the JSON
 * just under `bytes`.
 */
function hugeAction(bytes: number): string {
  const head = `{"action":{"continuous":${JSON.stringify(VALID)},"extra":{`;
  const keys: string[] = [];
  let size = head.length + 3;
  for (let i = 0; size + 12 < bytes; i++) {
    const key = `"${i.toString(36).padStart(6, '0')}":0`;
    keys.push(key);
    size += key.length + 1;
  }
  return `${head}${keys.join(',')}}}}`;
}

interface Colluder {
  readonly server: TestServer;
  /** Hold the next /act and drip a huge answer into it, completed at `at` (performance.now()). */
  strike(at: number): void;
  readonly hugeSent: number;
}

async function colluder(body: string): Promise<Colluder> {
  let strikeAt: number | undefined;
  let hugeSent = 0;
  const answerHuge = (response: ServerResponse, at: number): void => {
    response.writeHead(200, { 'content-type': 'application/json' });
    // Slow drip: all but the last bytes go out early, in 64 KiB pieces; the last byte at `at`.
    const cut = body.length - 1;
    for (let offset = 0; offset < cut; offset += 65_536) response.write(body.slice(offset, Math.min(cut, offset + 65_536)));
    held.push(response);
    setTimeout(
      () => {
        hugeSent++;
        response.end(body.slice(cut));
      },
      Math.max(0, at - performance.now()),
    );
  };
  const server = await startTestServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/reset') return response.end('{}');
    const at = strikeAt;
    strikeAt = undefined;
    if (at !== undefined) return answerHuge(response, at);
    response.setHeader('content-type', 'application/json');
    response.end(small);
  });
  servers.push(server);
  return {
    server,
    strike: (at) => {
      strikeAt ??= at;
    },
    get hugeSent() {
      return hugeSent;
    },
  };
}

test('colluders stalling the worker with huge answers timed on a late miner’s deadline: its timeouts stay scored failures', async (t) => {
  // The most the old limit took in (the highest an operator may still set).
  const body = hugeAction(MINER_MAX_RESPONSE_BYTES_LIMIT);
  const colluders = await Promise.all(Array.from({ length: COLLUDERS }, () => colluder(body)));
  let lateActs = 0;
  // The late miner: accepts every task, never answers an /act, and calls in the colluders.
  const late = await startTestServer((request, response) => {
    if (request.url === '/reset') return response.end('{}');
    lateActs++;
    held.push(response);
    const at = performance.now() + ACTION_MS - LEAD_MS;
    for (const c of colluders) c.strike(at);
  });
  servers.push(late);

  const evaluators = builtInEvaluators(config, testLogger());
  stopEvaluators = () => evaluators.stop();
  worker = await startWorker(config, database.db, registryEvaluator(evaluators.registry).evaluator, {
    envs: [ENV],
    concurrency: COLLUDERS * COLLUDER_TASKS + LATE_TASKS,
    workerId: 'collusion',
  });
  // The colluders' episodes first, so that they are under way (asking for actions) when the late
  // miner's /act comes.
  for (const [i, c] of colluders.entries()) {
    for (let t = 0; t < COLLUDER_TASKS; t++)
      await queues.add(makeTask({ env: ENV, hotkey: `5Colluder${i}`, task_id: t, endpoint: c.server.url }));
  }
  await waitFor('every colluder asked for actions', () => colluders.every((c) => c.server.requests.length >= 3 * COLLUDER_TASKS), 120_000);
  for (let i = 0; i < LATE_TASKS; i++) await queues.add(makeTask({ env: ENV, hotkey: '5Late', task_id: 100 + i, endpoint: late.url }));

  await waitFor(
    'a result for every task of the late miner',
    async () => (await resultRows(database.db, '5Late')).length === LATE_TASKS,
    300_000,
    250,
  );
  const attempts = await attemptRows(database.db, '5Late');
  t.diagnostic(
    `late miner: ${lateActs} /act; huge answers sent: ${colluders.map((c) => c.hugeSent).join(', ')}; attempts: ${JSON.stringify(attempts.map((a) => `${a.error_class}: ${a.error_message ?? ''}`))}`,
  );
  // The strikes happened: the colluders' 1 MiB answers were refused as over the limit (scored).
  for (let i = 0; i < COLLUDERS; i++) {
    const rows = await attemptRows(database.db, `5Colluder${i}`);
    t.diagnostic(`colluder ${i}: ${JSON.stringify(rows.map((a) => `${a.error_class}: ${a.error_message ?? ''}`))}`);
    assert.ok(colluders[i]!.hugeSent >= 1);
    assert.ok(
      rows.some((a) => a.error_class === 'failure' && /over the \d+-byte limit/.test(a.error_message ?? '')),
      `colluder ${i} struck`,
    );
  }
  assert.deepEqual(
    attempts.map((a) => [a.task_id, a.attempt, a.error_class]),
    Array.from({ length: LATE_TASKS }, (_, i) => [100 + i, 1, 'failure']),
    'one scored failure per task, never a worker_error',
  );
  for (const a of attempts) assert.match(a.error_message ?? '', new RegExp(`no complete response within ${ACTION_MS} ms`));
});
