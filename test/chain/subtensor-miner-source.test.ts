import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import { parseBackendPrivateKey } from '../../src/chain/backend-key.ts';
import { encryptDeploymentId } from '../../src/chain/endpoint-crypto.ts';
import { SubtensorMinerSource, type SubtensorMinerSourceOptions } from '../../src/chain/subtensor-miner-source.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { FakeSubtensorNode } from './fake-subtensor-provider.ts';
import { loadSubtensorMetadata } from './fixture-path.ts';

const fixture = loadSubtensorMetadata();
const NETUID = 7;
const KEY = parseBackendPrivateKey('11'.repeat(32), 'test');
const UUID = '95edf2b6-e18b-400a-8398-5573df10e5e4';
const UUID2 = '0a0b0c0d-0000-4000-8000-000000000000';
const hotkeys = Array.from({ length: 8 }, (_, i) => encodeAddress(new Uint8Array(32).fill(i + 1), 42));

/**
 * Limits with room for a loaded machine, where the fake node's answers can take seconds; the
 * tests of a silent node set a short one (it never answers, so the outcome does not depend on
 * the machine's speed).
 */
const ROOMY_MS = 20_000;

function source(node: FakeSubtensorNode, extra: Partial<SubtensorMinerSourceOptions> = {}) {
  const log = capturingLogger();
  const options: SubtensorMinerSourceOptions = {
    createProvider: () => node.provider(),
    label: 'ws://fake-node',
    netuid: NETUID,
    logger: log.logger,
    backendKey: KEY.privateKey,
    callTimeoutMs: ROOMY_MS,
    connectTimeoutMs: ROOMY_MS,
    ...extra,
  };
  return { source: new SubtensorMinerSource(options), records: log.lines };
}

function subnet(bytes: Uint8Array): FakeSubtensorNode {
  const node = new FakeSubtensorNode(bytes);
  node.addSubnet(NETUID, hotkeys);
  node.setCommitment(NETUID, hotkeys[0]!, 120, [{ raw: `org/policy:1a2b3c4d:${UUID}` }]);
  node.setCommitment(NETUID, hotkeys[1]!, 130, [{ raw: 'https://miner-1.example.org/' }]);
  node.setCommitment(NETUID, hotkeys[2]!, 140, [{ raw: `org/policy:5e6f7a8b:e:${encryptDeploymentId(UUID2, KEY.publicKey)}` }]);
  node.setCommitment(NETUID, hotkeys[3]!, 150, [{ raw: 'not a commitment' }]);
  // hotkeys[4]: no commitment (a validator)
  node.setCommitment(NETUID, hotkeys[5]!, 160, [{ sha256: `0x${'ab'.repeat(32)}` }]);
  node.setCommitment(NETUID, hotkeys[6]!, 170, [
    { raw: 'org/policy:1a2b3c4d:e:' },
    { raw: encryptDeploymentId(UUID, parseBackendPrivateKey('33'.repeat(32), 'x').publicKey) },
  ]);
  node.setCommitment(NETUID, hotkeys[7]!, 180, [{ raw: 'https://miner-7' }, { raw: '.example.org' }]);
  return node;
}

