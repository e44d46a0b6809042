/**
 * An in-process subtensor node for offline tests: answers the JSON-RPC calls polkadot-js makes
 * (connection setup, storage reads at a block, nonce, extrinsic submission) with SCALE encoded
 * from the real runtime metadata. Storage keys are built from that metadata the way
 * `api.query.<pallet>.<item>.key(...)` builds them, values with `createType(...).toU8a()`.
 *
 * `FakeSubtensorNode` is the chain (state, blocks, "stops answering" switch); each call to
 * `provider()` opens a new connection to it, as a `WsProvider` would.
 */
import { EventEmitter } from 'node:events';
import type {
  ProviderInterface,
  ProviderInterfaceCallback,
  ProviderInterfaceEmitCb,
  ProviderInterfaceEmitted,
} from '@polkadot/rpc-provider/types';
import { expandMetadata, Metadata, TypeRegistry } from '@polkadot/types';
import type { ChainProperties, Header } from '@polkadot/types/interfaces';
import { compactAddLength, compactStripLength, compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

/** One data field of a commitment: raw bytes (stored as `Raw<n>`), or another kind of field. */
export type FakeCommitmentField = { readonly raw: string | Uint8Array } | { readonly sha256: string } | { readonly bigRaw: Uint8Array };

const GENESIS_PARENT = `0x${'00'.repeat(32)}`;
const SPEC_VERSION = 331;
const RPC_METHODS = [
  'author_submitAndWatchExtrinsic',
  'author_unwatchExtrinsic',
  'chain_getBlock',
  'chain_getBlockHash',
  'chain_getFinalizedHead',
  'chain_getHeader',
  'chain_subscribeNewHeads',
  'rpc_methods',
  'state_call',
  'state_getMetadata',
  'state_getRuntimeVersion',
  'state_getStorage',
  'state_queryStorageAt',
  'state_subscribeRuntimeVersion',
  'state_subscribeStorage',
  'system_accountNextIndex',
  'system_chain',
  'system_health',
  'system_properties',
];

/** The fake chain: storage, blocks and behaviour switches shared by all its connections. */
export class FakeSubtensorNode {
  readonly registry = new TypeRegistry();
  readonly metadataHex: string;
  readonly #metadataBytes: Uint8Array;
  readonly #query: ReturnType<typeof expandMetadata>['query'];
  readonly #storage = new Map<string, string>();
  readonly #headers = new Map<string, Header>();
  readonly #extrinsics = new Map<string, string[]>();
  #bestHash = GENESIS_PARENT;
  /** When true, the node accepts connections but never answers a request ("stops answering"). */
  silent = false;
  /** Every method called, in order, for assertions. */
  readonly calls: string[] = [];
  /** Extrinsics submitted with `author_submitAndWatchExtrinsic`, as hex. */
  readonly submitted: string[] = [];
  /** When set, the next submitted extrinsic fails in its block with this module error. */
  failNextWith: { readonly pallet: string; readonly error: string } | undefined;
  /** Next nonce returned by `system_accountNextIndex`. */
  nonce = 7;

  constructor(metadataBytes: Uint8Array, bestBlock = 4_000) {
    const metadata = new Metadata(this.registry, metadataBytes);
    this.registry.setMetadata(metadata, undefined, undefined, true);
    this.registry.setChainProperties(
      this.registry.createType('ChainProperties', { ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }) as ChainProperties,
    );
    this.metadataHex = metadata.toHex();
    this.#metadataBytes = metadataBytes;
    this.#query = expandMetadata(this.registry, metadata).query;
    for (let n = 0; n <= bestBlock; n += bestBlock) this.#addBlock(n, []);
  }

  get genesisHash(): string {
    return this.#hashOf(0);
  }

  get bestNumber(): number {
    return this.#headers.get(this.#bestHash)!.number.toNumber();
  }

  #hashOf(number: number): string {
    for (const [hash, header] of this.#headers) if (header.number.toNumber() === number) return hash;
    throw new Error(`fake node: no block ${number}`);
  }

  #addBlock(number: number, extrinsics: string[]): string {
    const parentHash = number === 0 ? GENESIS_PARENT : this.#bestHash;
    const header = this.registry.createType<Header>('Header', {
      parentHash,
      number,
      stateRoot: blake2AsHex(`state-${number}`),
      extrinsicsRoot: blake2AsHex(`ex-${number}`),
      digest: { logs: [] },
    });
    const hash = header.hash.toHex();
    this.#headers.set(hash, header);
    this.#extrinsics.set(hash, extrinsics);
    this.#bestHash = hash;
    return hash;
  }

  /** Produces `count` empty blocks. */
  advance(count = 1): void {
    for (let i = 0; i < count; i++) this.#addBlock(this.bestNumber + 1, []);
  }

  /** Sets a storage value; the key is built from the metadata like `api.query.<pallet>.<item>.key(...args)`. */
  setStorage(pallet: string, item: string, args: readonly unknown[], value: Uint8Array | undefined): void {
    const entry = this.#query[pallet]?.[item];
    if (entry === undefined) throw new Error(`fake node: no storage item ${pallet}.${item} in the metadata`);
    const key = u8aToHex(compactStripLength(entry(...args))[1]);
    if (value === undefined) this.#storage.delete(key);
    else this.#storage.set(key, u8aToHex(value));
  }

  /** SCALE bytes of `value` as the metadata type `type`. */
  encode(type: string, value: unknown): Uint8Array {
    return this.registry.createType(type, value).toU8a();
  }

  /** A subnet with these neurons (hotkeys as SS58), plus the hyperparameters the validator reads. */
  addSubnet(
    netuid: number,
    hotkeys: readonly string[],
    options: {
      commitReveal?: boolean;
      commitRevealVersion?: number;
      versionKey?: number;
      weightsSetRateLimit?: number;
      activityCutoff?: number;
      tempo?: number;
      revealPeriodEpochs?: number;
    } = {},
  ): void {
    this.setStorage('subtensorModule', 'networksAdded', [netuid], this.encode('bool', true));
    this.setStorage('subtensorModule', 'subnetworkN', [netuid], this.encode('u16', hotkeys.length));
    this.setStorage('subtensorModule', 'commitRevealWeightsEnabled', [netuid], this.encode('bool', options.commitReveal ?? false));
    this.setStorage('subtensorModule', 'weightsVersionKey', [netuid], this.encode('u64', options.versionKey ?? 0));
    this.setStorage('subtensorModule', 'weightsSetRateLimit', [netuid], this.encode('u64', options.weightsSetRateLimit ?? 0));
    this.setStorage('subtensorModule', 'activityCutoff', [netuid], this.encode('u16', options.activityCutoff ?? 5_000));
    this.setStorage('subtensorModule', 'tempo', [netuid], this.encode('u16', options.tempo ?? 360));
    this.setStorage('subtensorModule', 'revealPeriodEpochs', [netuid], this.encode('u64', options.revealPeriodEpochs ?? 1));
    this.setStorage('subtensorModule', 'commitRevealWeightsVersion', [], this.encode('u16', options.commitRevealVersion ?? 4));
    hotkeys.forEach((hotkey, uid) => {
      this.setStorage('subtensorModule', 'keys', [netuid, uid], this.encode('AccountId32', hotkey));
      this.setStorage('subtensorModule', 'uids', [netuid, hotkey], this.encode('u16', uid));
    });
  }

  /** Stores `SubtensorModule.LastUpdate(netuid)`: the block each uid last set weights (0 = never). */
  setLastUpdate(netuid: number, blocks: readonly number[]): void {
    this.setStorage('subtensorModule', 'lastUpdate', [netuid], this.encode('Vec<u64>', blocks));
  }

  /** Stores `Commitments.CommitmentOf(netuid, hotkey)`. */
  setCommitment(netuid: number, hotkey: string, block: number, fields: readonly FakeCommitmentField[]): void {
    const encoded = fields.map((field) => {
      if ('raw' in field) {
        const bytes = typeof field.raw === 'string' ? new TextEncoder().encode(field.raw) : field.raw;
        return { [`Raw${bytes.length}`]: bytes };
      }
      if ('bigRaw' in field) return { BigRaw: field.bigRaw };
      return { Sha256: field.sha256 };
    });
    this.setStorage(
      'commitments',
      'commitmentOf',
      [netuid, hotkey],
      this.encode('PalletCommitmentsRegistration', { deposit: 0, block, info: { fields: encoded } }),
    );
  }

  #moduleError(pallet: string, error: string): { index: number; error: Uint8Array } {
    const entry = this.registry.metadata.pallets.find((p) => p.name.toString() === pallet);
    if (entry === undefined || entry.errors.isNone) throw new Error(`fake node: pallet ${pallet} has no errors`);
    const variants = this.registry.lookup.getSiType(entry.errors.unwrap().type).def.asVariant.variants;
    const variant = variants.find((v) => v.name.toString() === error);
    if (variant === undefined) throw new Error(`fake node: ${pallet} has no error ${error}`);
    return { index: entry.index.toNumber(), error: new Uint8Array([variant.index.toNumber(), 0, 0, 0]) };
  }

  /** A new connection to this node. */
  provider(): FakeSubtensorProvider {
    return new FakeSubtensorProvider(this);
  }

  #runtimeVersion(): unknown {
    return {
      specName: 'node-subtensor',
      implName: 'node-subtensor',
      authoringVersion: 1,
      specVersion: SPEC_VERSION,
      implVersion: 1,
      apis: [[blake2AsHex('Metadata', 64), 2]],
      transactionVersion: 1,
      stateVersion: 1,
    };
  }

  #header(hash: unknown): unknown {
    const header = this.#headers.get(typeof hash === 'string' ? hash : this.#bestHash);
    return header === undefined ? null : header.toJSON();
  }

  #stateCall(method: unknown, data: unknown): string {
    if (method === 'Metadata_metadata_versions') return this.registry.createType('Vec<u32>', [14, 15, 16]).toHex();
    if (method === 'Metadata_metadata_at_version' && data === u8aToHex(this.encode('u32', 16))) {
      // Option<OpaqueMetadata>: Some, then the metadata as a length-prefixed byte vector.
      return u8aToHex(u8aConcat(new Uint8Array([1]), compactAddLength(this.#metadataBytes)));
    }
    throw new Error(`fake node: state_call ${String(method)} is not implemented`);
  }

  /** Answers one request; throws for unknown methods. */
  answer(method: string, params: unknown[]): unknown {
    this.calls.push(method);
    switch (method) {
      case 'rpc_methods':
        return { methods: RPC_METHODS };
      case 'system_chain':
        return 'Bittensor';
      case 'system_properties':
        return { ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' };
      case 'system_health':
        return { peers: 3, isSyncing: false, shouldHavePeers: true };
      case 'system_accountNextIndex':
        return this.nonce;
      case 'state_getRuntimeVersion':
        return this.#runtimeVersion();
      case 'state_getMetadata':
        return this.metadataHex;
      case 'state_call':
        return this.#stateCall(params[0], params[1]);
      case 'chain_getBlockHash':
        return params[0] === undefined || params[0] === null ? this.#bestHash : this.#hashOf(Number(params[0]));
      case 'chain_getFinalizedHead':
        return this.#bestHash;
      case 'chain_getHeader':
        return this.#header(params[0]);
      case 'chain_getBlock': {
        const hash = typeof params[0] === 'string' ? params[0] : this.#bestHash;
        return { block: { header: this.#header(hash), extrinsics: this.#extrinsics.get(hash) ?? [] }, justifications: null };
      }
      case 'state_getStorage':
        return this.#storage.get(params[0] as string) ?? null;
      case 'state_queryStorageAt': {
        const keys = params[0] as string[];
        return [
          { block: (params[1] as string | undefined) ?? this.#bestHash, changes: keys.map((key) => [key, this.#storage.get(key) ?? null]) },
        ];
      }
      default:
        throw new Error(`fake node: method ${method} is not implemented`);
    }
  }

  /** Starts a subscription; `emit` delivers notifications. */
  subscribe(method: string, params: unknown[], emit: (result: unknown) => void): void {
    this.calls.push(method);
    switch (method) {
      case 'state_subscribeRuntimeVersion':
        emit(this.#runtimeVersion());
        return;
      case 'chain_subscribeNewHeads':
        emit(this.#header(undefined));
        return;
      case 'state_subscribeStorage':
        emit(this.answer('state_queryStorageAt', [params[0]])?.[0 as never]);
        return;
      case 'author_submitAndWatchExtrinsic': {
        const hex = params[0] as string;
        this.submitted.push(hex);
        emit('ready');
        const hash = this.#addBlock(this.bestNumber + 1, [hex]);
        // System.Events = [ExtrinsicSuccess at ApplyExtrinsic(0)]; the RuntimeEvent is built by
        // hand (pallet index 0 = System, then the pallet's event) as polkadot-js's Event type
        // only decodes bytes.
        const dispatchInfo = { weight: { refTime: 1, proofSize: 1 }, class: 'Normal', paysFee: 'No' };
        const outcome =
          this.failNextWith === undefined
            ? { ExtrinsicSuccess: { dispatchInfo } }
            : {
                ExtrinsicFailed: {
                  dispatchError: { Module: this.#moduleError(this.failNextWith.pallet, this.failNextWith.error) },
                  dispatchInfo,
                },
              };
        this.failNextWith = undefined;
        const record = u8aConcat(
          this.encode('FrameSystemPhase', { ApplyExtrinsic: 0 }),
          new Uint8Array([0]),
          this.encode('FrameSystemEvent', outcome),
          this.encode('Vec<H256>', []),
        );
        this.setStorage('system', 'events', [], u8aConcat(compactToU8a(1), record));
        emit({ inBlock: hash });
        return;
      }
      default:
        throw new Error(`fake node: subscription ${method} is not implemented`);
    }
  }
}

/** One connection to a {@link FakeSubtensorNode}, implementing polkadot-js's `ProviderInterface`. */
export class FakeSubtensorProvider implements ProviderInterface {
  readonly hasSubscriptions = true;
  readonly isClonable = false;
  readonly #node: FakeSubtensorNode;
  readonly #events = new EventEmitter();
  readonly #pending = new Set<(error: Error) => void>();
  #connected = false;
  #nextSubscription = 1;

  constructor(node: FakeSubtensorNode) {
    this.#node = node;
  }

  get isConnected(): boolean {
    return this.#connected;
  }

  clone(): ProviderInterface {
    throw new Error('fake provider: clone is not supported');
  }

  connect(): Promise<void> {
    this.#connected = true;
    setImmediate(() => this.#events.emit('connected'));
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    const wasConnected = this.#connected;
    this.#connected = false;
    for (const reject of this.#pending) reject(new Error('fake provider: disconnected'));
    this.#pending.clear();
    if (wasConnected) this.#events.emit('disconnected');
    return Promise.resolve();
  }

  on(type: ProviderInterfaceEmitted, sub: ProviderInterfaceEmitCb): () => void {
    this.#events.on(type, sub);
    return () => {
      this.#events.off(type, sub);
    };
  }

  // A silent node keeps the request pending until the connection is closed.
  #hang<T>(): Promise<T> {
    return new Promise<T>((_, reject) => {
      this.#pending.add(reject);
    });
  }

  send<T = unknown>(method: string, params: unknown[]): Promise<T> {
    if (!this.#connected) return Promise.reject(new Error('fake provider: not connected'));
    if (this.#node.silent) return this.#hang();
    return new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(this.#node.answer(method, params) as T);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  subscribe(_type: string, method: string, params: unknown[], cb: ProviderInterfaceCallback): Promise<number | string> {
    if (!this.#connected) return Promise.reject(new Error('fake provider: not connected'));
    if (this.#node.silent) return this.#hang();
    const id = this.#nextSubscription++;
    setImmediate(() => {
      try {
        this.#node.subscribe(method, params, (result) =>
          setImmediate(() => {
            if (this.#connected) cb(null, result);
          }),
        );
      } catch (error) {
        cb(error as Error, undefined);
      }
    });
    return Promise.resolve(id);
  }

  unsubscribe(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
