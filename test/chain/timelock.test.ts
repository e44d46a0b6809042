/**
 * The timelocked commit, checked offline three ways: against the real drand Quicknet key and its
 * published signature of round 1000; against a BLS key pair of our own (same scheme, a round we
 * sign ourselves); and against the Rust `tle` crate itself (compiled to wasm, npm
 * `@ideallabs/timelock_wasm_wrapper` 0.2.0-dev, whose ciphertext layout and decryption are those
 * of the revision subtensor pins), which decrypts our ciphertexts and whose ciphertexts we decrypt.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { initSync, tld, tle } from '@ideallabs/timelock_wasm_wrapper';
import { type Bytes, type Struct, TypeRegistry, type u64 } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { buildTimelockedCommit, encodeWeightsPayload, revealRound } from '../../src/chain/commit-reveal.ts';
import { QUICKNET, TimelockError, timelockDecrypt, timelockEncrypt } from '../../src/chain/timelock.ts';
import { testBeacon } from './test-beacon.ts';

const require = createRequire(import.meta.url);
initSync({ module: readFileSync(require.resolve('@ideallabs/timelock_wasm_wrapper/timelock_wasm_wrapper_bg.wasm')) });
const CURVE = 'bls12_381';

/** drand Quicknet's published signature of round 1000 (the tle crate's own test vector). */
const QUICKNET_ROUND_1000_SIGNATURE = Buffer.from(
  'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
  'hex',
);

const rustDecrypt = (ciphertext: Uint8Array, signature: Uint8Array): Buffer =>
  Buffer.from(tld([...ciphertext], [...signature], CURVE) as number[]);

/** The pallet's decoding of the decrypted bytes: `WeightsTlockPayload`, then the hotkey as an AccountId32. */
function palletDecode(bytes: Uint8Array) {
  const registry = new TypeRegistry();
  registry.register({ WeightsTlockPayload: { hotkey: 'Vec<u8>', uids: 'Vec<u16>', values: 'Vec<u16>', version_key: 'u64' } });
  const payload = registry.createType<Struct>('WeightsTlockPayload', bytes);
  assert.equal(payload.encodedLength, bytes.length, 'the payload decodes with nothing left over');
  const field = (name: string): Codec => payload.get(name)!;
  return {
    hotkey: Buffer.from(registry.createType('AccountId32', (field('hotkey') as Bytes).toU8a(true)).toU8a()).toString('hex'),
    uids: field('uids').toJSON(),
    values: field('values').toJSON(),
    versionKey: (field('version_key') as u64).toBigInt(),
  };
}

const hotkey = Buffer.alloc(32, 0xab);
const payload = encodeWeightsPayload(hotkey, [0, 3, 7], [20_000, 15_535, 30_000], 4_242n);

describe('timelock encryption (subtensor commit-reveal v4)', () => {
  test('the payload is the SCALE WeightsTlockPayload the pallet decodes, hotkey included', () => {
    assert.deepEqual(palletDecode(payload), {
      hotkey: hotkey.toString('hex'),
      uids: [0, 3, 7],
      values: [20_000, 15_535, 30_000],
      versionKey: 4_242n,
    });
  });

  test('encrypted to Quicknet round 1000, the real beacon signature of that round opens it, in our code and in the Rust tle crate', () => {
    const ciphertext = timelockEncrypt(payload, 1_000n);
    assert.deepEqual(timelockDecrypt(ciphertext, QUICKNET_ROUND_1000_SIGNATURE), Buffer.from(payload));
    const decrypted = rustDecrypt(ciphertext, QUICKNET_ROUND_1000_SIGNATURE);
    assert.deepEqual(decrypted, Buffer.from(payload));
    assert.deepEqual(palletDecode(decrypted).uids, [0, 3, 7]);
  });

  test("the Rust tle crate's ciphertext (same layout: U, V, W, body, suite) decrypts in our code", () => {
    const id = createHash('sha256').update(Buffer.from('00000000000003e8', 'hex')).digest();
    const rust = Buffer.from(
      tle([...id], [...payload], [...Buffer.alloc(32, 7)], [...Buffer.from(QUICKNET.publicKey, 'hex')], CURVE) as number[],
    );
    assert.equal(rust.length, timelockEncrypt(payload, 1_000n).length, 'the same serialized size');
    assert.deepEqual(timelockDecrypt(rust, QUICKNET_ROUND_1000_SIGNATURE), Buffer.from(payload));
  });

  test('with a beacon key pair of our own: the signature of the target round opens it, any other round does not', () => {
    const beacon = testBeacon();
    const round = 26_000_123n;
    const { commit, revealRound: r } = buildTimelockedCommit(payload, round, beacon.publicKey);
    assert.equal(r, round);
    assert.deepEqual(timelockDecrypt(commit, beacon.sign(round)), Buffer.from(payload));
    assert.deepEqual(rustDecrypt(commit, beacon.sign(round)), Buffer.from(payload));
    assert.throws(() => timelockDecrypt(commit, beacon.sign(round - 1n)), TimelockError);
    assert.throws(() => rustDecrypt(commit, beacon.sign(round + 1n)), /decryption has failed/);
    assert.throws(() => timelockDecrypt(commit, QUICKNET_ROUND_1000_SIGNATURE), TimelockError, 'another beacon cannot open it');
  });

  test('layout: 96-byte U, then u64-length-prefixed V (32), W (32), AES-GCM body and "AES_GCM_"', () => {
    const ciphertext = timelockEncrypt(payload, 5n);
    const at = (offset: number): bigint => ciphertext.readBigUInt64LE(offset);
    assert.equal(at(96), 32n);
    assert.equal(at(136), 32n);
    const bodyLength = Number(at(176));
    assert.equal(bodyLength, 8 + payload.length + 16 + 8 + 12);
    assert.equal(at(184), BigInt(payload.length + 16));
    assert.equal(at(184 + bodyLength), 8n);
    assert.equal(ciphertext.subarray(192 + bodyLength).toString('latin1'), 'AES_GCM_');
    assert.throws(() => timelockDecrypt(ciphertext.subarray(0, ciphertext.length - 1), QUICKNET_ROUND_1000_SIGNATURE), /truncated/);
  });

  test('the reveal round: the Quicknet round just before the first block of the reveal epoch (+3 blocks)', () => {
    // netuid 1, tempo 360: epoch(b) = (b + 2) / 361. Block 3_608 is in epoch 10; with 1 epoch to
    // wait, the reveal epoch starts at block 11 × 361 − 2 = 3_969, 361 blocks away (+3 = 364).
    const now = QUICKNET.genesisSeconds + 3_000_000;
    const round = revealRound({ currentBlock: 3_608, netuid: 1, tempo: 360, revealPeriodEpochs: 1, nowSeconds: now, blockTimeSeconds: 12 });
    assert.equal(round, BigInt(Math.floor((3_000_000 + 364 * 12) / 3)));
    const later = revealRound({ currentBlock: 3_608, netuid: 1, tempo: 360, revealPeriodEpochs: 2, nowSeconds: now, blockTimeSeconds: 12 });
    assert.equal(later - round, BigInt((361 * 12) / 3), 'one more epoch is 361 blocks of 12 s later');
  });
});