describe('subtensor miner source (offline, real metadata)', { skip: fixture.skip }, () => {
  const bytes = fixture.bytes!;

  test('reads neurons, commitments of all three forms and the best block; excludes bad commitments with a reason', async () => {
    const node = subnet(bytes);
    const { source: src, records } = source(node);
    try {
      const snapshot = await src.refresh();
      assert.equal(snapshot.source, 'subtensor');
      assert.equal(snapshot.block, node.bestNumber);
      assert.equal(snapshot.stale, undefined);
      assert.deepEqual(
        snapshot.miners.map((m) => [m.uid, m.hotkey, m.endpoint, m.form, m.committed_block]),
        [
          [0, hotkeys[0], `https://${UUID}.deployments.basilica.ai`, 'deployment', 120],
          [1, hotkeys[1], 'https://miner-1.example.org', 'url', 130],
          [2, hotkeys[2], `https://${UUID2}.deployments.basilica.ai`, 'encrypted', 140],
          [7, hotkeys[7], 'https://miner-7.example.org', 'url', 180],
        ],
      );
      assert.match(snapshot.miners[2]!.revision, /^5e6f7a8b-[0-9a-f]{12}$/);
      assert.deepEqual(
        snapshot.excluded.map((e) => [e.uid, e.reason.split(':')[0]]),
        [
          [3, 'bad_form'],
          [5, 'bad_form'],
          [6, 'decrypt_failed'],
        ],
      );
      assert.match(snapshot.excluded[1]!.reason, /no raw data in the commitment \(field kinds: Sha256\)/);
      const logged = records.filter((r) => r.msg === 'miner excluded: unusable commitment');
      assert.deepEqual(
        logged.map((r) => r.uid),
        [3, 5, 6],
      );

      node.advance(3);
      const again = await src.refresh();
      assert.equal(again.block, snapshot.block + 3);
      assert.equal(records.filter((r) => r.msg === 'miner excluded: unusable commitment').length, 3, 'an unchanged reason is logged once');
    } finally {
      await src.close();
    }
  });

  test('a new commitment for a hotkey is a new revision; a deregistered hotkey disappears', async () => {
    const node = subnet(bytes);
    const { source: src } = source(node);
    try {
      const before = await src.refresh();
      node.setCommitment(NETUID, hotkeys[0]!, 200, [{ raw: `org/policy:1a2b3c4d:${UUID2}` }]);
      node.setStorage('subtensorModule', 'subnetworkN', [NETUID], node.encode('u16', 2));
      const after = await src.refresh();
      assert.deepEqual(
        after.miners.map((m) => m.uid),
        [0, 1],
      );
      assert.notEqual(after.miners[0]!.revision, before.miners[0]!.revision);
      assert.equal(after.miners[0]!.committed_block, 200);
    } finally {
      await src.close();
    }
  });

  test('a node that stops answering: the last miners are kept and marked stale, then it recovers', async () => {
    const node = subnet(bytes);
    let now = 1_000_000;
    const { source: src, records } = source(node, { now: () => now, reconnectMinMs: 5_000, reconnectMaxMs: 60_000, callTimeoutMs: 300 });
    try {
      const good = await src.refresh();
      node.silent = true;
      now += 12_000;
      const stale = await src.refresh();
      assert.deepEqual(stale.miners, good.miners);
      assert.equal(stale.block, good.block);
      assert.ok(stale.stale);
      assert.match(stale.stale.error, /chain_getHeader did not answer within 300 ms/);
      assert.equal(stale.stale.since.getTime(), now);

      now += 1_000; // inside the backoff: no new connection attempt
      const waiting = await src.refresh();
      assert.match(waiting.stale?.error ?? '', /next connection attempt in \d+ s/);
      assert.equal(waiting.stale?.since.getTime(), stale.stale.since.getTime());

      node.silent = false;
      now += 60_000;
      const healed = await src.refresh();
      assert.equal(healed.stale, undefined);
      assert.deepEqual(healed.miners, good.miners);
      assert.ok(records.some((r) => r.msg === 'subtensor reads work again'));
    } finally {
      await src.close();
    }
  });

  test('the first refresh fails clearly when nothing is known yet', async () => {
    const node = subnet(bytes);
    node.silent = true;
    const { source: src } = source(node, { connectTimeoutMs: 300 });
    try {
      await assert.rejects(
        src.refresh(),
        /cannot read miners from subtensor ws:\/\/fake-node: cannot connect to subtensor ws:\/\/fake-node: connecting to subtensor ws:\/\/fake-node did not answer within 300 ms/,
      );
    } finally {
      await src.close();
    }
  });

  test('an unknown subnet is an error, not an empty pool', async () => {
    const node = subnet(bytes);
    const { source: src } = source(node, { netuid: 99 });
    try {
      await assert.rejects(src.refresh(), /subnet 99 does not exist at block 4000/);
    } finally {
      await src.close();
    }
  });

  test('concurrent refreshes share one read', async () => {
    const node = subnet(bytes);
    const { source: src } = source(node);
    try {
      await src.refresh();
      node.advance(1);
      const before = node.calls.filter((m) => m === 'chain_getHeader').length;
      const [a, b] = await Promise.all([src.refresh(), src.refresh()]);
      assert.equal(a, b);
      assert.equal(
        node.calls.filter((m) => m === 'chain_getHeader').length - before,
        2,
        "one read: the best header, and the new block's header for api.at",
      );
    } finally {
      await src.close();
    }
  });

  test('close is idempotent and aborts a refresh in progress', async () => {
    const node = subnet(bytes);
    const { source: src } = source(node, { callTimeoutMs: 60_000 });
    await src.refresh();
    node.silent = true;
    const pending = src.refresh();
    await src.close();
    await src.close();
    await assert.rejects(pending, /closed/);
    await assert.rejects(src.refresh(), /closed/);
  });
});
