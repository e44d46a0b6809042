// The host side of the container contract against plain HTTP servers on 127.0.0.1 standing in
// for a container: every failure has its kind (no engine needed).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContainerError, type ContainerErrorKind } from '../../../src/envs/container/container-error.ts';
import { ContainerHttp } from '../../../src/envs/container/container-http.ts';
import type { EvaluateKwargs } from '../../../src/envs/container/contract.ts';
import { stallLoop } from '../../helpers/stall-loop.ts';
import { type Handler, refusedPort, startTestServer, type TestServer } from '../../miners/test-server.ts';

const kwargs: EvaluateKwargs = {
  task_id: 1,
  base_url: 'http://127.0.0.1:9',
  env_id: 'container/x-v1',
  max_timesteps: 10,
  action_timeout: 0.5,
  use_images: false,
  timeout: 5,
  episode_id: 'episode-1',
};
const GOOD = JSON.stringify({ status: 'success', result: { success: true, score: 1, extra: { timesteps: 4, total_reward: 2 } } });

describe('ContainerHttp', () => {
  const http = new ContainerHttp({ maxResponseBytes: 4_096 });
  const servers: TestServer[] = [];
  const serve = async (handler: Handler): Promise<number> => {
    const server = await startTestServer(handler);
    servers.push(server);
    return server.port;
  };
  const kindOf = async (promise: Promise<unknown>): Promise<ContainerErrorKind> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof ContainerError, String(error));
      return error.kind;
    }
    assert.fail('expected a ContainerError');
  };
  let good = 0;
  before(async () => {
    good = await serve((request, response, body) => {
      if (request.url === '/health') return void response.end('{"status":"ok"}');
      const call = JSON.parse(body) as { method: string; args: unknown[]; kwargs: EvaluateKwargs };
      assert.deepEqual(call, { method: 'evaluate', args: [], kwargs });
      response.setHeader('content-type', 'application/json');
      response.end(GOOD);
    });
  });
  after(async () => {
    await http.close();
    for (const server of servers) await server.close();
  });

  test('a healthy container and a contract answer', async () => {
    await http.health(good, 1_000);
    assert.deepEqual(await http.evaluate(good, kwargs, 1_000), { success: true, score: 1, extra: { timesteps: 4, total_reward: 2 } });
  });

  test('each failure has its kind', async () => {
    const status = await serve((_q, r) => {
      r.statusCode = 500;
      r.end('Traceback: boom');
    });
    assert.equal(await kindOf(http.evaluate(status, kwargs, 1_000)), 'http_status');
    const notJson = await serve((_q, r) => r.end('<html>'));
    assert.equal(await kindOf(http.evaluate(notJson, kwargs, 1_000)), 'unparseable');
    const wrongShape = await serve((_q, r) => r.end('{"status":"success","result":{"success":"yes"}}'));
    assert.equal(await kindOf(http.evaluate(wrongShape, kwargs, 1_000)), 'unparseable');
    const huge = await serve((_q, r) =>
      r.end(JSON.stringify({ status: 'success', result: { success: true, score: 1, error: 'x'.repeat(10_000) } })),
    );
    assert.equal(await kindOf(http.evaluate(huge, kwargs, 1_000)), 'too_large');
    const silent = await serve(() => undefined);
    assert.equal(await kindOf(http.evaluate(silent, kwargs, 200)), 'overrun');
    // The same timeout firing after this process stalled past it is the worker's, not the container's.
    const stalled = http.evaluate(silent, kwargs, 200);
    stallLoop(700);
    assert.equal(await kindOf(stalled), 'worker_stalled');
    const dropped = await serve((request) => request.socket.destroy());
    assert.equal(await kindOf(http.evaluate(dropped, kwargs, 1_000)), 'connection_lost');
    assert.equal(await kindOf(http.evaluate(await refusedPort(), kwargs, 1_000)), 'unreachable');
    const unwell = await serve((_q, r) => r.end('{"status":"starting"}'));
    assert.equal(await kindOf(http.health(unwell, 1_000)), 'unhealthy');
  });

  test('the caller’s signal aborts a call', async () => {
    const silent = await serve(() => undefined);
    const controller = new AbortController();
    const call = http.evaluate(silent, kwargs, 10_000, controller.signal);
    setTimeout(() => controller.abort(), 50);
    assert.equal(await kindOf(call), 'aborted');
    assert.equal(await kindOf(http.evaluate(good, kwargs, 1_000, controller.signal)), 'aborted');
  });
});
