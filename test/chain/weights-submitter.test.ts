import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Bytes, type Struct, TypeRegistry, type u64 } from '@polkadot/types';
import type { Extrinsic } from '@polkadot/types/interfaces';
import { blake2AsU8a, encodeAddress, signatureVerify } from '@polkadot/util-crypto';
import { assertSignableExtensions } from '../../src/chain/signed-extensions.ts';
import { SubtensorConnection } from '../../src/chain/subtensor-connection.ts';
import { QUICKNET, timelockDecrypt } from '../../src/chain/timelock.ts';
import { loadValidatorKeypair } from '../../src/chain/validator-seed.ts';
import {
  CommitRevealEnabledError,
  HotkeyNotRegisteredError,
  WeightsRejectedError,
  WeightsSubmitter,
} from '../../src/chain/weights-submitter.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { FakeSubtensorNode } from './fake-subtensor-provider.ts';
import { loadSubtensorMetadata } from './fixture-path.ts';
import { testBeacon } from './test-beacon.ts';

const fixture = loadSubtensorMetadata();
const NETUID = 11;
const others = Array.from({ length: 4 }, (_, i) => encodeAddress(new Uint8Array(32).fill(0x40 + i), 42));

const beacon = testBeacon();
/** Wall-clock seconds the commit tests run at (fixed: the reveal round depends on it). */
const NOW_SECONDS = QUICKNET.genesisSeconds + 9_000_000;

async function setup(options: { commitReveal?: boolean; commitRevealVersion?: number; register?: boolean } = {}) {
  const pair = await loadValidatorKeypair({ seed: '//Validator' });
  const node = new FakeSubtensorNode(fixture.bytes!);
  node.addSubnet(NETUID, options.register === false ? others : [...others, pair.address], {
    commitReveal: options.commitReveal ?? false,
    commitRevealVersion: options.commitRevealVersion,
    versionKey: 4_242,
    tempo: 100,
    revealPeriodEpochs: 2,
  });
  const { logger, lines: records } = capturingLogger();
  const connection = new SubtensorConnection({ createProvider: () => node.provider(), label: 'ws://fake-node', logger });
  const submitter = new WeightsSubmitter({
    connection,
    netuid: NETUID,
    pair,
    logger,
    callTimeoutMs: 2_000,
    inclusionTimeoutMs: 5_000,
    nowSeconds: () => NOW_SECONDS,
    beaconPublicKey: beacon.publicKey,
  });
  return { pair, node, connection, submitter, records };
}

