/**
 * The storage reads of the subtensor miner source, all at one block so that neurons and
 * commitments agree.
 *
 * Neurons come from storage (`SubtensorModule.SubnetworkN` then `SubtensorModule.Keys` for uids
 * 0..N-1), not from `NeuronInfoRuntimeApi.get_neurons_lite`: the runtime API returns stake, bonds
 * and axon data for every neuron (far more bytes than uid → hotkey) and its result types change
 * between runtimes, while these two storage items are plain maps whose keys are built from the
 * metadata, read with a bounded number of `state_queryStorageAt` calls (≤ 250 keys each).
 */
import type { ApiPromise } from '@polkadot/api';
import type { ApiDecoration, QueryableStorageEntry } from '@polkadot/api/types';
import type { Bytes, bool, Enum, Option, Struct, U8aFixed, u16, u32, Vec } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { CommitmentError } from './commitment-error.ts';
import { withTimeout } from './with-timeout.ts';

/** A neuron of the subnet. */
export interface Neuron {
  readonly uid: number;
  readonly hotkey: string;
}

/** A commitment as stored: its text and the block it was made at. */
export interface StoredCommitment {
  readonly block: number;
  /** The concatenated raw fields, or the reason they are not usable text. */
  readonly text: string | CommitmentError;
}

/** Per-call limits shared by the reads. */
export interface ReadLimits {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

type At = ApiDecoration<'promise'>;

const RAW_FIELD = /^Raw\d+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A storage item of the runtime at hand, or a clear error when this runtime does not have it. */
export function storageItem(at: At, pallet: string, item: string): QueryableStorageEntry<'promise'> {
  const entry = at.query[pallet]?.[item];
  if (entry === undefined) throw new Error(`this runtime has no storage item ${pallet}.${item}: is the endpoint a subtensor node?`);
  return entry;
}

/** The best block's number and hash. */
export async function readBestBlock(api: ApiPromise, limits: ReadLimits): Promise<{ number: number; hash: string }> {
  const header = await withTimeout(api.rpc.chain.getHeader(), limits.timeoutMs, 'chain_getHeader', limits.signal);
  return { number: header.number.toNumber(), hash: header.hash.toHex() };
}

/** The API decorated at `hash` (metadata of that block, storage read at that block). */
export function atBlock(api: ApiPromise, hash: string, limits: ReadLimits): Promise<At> {
  return withTimeout(api.at(hash), limits.timeoutMs, `state at block ${hash}`, limits.signal);
}

/** True when the subnet exists. */
export async function subnetExists(at: At, netuid: number, limits: ReadLimits): Promise<boolean> {
  const added = await withTimeout(
    storageItem(at, 'subtensorModule', 'networksAdded')<bool>(netuid),
    limits.timeoutMs,
    'SubtensorModule.NetworksAdded',
    limits.signal,
  );
  return added.isTrue;
}

/** The subnet's neurons (uid → hotkey as SS58), ordered by uid. */
export async function readNeurons(at: At, netuid: number, limits: ReadLimits): Promise<Neuron[]> {
  const count = await withTimeout(
    storageItem(at, 'subtensorModule', 'subnetworkN')<u16>(netuid),
    limits.timeoutMs,
    'SubtensorModule.SubnetworkN',
    limits.signal,
  );
  const uids = Array.from({ length: count.toNumber() }, (_, uid) => uid);
  if (uids.length === 0) return [];
  const keys = await withTimeout(
    storageItem(at, 'subtensorModule', 'keys').multi<Codec>(uids.map((uid) => [netuid, uid])),
    limits.timeoutMs,
    'SubtensorModule.Keys',
    limits.signal,
  );
  // A uid below N always has a key; an all-zero account would be a hole, not a neuron.
  return keys.flatMap((key, uid) => (key.isEmpty ? [] : [{ uid, hotkey: key.toString() }]));
}

/** Joins the Raw (and BigRaw) data fields of a commitment into UTF-8 text; other kinds are ignored. */
function commitmentFieldsText(fields: Vec<Enum>): string | CommitmentError {
  const chunks: Uint8Array[] = [];
  for (const field of fields) {
    if (RAW_FIELD.test(field.type)) chunks.push((field.value as U8aFixed).toU8a());
    else if (field.type === 'BigRaw') chunks.push((field.value as Bytes).toU8a(true));
  }
  if (chunks.length === 0) {
    const kinds = fields.map((field) => field.type).join(', ') || 'none';
    return new CommitmentError('bad_form', `no raw data in the commitment (field kinds: ${kinds})`);
  }
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    return new CommitmentError('bad_form', 'commitment data is not valid UTF-8');
  }
}

/** `Commitments.CommitmentOf` for each hotkey (undefined where there is none), in input order. */
export async function readCommitments(
  at: At,
  netuid: number,
  hotkeys: readonly string[],
  limits: ReadLimits,
): Promise<(StoredCommitment | undefined)[]> {
  if (hotkeys.length === 0) return [];
  const entries = await withTimeout(
    storageItem(at, 'commitments', 'commitmentOf').multi<Option<Struct>>(hotkeys.map((hotkey) => [netuid, hotkey])),
    limits.timeoutMs,
    'Commitments.CommitmentOf',
    limits.signal,
  );
  return entries.map((entry) => {
    if (entry.isNone) return undefined;
    const registration = entry.unwrap();
    const info = registration.get('info') as Struct;
    return { block: (registration.get('block') as u32).toNumber(), text: commitmentFieldsText(info.get('fields') as Vec<Enum>) };
  });
}
