import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import * as v from 'valibot';
import {
  MINER_ACTION_TIMEOUT_MS,
  MINER_CONNECT_TIMEOUT_MS,
  MINER_KEEP_ALIVE_TIMEOUT_MS,
  MINER_MAX_CONNECTIONS,
  MINER_MAX_RESPONSE_BYTES,
  MINER_RESET_TIMEOUT_MS,
} from '../config/constants.ts';
import type { Action, Observation, TaskConfig } from '../envs/policy-contract.ts';
import { EpisodeIdSchema } from '../envs/policy-contract.ts';
import { trackDelivery } from '../runtime/delivery-tracking.ts';
import { describeIssues } from '../runtime/describe-issues.ts';
import { errorCode } from '../runtime/error-code.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { timedAbort } from '../runtime/linked-abort.ts';
import { asPeerWork } from '../runtime/loop-stall.ts';
import { discardBody, readBodyWithin } from '../runtime/read-body.ts';
import { ActResponseSchema, EPISODE_ID_HEADER } from './endpoint-contract.ts';
import type { ConnectFailure, MinerOperation } from './errors.ts';
import { MinerRequestError } from './errors.ts';
import type { MinerApi, MinerCallOptions } from './miner-api.ts';

/** Settings of one {@link MinerClient}; every duration in milliseconds. */
export interface MinerClientOptions {
  /** The miner's base URL (`http(s)://host[:port][/prefix]`); `/reset` and `/act` go under it. */
  readonly endpoint: string;
  readonly connectTimeoutMs?: number;
  readonly resetTimeoutMs?: number;
  readonly actionTimeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly keepAliveTimeoutMs?: number;
  readonly maxConnections?: number;
  /** false: a new connection per request (`Connection: close`); for measuring what keep-alive saves. */
  readonly keepAlive?: boolean;
  /** For idle tracking; defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * The HTTP client of one miner endpoint: one keep-alive connection pool, a connect timeout, a
 * read timeout per request that covers headers and body, a response size limit enforced while
 * streaming, JSON parsing and contract validation. Every failure is a {@link MinerRequestError}.
 */
export class MinerClient implements MinerApi {
  readonly endpoint: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly resetTimeoutMs: number;
  private readonly actionTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxConnections: number;
  private readonly keepAlive: boolean;
  private readonly now: () => number;
  private closing: Promise<void> | undefined;
  private active = 0;
  private lastUsed: number;

  constructor(options: MinerClientOptions) {
    const url = parseEndpoint(options.endpoint);
    this.endpoint = options.endpoint;
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.resetTimeoutMs = options.resetTimeoutMs ?? MINER_RESET_TIMEOUT_MS;
    this.actionTimeoutMs = options.actionTimeoutMs ?? MINER_ACTION_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? MINER_MAX_RESPONSE_BYTES;
    this.maxConnections = options.maxConnections ?? MINER_MAX_CONNECTIONS;
    this.keepAlive = options.keepAlive ?? true;
    this.now = options.now ?? Date.now;
    this.lastUsed = this.now();
    this.pool = new Pool(this.origin, {
      connections: this.maxConnections,
      connect: { timeout: options.connectTimeoutMs ?? MINER_CONNECT_TIMEOUT_MS },
      keepAliveTimeout: options.keepAliveTimeoutMs ?? MINER_KEEP_ALIVE_TIMEOUT_MS,
      keepAliveMaxTimeout: options.keepAliveTimeoutMs ?? MINER_KEEP_ALIVE_TIMEOUT_MS,
    });
  }

  /** `POST /reset`: tells the miner which task starts; any 2xx will do, the body is ignored. */
  async reset(episodeId: string, taskConfig: TaskConfig, options: MinerCallOptions = {}): Promise<void> {
    await this.post(
      'reset',
      episodeId,
      { task_config: taskConfig, episode_id: episodeId },
      options.timeoutMs ?? this.resetTimeoutMs,
      options.signal,
      false,
    );
  }

  /** `POST /act`: the miner's action for an observation, validated against the contract. */
  async act(episodeId: string, observation: Observation, options: MinerCallOptions = {}): Promise<Action> {
    const json = await this.post(
      'act',
      episodeId,
      { obs: observation, episode_id: episodeId },
      options.timeoutMs ?? this.actionTimeoutMs,
      options.signal,
      true,
    );
    const parsed = asPeerWork(() => v.safeParse(ActResponseSchema, json));
    if (!parsed.success) {
      throw new MinerRequestError(
        'schema_mismatch',
        'act',
        this.endpoint,
        `response does not follow the contract: ${describeIssues(parsed.issues)}`,
      );
    }
    return parsed.output.action;
  }

  /** Requests under way right now. */
  get inFlight(): number {
    return this.active;
  }

  /** When the last request started or ended (clock of `options.now`). */
  get lastUsedAt(): number {
    return this.lastUsed;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Closes the connections, letting requests under way finish; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.pool.close().catch(() => undefined);
    return this.closing;
  }

