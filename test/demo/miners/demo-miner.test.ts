import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { request } from 'undici';
import { SLOTS_MAX_DEFAULT } from '../../../src/config/constants.ts';
import type { DemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { parseMisbehaviour } from '../../../src/demo/miners/misbehaviour.ts';
import { proprioObservation } from '../../../src/envs/policy-contract.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const miners: DemoMiner[] = [];
after(() => Promise.all(miners.map((m) => m.close())));

async function start(options: Parameters<typeof startDemoMiner>[0]): Promise<DemoMiner> {
  const miner = await startDemoMiner(options);
  miners.push(miner);
  return miner;
}

async function post(miner: DemoMiner, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await request(`${miner.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: response.statusCode, json: await response.body.json() };
}

const reachObservation = proprioObservation({ joint_pos: [0, 0], joint_vel: [0, 0], tip_pos: [0.27, 0], target_pos: [0, 0.2] });
const resetBody = { task_config: { env_id: 'mujoco/reach-v1', env_name: 'mujoco', task_name: 'reach-v1', seed: 1, task_id: 1 } };

void describe('demo miner', () => {
  void test('listens on 127.0.0.1 on a free port and answers the contract', async () => {
    const miner = await start({ policy: 'expert' });
    assert.match(miner.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(miner.port > 0);
    const health = await request(`${miner.url}/health`);
    assert.deepEqual(await health.body.json(), { status: 'ok', policy: 'expert', max_concurrent_episodes: SLOTS_MAX_DEFAULT });
    assert.equal((await post(miner, '/reset', resetBody)).status, 200);
    assert.equal(miner.lastEnvId, 'mujoco/reach-v1');
    const act = await post(miner, '/act', { obs: reachObservation });
    assert.equal(act.status, 200);
    const torque = (act.json as { action: { continuous: { joint_torque: number[] } } }).action.continuous.joint_torque;
    assert.equal(torque.length, 2);
    assert.deepEqual(miner.counts, { reset: 1, act: 1 });
  });

  void test('recognises the env from the observation, whatever the last /reset was', async () => {
    const miner = await start({ policy: 'random' });
    await post(miner, '/reset', { task_config: { ...resetBody.task_config, env_id: 'mujoco/balance-v1' } });
    const act = await post(miner, '/act', { obs: reachObservation });
    assert.ok('joint_torque' in (act.json as { action: { continuous: object } }).action.continuous);
  });

  void test('keys its state by episode id (body field or header) and declares its concurrency', async () => {
    const miner = await start({ policy: 'expert', maxConcurrentEpisodes: 3 });
    assert.equal(
      ((await (await request(`${miner.url}/health`)).body.json()) as { max_concurrent_episodes: number }).max_concurrent_episodes,
      3,
    );
    assert.equal((await post(miner, '/reset', { ...resetBody, episode_id: 'ep-reach' })).status, 200);
    const balance = { task_config: { ...resetBody.task_config, env_id: 'mujoco/balance-v1', task_name: 'balance-v1' } };
    const byHeader = await request(`${miner.url}/reset`, {
      method: 'POST',
      body: JSON.stringify(balance),
      headers: { 'content-type': 'application/json', 'x-episode-id': 'ep-balance' },
    });
    assert.equal(byHeader.statusCode, 200);
    await byHeader.body.dump();
    assert.equal(miner.envOf('ep-reach'), 'mujoco/reach-v1');
    assert.equal(miner.envOf('ep-balance'), 'mujoco/balance-v1');
    // The episode decides the env, not the last /reset (balance) nor a guess from the observation.
    const act = await post(miner, '/act', { obs: reachObservation, episode_id: 'ep-reach' });
    assert.ok('joint_torque' in (act.json as { action: { continuous: object } }).action.continuous);
    const unknown = await post(miner, '/act', { obs: reachObservation, episode_id: 'ep-never-reset' });
    assert.equal(unknown.status, 400);
    assert.match((unknown.json as { error: string }).error, /no \/reset for episode "ep-never-reset"/);
    // Like the subnet's template: unknown top-level fields are ignored, extra keys inside obs are not.
    assert.equal((await post(miner, '/act', { obs: reachObservation, episode_id: 'ep-reach', trace: 1 })).status, 200);
    const extraInObs = await post(miner, '/act', { obs: { ...reachObservation, episode_id: 'ep-reach' } });
    assert.equal(extraInObs.status, 400);
    assert.match((extraInObs.json as { error: string }).error, /obs\.episode_id/);
  });

  void test('rejects bad requests and unknown envs with 400 and a reason', async () => {
    const miner = await start({ policy: 'expert' });
    const bad = await post(miner, '/reset', { task_config: { env_id: 'mujoco/reach-v1' } });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /task_config\.env_name/);
    const unknown = await post(miner, '/reset', { task_config: { ...resetBody.task_config, env_id: 'mujoco/fly-v1' } });
    assert.equal(unknown.status, 400);
    assert.match((unknown.json as { error: string }).error, /no policy for env "mujoco\/fly-v1"/);
    assert.equal((await post(miner, '/act', { obs: { proprio: {} } })).status, 400);
  });

  void test('misbehaviour can be changed at runtime, by method or by POST /_control', async () => {
    const miner = await start({ policy: 'expert', misbehaviour: { mode: 'error500', on: 'reset' } });
    assert.equal((await post(miner, '/reset', resetBody)).status, 500);
    assert.equal((await post(miner, '/act', { obs: reachObservation })).status, 200, 'only /reset misbehaves');
    miner.setMisbehaviour({ mode: 'error429' });
    assert.equal((await post(miner, '/act', { obs: reachObservation })).status, 429);
    assert.deepEqual((await post(miner, '/_control', { mode: 'none' })).json, { misbehaviour: parseMisbehaviour({ mode: 'none' }) });
    assert.equal((await post(miner, '/reset', resetBody)).status, 200);
    const invalid = await post(miner, '/_control', { mode: 'explode' });
    assert.equal(invalid.status, 400);
    assert.match((invalid.json as { error: string }).error, /mode/);
  });

  void test('close releases hanging requests and is idempotent', async () => {
    const miner = await start({ policy: 'expert', misbehaviour: { mode: 'hang' } });
    const hanging = request(`${miner.url}/act`, { method: 'POST', body: '{}' }).then(
      async (r) => {
        await r.body.dump();
        return r.statusCode;
      },
      () => 'dropped' as const,
    );
    // The handler counts the request in the same tick as it starts hanging.
    await waitFor('the /act to hang', () => miner.counts.act === 1);
    await Promise.all([miner.close(), miner.close()]);
    // close() drops every connection in the same tick as it releases the handler, before its 503 is written.
    assert.equal(await hanging, 'dropped');
    await assert.rejects(request(`${miner.url}/act`, { method: 'POST', body: '{}' }), 'a closed miner accepts no request');
  });

  void test('a taken port is an error, not a hang', async () => {
    const first = await start({ policy: 'expert' });
    await assert.rejects(startDemoMiner({ policy: 'expert', port: first.port }), /EADDRINUSE/);
  });

  void test('misbehaviour options are validated', () => {
    assert.throws(() => parseMisbehaviour({ mode: 'slow', delayMs: -1 }), /delayMs/);
    assert.deepEqual(parseMisbehaviour({ mode: 'slow' }), {
      mode: 'slow',
      on: 'all',
      delayMs: 1_000,
      hugeBytes: 2_097_152,
      fraction: 0.15,
      decline: 'error500',
      dropAtAct: 3,
      salt: 0,
    });
    assert.throws(() => parseMisbehaviour({ mode: 'selective', fraction: 1.5 }), /fraction/);
    assert.throws(() => parseMisbehaviour({ mode: 'selective', decline: 'hang' }), /decline/);
  });
});