describe('weights submitter (offline, real metadata)', { skip: fixture.skip }, () => {
  test("the runtime's unknown signed extensions are empty, so polkadot-js can sign for it", async () => {
    const { connection } = await setup();
    try {
      const api = await connection.api();
      assert.deepEqual(assertSignableExtensions(api.registry).sort(), [
        'DrandPriority',
        'SubtensorTransactionExtension',
        'SudoTransactionExtension',
      ]);
    } finally {
      await connection.close();
    }
  });

  test('builds and signs set_weights offline: args, version key, nonce, mortality and a valid signature', async () => {
    const { pair, node, connection, submitter } = await setup();
    try {
      const prepared = await submitter.prepare({ uids: [3, 0, 2], values: [30_000, 20_000, 15_535] });
      assert.deepEqual(prepared.uids, [0, 2, 3], 'ordered by uid');
      assert.deepEqual(prepared.values, [20_000, 15_535, 30_000]);
      assert.equal(prepared.versionKey, 4_242n);
      assert.equal(prepared.nonce, node.nonce);
      assert.equal(prepared.block, node.bestNumber);
      assert.equal(prepared.signer, pair.address);
      assert.equal(prepared.length, (prepared.hex.length - 2) / 2);
      assert.deepEqual(node.submitted, [], 'a prepared extrinsic is not sent');

      const api = await connection.api();
      const decoded = api.createType<Extrinsic>('Extrinsic', prepared.hex);
      assert.equal(decoded.isSigned, true);
      assert.equal(`${decoded.method.section}.${decoded.method.method}`, 'subtensorModule.setWeights');
      assert.deepEqual(
        decoded.method.args.map((arg) => arg.toJSON()),
        [NETUID, [0, 2, 3], [20_000, 15_535, 30_000], 4_242],
      );
      assert.equal(decoded.signer.toString(), pair.address);
      assert.equal(decoded.nonce.toNumber(), node.nonce);
      assert.equal(decoded.era.isMortalEra, true);

      // Re-create the signed payload from the chain's view and check the signature over it.
      const payload = api
        .createType(
          'ExtrinsicPayload',
          {
            method: decoded.method.toHex(),
            era: decoded.era,
            nonce: decoded.nonce,
            tip: decoded.tip,
            mode: 0,
            specVersion: api.runtimeVersion.specVersion,
            transactionVersion: api.runtimeVersion.transactionVersion,
            genesisHash: api.genesisHash,
            blockHash: api.createType('Header', await api.rpc.chain.getHeader()).hash,
            metadataHash: null,
          },
          { version: 4 },
        )
        .toU8a({ method: true });
      const message = payload.length > 256 ? blake2AsU8a(payload) : payload;
      assert.equal(signatureVerify(message, decoded.signature.toU8a(), pair.address).isValid, true);
    } finally {
      await connection.close();
    }
  });

  test('submits and waits for inclusion; a module error in the block is reported by name', async () => {
    const { node, connection, submitter, records } = await setup();
    try {
      const blockHash = await submitter.submit(await submitter.prepare({ uids: [0], values: [65_535] }));
      assert.equal(node.submitted.length, 1);
      assert.match(blockHash, /^0x[0-9a-f]{64}$/);
      assert.ok(records.some((r) => r.msg === 'weights set on chain'));

      node.failNextWith = { pallet: 'SubtensorModule', error: 'SettingWeightsTooFast' };
      node.nonce += 1;
      const again = await submitter.prepare({ uids: [0], values: [65_535] });
      await assert.rejects(
        submitter.submit(again),
        (error: unknown) => error instanceof WeightsRejectedError && /subtensorModule\.SettingWeightsTooFast/.test(error.message),
      );
    } finally {
      await connection.close();
    }
  });

  test("reads the cadence from the chain: best block, WeightsSetRateLimit, ActivityCutoff and the uid's LastUpdate", async () => {
    const { node, connection, submitter } = await setup();
    try {
      assert.deepEqual(await submitter.cadence(), { block: node.bestNumber, rateLimit: 0, activityCutoff: 5_000, lastUpdate: null });
      node.addSubnet(NETUID, [...others, (await loadValidatorKeypair({ seed: '//Validator' })).address], {
        weightsSetRateLimit: 100,
        activityCutoff: 1_200,
      });
      node.setLastUpdate(NETUID, [5, 6, 7, 8, 3_990]); // the validator is uid 4
      node.advance();
      assert.deepEqual(await submitter.cadence(), { block: node.bestNumber, rateLimit: 100, activityCutoff: 1_200, lastUpdate: 3_990 });
    } finally {
      await connection.close();
    }
  });

  test('commit-reveal on (v4): signs commit_timelocked_weights, which decodes against the real metadata and whose commit the beacon signature of its round opens to the payload the pallet decodes', async () => {
    const { pair, node, connection, submitter, records } = await setup({ commitReveal: true });
    try {
      const prepared = await submitter.prepare({ uids: [3, 0], values: [45_535, 20_000] });
      assert.equal(prepared.call, 'commit_timelocked_weights');
      // tempo 100, netuid 11: epoch(b) = (b + 12) / 101; block 4000 is in epoch 39, the reveal
      // epoch (2 later) starts at 41 × 101 − 12 = 4129, 129 blocks (+3) ahead.
      const expectedRound = BigInt(Math.floor((NOW_SECONDS + 132 * 12 - QUICKNET.genesisSeconds) / 3));
      assert.equal(node.bestNumber, 4_000);
      assert.deepEqual(prepared.commit && { round: prepared.commit.revealRound, version: prepared.commit.version }, {
        round: expectedRound,
        version: 4,
      });

      const api = await connection.api();
      const decoded = api.createType<Extrinsic>('Extrinsic', prepared.hex);
      assert.equal(`${decoded.method.section}.${decoded.method.method}`, 'subtensorModule.commitTimelockedWeights');
      assert.equal(decoded.signer.toString(), pair.address);
      assert.equal(decoded.encodedLength, prepared.length);
      const [netuid, commit, round, version] = decoded.method.args;
      assert.deepEqual([netuid!.toJSON(), (round as u64).toBigInt(), version!.toJSON()], [NETUID, expectedRound, 4]);
      const commitBytes = (commit as Bytes).toU8a(true);
      assert.equal(commitBytes.length, prepared.commit!.bytes);

      const plaintext = timelockDecrypt(commitBytes, beacon.sign(expectedRound));
      const registry = new TypeRegistry();
      registry.register({ WeightsTlockPayload: { hotkey: 'Vec<u8>', uids: 'Vec<u16>', values: 'Vec<u16>', version_key: 'u64' } });
      const payload = registry.createType<Struct>('WeightsTlockPayload', plaintext);
      assert.equal(payload.encodedLength, plaintext.length);
      assert.equal(
        registry.createType('AccountId32', (payload.get('hotkey') as Bytes).toU8a(true)).toString(),
        pair.address,
        'the hotkey the pallet compares with the committer',
      );
      assert.deepEqual(
        [payload.get('uids')!.toJSON(), payload.get('values')!.toJSON(), (payload.get('version_key') as u64).toNumber()],
        [[0, 3], [20_000, 45_535], 4_242],
      );
      assert.throws(() => timelockDecrypt(commitBytes, beacon.sign(expectedRound - 1n)), /does not open/, 'not before its round');

      await submitter.submit(prepared);
      assert.equal(node.submitted.length, 1);
      assert.ok(records.some((r) => r.msg === 'weights committed on chain (timelocked)'));
    } finally {
      await connection.close();
    }
  });

  test('commit-reveal on with a version this client does not build: refuses, naming both versions', async () => {
    const { node, connection, submitter } = await setup({ commitReveal: true, commitRevealVersion: 5 });
    try {
      await assert.rejects(
        submitter.prepare({ uids: [0], values: [65_535] }),
        (error: unknown) =>
          error instanceof CommitRevealEnabledError &&
          error.message.startsWith(
            `commit-reveal is on for netuid ${NETUID}: plain set_weights would be refused, and the chain's CommitRevealWeightsVersion is 5, while this client builds version 4 commits only`,
          ),
      );
      assert.deepEqual(node.submitted, []);
    } finally {
      await connection.close();
    }
  });

  test('an unregistered hotkey, an unknown subnet and out-of-range uids are refused before signing', async () => {
    const unregistered = await setup({ register: false });
    try {
      await assert.rejects(unregistered.submitter.prepare({ uids: [0], values: [1] }), HotkeyNotRegisteredError);
    } finally {
      await unregistered.connection.close();
    }
    const { connection, submitter, pair } = await setup();
    try {
      await assert.rejects(submitter.prepare({ uids: [0, 9], values: [1, 2] }), /uids 9 are not on netuid 11 \(it has 5 neurons\)/);
      const elsewhere = new WeightsSubmitter({ connection, netuid: 12, pair, logger: capturingLogger().logger });
      await assert.rejects(elsewhere.prepare({ uids: [0], values: [1] }), /subnet 12 does not exist/);
    } finally {
      await connection.close();
    }
  });
});
