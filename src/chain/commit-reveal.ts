/**
 * Subtensor's commit-reveal of weights (version 4): the validator commits its weights encrypted
 * to a future drand Quicknet round with `commit_timelocked_weights(netuid, commit, reveal_round,
 * commit_reveal_version)`; at the start of the reveal epoch the chain decrypts every commit with
 * that round's beacon signature (`Drand.Pulses`) and sets the weights itself. What is encrypted is
 * the SCALE encoding of the pallet's `WeightsTlockPayload { hotkey: Vec<u8> (the SCALE-encoded
 * AccountId32), uids: Vec<u16>, values: Vec<u16>, version_key: u64 }`; the chain checks that the
 * hotkey is the committer's.
 */
import { compactToU8a, u8aConcat } from '@polkadot/util';
import { QUICKNET, timelockEncrypt } from './timelock.ts';

/** The commit-reveal version this client builds; the chain refuses any other (`IncorrectCommitRevealVersion`). */
export const SUPPORTED_COMMIT_REVEAL_VERSION = 4;

/** Blocks after the first block of the reveal epoch at which the pulse should be on chain (bittensor's margin). */
const SECURITY_BLOCK_OFFSET = 3;

function u16le(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >> 8) & 0xff]);
}

function u64le(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

function u16Vec(values: readonly number[]): Uint8Array {
  return u8aConcat(compactToU8a(values.length), ...values.map(u16le));
}

/** SCALE encoding of `WeightsTlockPayload` for `hotkey` (its 32-byte public key). */
export function encodeWeightsPayload(
  hotkey: Uint8Array,
  uids: readonly number[],
  values: readonly number[],
  versionKey: bigint,
): Uint8Array {
  if (hotkey.length !== 32) throw new RangeError(`a hotkey is 32 bytes, got ${hotkey.length}`);
  if (uids.length !== values.length) throw new RangeError('uids and values differ in length');
  // hotkey: Vec<u8> holding AccountId32::encode(), i.e. the 32 raw bytes.
  return u8aConcat(compactToU8a(32), hotkey, u16Vec(uids), u16Vec(values), u64le(versionKey));
}

/** What the reveal round depends on. */
export interface RevealRoundInput {
  readonly currentBlock: number;
  readonly netuid: number;
  readonly tempo: number;
  /** `RevealPeriodEpochs(netuid)`. */
  readonly revealPeriodEpochs: number;
  /** Wall-clock time now, in seconds since the epoch (the drand round is a function of time). */
  readonly nowSeconds: number;
  /** Seconds per block (12 on subtensor). */
  readonly blockTimeSeconds: number;
}

/**
 * The drand round to encrypt to: the one emitted just before the chain reaches the first block of
 * the reveal epoch (+3 blocks of margin), so that its pulse is on chain when the pallet reveals.
 * Epochs follow the pallet: `epoch(b) = (b + netuid + 1) / (tempo + 1)`; the round is rounded
 * down so that it is never one the chain has not ingested yet (as bittensor's client does).
 */
export function revealRound(input: RevealRoundInput): bigint {
  const { currentBlock, netuid, tempo, revealPeriodEpochs, nowSeconds, blockTimeSeconds } = input;
  const tempoPlusOne = tempo + 1;
  const netuidPlusOne = netuid + 1;
  const currentEpoch = Math.floor((currentBlock + netuidPlusOne) / tempoPlusOne);
  const firstRevealBlock = Math.max(0, (currentEpoch + revealPeriodEpochs) * tempoPlusOne - netuidPlusOne);
  const blocksUntil = Math.max(0, firstRevealBlock + SECURITY_BLOCK_OFFSET - currentBlock);
  const target = nowSeconds + blocksUntil * blockTimeSeconds;
  const round = Math.floor((target - QUICKNET.genesisSeconds) / QUICKNET.periodSeconds);
  return BigInt(Math.max(1, round));
}

/** The `commit` argument of `commit_timelocked_weights` and its round. */
export interface TimelockedCommit {
  readonly commit: Uint8Array;
  readonly revealRound: bigint;
}

/** Encrypts the weights payload to `round` (Quicknet's key unless `publicKeyHex` is given, for tests). */
export function buildTimelockedCommit(payload: Uint8Array, round: bigint, publicKeyHex: string = QUICKNET.publicKey): TimelockedCommit {
  return { commit: timelockEncrypt(payload, round, publicKeyHex), revealRound: round };
}
