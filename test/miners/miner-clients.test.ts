import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { proprioObservation } from '../../src/envs/policy-contract.ts';
import { MinerClients } from '../../src/miners/miner-clients.ts';
import { answerAction, startTestServer } from './test-server.ts';

const EPISODE = 'episode-1';

void describe('MinerClients', () => {
  const clock = { now: 0 };
  const clients = new MinerClients({ idleMs: 1_000, breaker: { failureThreshold: 1, baseCooldownMs: 10_000 }, now: () => clock.now });
  after(() => clients.close());

  void test('reuses one client and breaker per endpoint', () => {
    const a = clients.get('http://127.0.0.1:1');
    const b = clients.get('http://127.0.0.1:1');
    const c = clients.get('http://127.0.0.1:2');
    assert.equal(a.client, b.client);
    assert.equal(a.breaker, b.breaker);
    assert.notEqual(a.client, c.client);
    assert.equal(clients.breaker('http://127.0.0.1:1'), a.breaker);
  });

  void test('the sweep closes idle clients, keeps busy ones, and keeps open breakers', async () => {
    const server = await startTestServer(answerAction);
    after(() => server.close());
    clock.now = 10_000;
    const busy = clients.get(server.url);
    await busy.client.act(EPISODE, proprioObservation({ a: [1] }));
    const dead = clients.get('http://127.0.0.1:3');
    dead.breaker.tryAcquire()!.failure();
    assert.equal(dead.breaker.state, 'open');
    clock.now = 10_500;
    assert.equal(await clients.sweep(), 2, 'the clients of :1 and :2 were idle since time 0');
    assert.equal(clients.size, 2);
    clock.now = 11_000;
    assert.equal(await clients.sweep(), 2);
    assert.equal(busy.client.closed, true);
    assert.equal(dead.client.closed, true);
    assert.equal(clients.breaker('http://127.0.0.1:3'), dead.breaker, 'an open breaker outlives its client');
    assert.notEqual(clients.get(server.url).client, busy.client, 'a new client after the sweep');
  });

  void test('close is idempotent and get refuses afterwards', async () => {
    const local = new MinerClients();
    local.start();
    local.start();
    const { client } = local.get('http://127.0.0.1:4');
    await Promise.all([local.close(), local.close()]);
    assert.equal(client.closed, true);
    assert.throws(() => local.get('http://127.0.0.1:4'), /closed/);
  });
});