  private async post(
    operation: MinerOperation,
    episodeId: string,
    payload: unknown,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    wantBody: boolean,
  ): Promise<unknown> {
    // Our own bug, not the miner's: a header cannot carry just anything.
    if (!v.is(EpisodeIdSchema, episodeId))
      throw new TypeError(`episode id ${JSON.stringify(episodeId)} must be 1-128 letters, digits, . _ -`);
    if (this.closing !== undefined) throw new MinerRequestError('aborted', operation, this.endpoint, 'the client is closed');
    if (signal?.aborted === true) throw new MinerRequestError('aborted', operation, this.endpoint, 'aborted before the request');
    // Every connection busy with a request of ours: this one may wait in the pool's queue, which
    // is our congestion, not the miner's delay (each request holds one connection: no pipelining).
    const mayQueue = this.active >= this.maxConnections;
    this.active++;
    this.lastUsed = this.now();
    const link = timedAbort(signal, timeoutMs, `timeout after ${timeoutMs} ms`);
    const sent = trackDelivery(this.pool, link.signal);
    const fail = (error: unknown): MinerRequestError => {
      const delivered = sent.delivered;
      if (error instanceof MinerRequestError) return error;
      if (signal?.aborted === true)
        return new MinerRequestError('aborted', operation, this.endpoint, 'aborted by the caller', { cause: error, delivered });
      // The deadline came due after a stall of ours and waited a few more turns of the loop (see
      // `timedAbort`), with still no answer: the stall may have held up the request or the answer.
      if (link.workerStalled) {
        return new MinerRequestError(
          'worker_stalled',
          operation,
          this.endpoint,
          `the ${timeoutMs} ms timeout fired after this process had stalled: not the miner's delay`,
          { cause: error, delivered },
        );
      }
      if (link.timedOut && mayQueue && !sent.connected) {
        return new MinerRequestError(
          'queued',
          operation,
          this.endpoint,
          `the ${timeoutMs} ms timeout fired while the request waited for one of this worker's ${this.maxConnections} connections to the miner: never sent`,
          { cause: error, delivered },
        );
      }
      if (link.timedOut)
        return new MinerRequestError('timeout', operation, this.endpoint, `no complete response within ${timeoutMs} ms`, {
          cause: error,
          delivered,
        });
      return transportError(error, operation, this.endpoint, timeoutMs, delivered);
    };
    try {
      const response = await sent.dispatcher.request({
        method: 'POST',
        path: `${this.basePath}/${operation}`,
        headers: { 'content-type': 'application/json', accept: 'application/json', [EPISODE_ID_HEADER]: episodeId },
        body: JSON.stringify(payload),
        signal: link.signal,
        // The whole-request timer above bounds the call (and knows when this process stalled).
        headersTimeout: 0,
        bodyTimeout: 0,
        reset: !this.keepAlive,
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        // Read a small error body to completion so that the connection can be reused.
        await response.body.dump({ limit: 16_384 }).catch(() => undefined);
        throw new MinerRequestError('http_status', operation, this.endpoint, `HTTP ${response.statusCode}`, {
          status: response.statusCode,
        });
      }
      const text = await this.readLimited(response, operation);
      if (!wantBody) return undefined;
      // The miner's work, not a stall of ours (see `asPeerWork`).
      return asPeerWork(() => parseJson(text, operation, this.endpoint));
    } catch (error) {
      throw fail(error);
    } finally {
      link.dispose();
      this.active--;
      this.lastUsed = this.now();
    }
  }

  /** Reads the body as text, stopping (and dropping the connection) past the size limit. */
  private async readLimited(response: Dispatcher.ResponseData, operation: MinerOperation): Promise<string> {
    const limit = this.maxResponseBytes;
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      discardBody(response);
      throw new MinerRequestError(
        'body_too_large',
        operation,
        this.endpoint,
        `response of ${declared} bytes is over the ${limit}-byte limit`,
      );
    }
    return readBodyWithin(
      response,
      limit,
      () => new MinerRequestError('body_too_large', operation, this.endpoint, `response is over the ${limit}-byte limit`),
    );
  }
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`miner endpoint "${endpoint}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`miner endpoint "${endpoint}" must be http(s)`);
  if (url.search !== '' || url.hash !== '') throw new TypeError(`miner endpoint "${endpoint}" must not have a query or fragment`);
  return url;
}

function parseJson(text: string, operation: MinerOperation, endpoint: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Python's json.dumps writes NaN and Infinity by default; say so rather than "bad JSON".
    const nonFinite = /(?<![\w"])-?(NaN|Infinity)(?![\w"])/.test(text);
    const what = nonFinite ? 'contains NaN or Infinity, which JSON does not allow' : 'is not JSON';
    throw new MinerRequestError('invalid_json', operation, endpoint, `response ${what}: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

const CONNECT_CODES: Readonly<Record<string, ConnectFailure>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
};

const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** Maps a transport-level error (Node or undici) onto a {@link MinerRequestError}. */
function transportError(
  error: unknown,
  operation: MinerOperation,
  endpoint: string,
  timeoutMs: number,
  delivered: boolean,
): MinerRequestError {
  const code = errorCode(error);
  const text = errorMessage(error);
  const connectFailure =
    CONNECT_CODES[code] ?? (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') ? 'tls' : undefined);
  if (connectFailure !== undefined) {
    return new MinerRequestError('connect', operation, endpoint, `cannot connect (${connectFailure}: ${code || text})`, {
      connectFailure,
      cause: error,
      delivered,
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new MinerRequestError('timeout', operation, endpoint, `no complete response within ${timeoutMs} ms`, {
      cause: error,
      delivered,
    });
  }
  return new MinerRequestError('network', operation, endpoint, `connection failed: ${code || text}`, { cause: error, delivered });
}
