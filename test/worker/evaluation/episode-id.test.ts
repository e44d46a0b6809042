// The miner sees one episode id per task on both paths, and it is the task uuid: the in-process
// MuJoCo evaluator and the container family (the worker passes `episode_id` to evalpool's own
// image, which would otherwise draw a random one). A recording proxy in front of a real demo
// miner checks the `X-Episode-Id` header and the body's `episode_id` of every /reset and /act.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { LABELS } from '../../../src/envs/container/container-labels.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { EPISODE_ID_HEADER } from '../../../src/miners/endpoint-contract.ts';
import { type BuiltInEvaluators, builtInEvaluators, registryEvaluator } from '../../../src/worker/evaluation/evaluators.ts';
import { requireEngineAndImage, SKIP_CONTAINER_TESTS, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../../helpers/container-engine.ts';
import { makeTask } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { testLogger } from '../../helpers/test-logger.ts';

interface Seen {
  readonly route: string;
  readonly header: string | undefined;
  readonly body: string | undefined;
}

/** Forwards every request to `target` and records the episode id it carried. */
async function recordingProxy(target: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const route = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'POST') {
        const header = req.headers[EPISODE_ID_HEADER];
        const body = (JSON.parse(text || '{}') as { episode_id?: string }).episode_id;
        seen.push({ route, header: Array.isArray(header) ? header.join(',') : header, body });
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const episode = req.headers[EPISODE_ID_HEADER];
      if (typeof episode === 'string') headers[EPISODE_ID_HEADER] = episode;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, ...(req.method === 'POST' ? { body: text } : {}) })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(await answer.text());
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the episode id the miner sees is the task uuid', () => {
  let miner: DemoMiner;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  before(async () => {
    miner = await startDemoMiner({ policy: 'expert' });
    proxy = await recordingProxy(miner.url);
  });
  after(async () => {
    await proxy?.close();
    await miner?.close();
  });

  const assertOneEpisode = (taskUuid: string): void => {
    const posts = proxy.seen.splice(0);
    assert.ok(posts.some((p) => p.route === '/reset') && posts.some((p) => p.route === '/act'), JSON.stringify(posts.slice(0, 3)));
    for (const post of posts) assert.deepEqual({ header: post.header, body: post.body }, { header: taskUuid, body: taskUuid }, post.route);
  };

  test('in-process (the built-in MuJoCo evaluator)', async () => {
    const builtIn = builtInEvaluators(testConfig({ EVALPOOL_ACTION_TIMEOUT_MS: '5000' }), testLogger());
    try {
      const task = makeTask({ env: 'mujoco/reach-v1', endpoint: proxy.url, task_id: 3 });
      const outcome = await registryEvaluator(builtIn.registry).evaluator(task, new AbortController().signal);
      assert.equal(outcome.errorClass, 'success', JSON.stringify(outcome));
      assertOneEpisode(task.task_uuid);
    } finally {
      await builtIn.stop();
    }
  });

  test("in evalpool's env image (the container family, real engine)", { skip: SKIP_CONTAINER_TESTS }, async () => {
    await requireEngineAndImage(TEST_ENV_IMAGE);
    const env = 'container/reach-v1';
    const workerId = `episode-id-${process.pid}`;
    let builtIn: BuiltInEvaluators | undefined;
    const engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    try {
      builtIn = builtInEvaluators(
        testConfig({ EVALPOOL_DOCKER_SOCKET: TEST_DOCKER_SOCKET, EVALPOOL_ACTION_TIMEOUT_MS: '5000' }),
        testLogger(),
        {
          containerEnvs: [{ envId: env, image: TEST_ENV_IMAGE, maxTimesteps: 200 }],
          workerId,
        },
      );
      await builtIn.start([env]);
      const task = makeTask({ env, endpoint: proxy.url, task_id: 3 });
      const outcome = await registryEvaluator(builtIn.registry).evaluator(task, new AbortController().signal);
      assert.equal(outcome.errorClass, 'success', JSON.stringify(outcome));
      assertOneEpisode(task.task_uuid);
    } finally {
      await builtIn?.stop();
      for (const c of await engine.list([`${LABELS.worker}=${workerId}`]).catch(() => [])) await engine.remove(c.id).catch(() => undefined);
      engine.close();
    }
  });
});
