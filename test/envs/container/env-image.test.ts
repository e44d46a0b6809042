// evalpool's own env image (containers/env-mujoco/) as affinetes' client and the subnet's
// executor call it: started with AFFINETES_PORT only, /methods, list_environments, and an
// `evaluate` with the executor's kwargs (no `timeout`, `seed`, `model`), on the real engine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { freePort } from '../../../src/envs/container/free-port.ts';
import { requireEngineAndImage, SKIP_CONTAINER_TESTS, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../../helpers/container-engine.ts';
import { waitFor } from '../../helpers/wait-for.ts';

describe("evalpool's env image, called the affinetes way (real engine)", { skip: SKIP_CONTAINER_TESTS }, () => {
  let engine: DockerEngine;
  let miner: DemoMiner;
  let id: string | undefined;
  let base = '';
  const call = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    await requireEngineAndImage();
    engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    miner = await startDemoMiner({ policy: 'expert' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // AFFINETES_PORT only, as affinetes starts its images.
    id = await engine.run({
      image: TEST_ENV_IMAGE,
      name: `evalpool-test-env-image-${process.pid}`,
      labels: { 'evalpool.test-env-image': 'true' },
      env: [`AFFINETES_PORT=${port}`],
      stopGraceSeconds: 1,
    });
    await waitFor(
      'the image to answer on AFFINETES_PORT',
      async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok === true,
      60_000,
    );
  });

  after(async () => {
    if (id !== undefined) await engine.remove(id).catch(() => undefined);
    engine?.close();
    await miner?.close();
  });

  test('GET /methods lists evaluate and list_environments; list_environments answers', async () => {
    const methods = (await (await fetch(`${base}/methods`)).json()) as { methods: { name: string }[] };
    assert.deepEqual(methods.methods.map((m) => m.name).sort(), ['evaluate', 'list_environments']);
    const listed = await call({ method: 'list_environments' });
    assert.equal(listed.status, 200);
    assert.equal(listed.json.status, 'success');
    assert.ok((listed.json.result as string[]).includes('mujoco/reach-v1'));
  });

  test("the executor's call: no timeout, a model and a seed; the Actors' defaults fill the rest", async () => {
    const kwargs = {
      task_id: 5,
      seed: 5,
      model: 'miner-3',
      base_url: miner.url,
      env_id: 'metaworld/reach-v1',
      max_timesteps: 200,
      action_timeout: 5,
      use_images: true,
    };
    const answer = await call({ method: 'evaluate', args: [], kwargs });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const result = answer.json.result as { success: boolean; extra: { timesteps: number } };
    assert.equal(result.success, true, JSON.stringify(result));
    assert.ok(result.extra.timesteps > 0);
    const bare = await call({ method: 'evaluate', kwargs: { base_url: miner.url } });
    assert.equal(bare.status, 422);
    assert.match(String(bare.json.detail), /task_id/);
  });
});
