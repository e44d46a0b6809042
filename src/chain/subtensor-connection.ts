import { ApiPromise, WsProvider } from '@polkadot/api';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { Logger } from 'pino';
import { CHAIN_CONNECT_TIMEOUT_MS, CHAIN_RECONNECT_MAX_MS, CHAIN_RECONNECT_MIN_MS } from '../config/constants.ts';
import { Backoff } from '../runtime/backoff.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { withTimeout } from './with-timeout.ts';

/** Settings of a {@link SubtensorConnection}. */
export interface SubtensorConnectionOptions {
  /**
   * Makes a fresh, not yet connected provider for each connection attempt: a `WsProvider` with
   * auto-connect off in production (see createWsProviderFactory), an in-process one in tests.
   */
  readonly createProvider: () => ProviderInterface;
  /** Names the node in messages (the endpoint URL, never a secret). */
  readonly label: string;
  readonly logger: Logger;
  /** Time allowed to connect and load the metadata (default {@link CHAIN_CONNECT_TIMEOUT_MS}). */
  readonly connectTimeoutMs?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Clock in ms (default `Date.now`), for the backoff. */
  readonly now?: () => number;
}

/**
 * Providers for a WebSocket endpoint (`EVALPOOL_CHAIN_ENDPOINT`), with polkadot-js's fixed-interval
 * auto-reconnect off (the connection reconnects with backoff) and its request timeout aligned
 * with ours so that abandoned requests are dropped.
 */
export function wsProviderFactory(endpoint: string, requestTimeoutMs: number): () => ProviderInterface {
  return () => new WsProvider(endpoint, false, {}, requestTimeoutMs);
}

/** The node is not reachable now; `retryInMs` says when the next attempt is allowed. */
export class ChainUnavailableError extends Error {
  override readonly name = 'ChainUnavailableError';
  constructor(
    message: string,
    readonly retryInMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * One lazily opened `ApiPromise` to a subtensor node, reopened with exponential backoff after a
 * failure. polkadot-js's own auto-reconnect retries at a fixed interval and keeps requests queued
 * forever, so it is off: the owner reports failures with {@link markBroken} and the next
 * {@link api} call reconnects once the backoff allows it (no background timers).
 */
export class SubtensorConnection {
  readonly #options: SubtensorConnectionOptions;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  #api: ApiPromise | undefined;
  #connecting: Promise<ApiPromise> | undefined;
  #lastError = '';
  #closed = false;

  constructor(options: SubtensorConnectionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#backoff = new Backoff({
      minMs: options.reconnectMinMs ?? CHAIN_RECONNECT_MIN_MS,
      maxMs: options.reconnectMaxMs ?? CHAIN_RECONNECT_MAX_MS,
    });
  }

  /** A connected, ready API; connects (or reconnects) when needed. */
  async api(signal?: AbortSignal): Promise<ApiPromise> {
    if (this.#closed) throw new Error(`subtensor connection to ${this.#options.label} is closed`);
    if (this.#connecting !== undefined) return this.#connecting;
    if (this.#api?.isConnected === true) return this.#api;
    if (this.#api !== undefined) {
      this.#options.logger.warn({ node: this.#options.label }, 'subtensor connection dropped: reconnecting');
      await this.#drop();
    }
    const waitMs = this.#backoff.waitMs(this.#now());
    if (waitMs > 0) {
      throw new ChainUnavailableError(
        `subtensor ${this.#options.label} unavailable (${this.#lastError}); next connection attempt in ${Math.ceil(waitMs / 1000)} s`,
        waitMs,
      );
    }
    this.#connecting ??= this.#connect(signal).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(signal?: AbortSignal): Promise<ApiPromise> {
    const { label, logger, connectTimeoutMs = CHAIN_CONNECT_TIMEOUT_MS } = this.#options;
    const provider = this.#options.createProvider();
    // noInitWarn: subtensor's custom signed extensions are checked by assertSignableExtensions
    // where it matters (signing), instead of a console warning on every connection.
    const api = new ApiPromise({ provider, noInitWarn: true });
    const ready = api.isReadyOrError;
    ready.catch(() => undefined);
    this.#api = api;
    try {
      await withTimeout(
        provider.connect().then(() => ready),
        connectTimeoutMs,
        `connecting to subtensor ${label}`,
        signal,
      );
    } catch (error) {
      if (signal?.aborted) {
        void this.#drop();
        throw error;
      }
      const delay = this.markBroken(error);
      throw new ChainUnavailableError(`cannot connect to subtensor ${label}: ${this.#lastError}`, delay, { cause: error });
    }
    logger.info(
      { node: label, genesis: api.genesisHash.toHex(), specVersion: api.runtimeVersion.specVersion.toNumber() },
      'connected to subtensor',
    );
    return api;
  }

  /**
   * Reports that a call on the current connection failed (timeout, dropped socket, ...): the
   * connection is closed and the next attempt waits for the backoff, whose delay is returned.
   */
  markBroken(error: unknown): number {
    this.#lastError = errorMessage(error);
    const delay = this.#backoff.fail(this.#now());
    this.#options.logger.warn(
      { node: this.#options.label, err: this.#lastError, retryInMs: delay, failures: this.#backoff.failures },
      'subtensor connection failed: reconnecting after backoff',
    );
    void this.#drop();
    return delay;
  }

  /** Reports that a full read succeeded: the backoff starts over. */
  markHealthy(): void {
    this.#backoff.succeed();
  }

  async #drop(): Promise<void> {
    const api = this.#api;
    this.#api = undefined;
    if (api === undefined) return;
    try {
      await api.disconnect();
    } catch {
      // A provider that is already gone may throw on disconnect; it is gone either way.
    }
  }

  /** Closes the connection; idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#drop();
  }
}
