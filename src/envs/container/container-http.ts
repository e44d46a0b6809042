import { Agent, type Dispatcher } from 'undici';
import * as v from 'valibot';
import {
  CONTAINER_HTTP_CONNECTIONS,
  CONTAINER_KEEP_ALIVE_TIMEOUT_MS,
  CONTAINER_MAX_RESPONSE_BYTES,
  MAX_OUTCOME_MESSAGE_CHARS,
} from '../../config/constants.ts';
import { describeIssues } from '../../runtime/describe-issues.ts';
import { errorCode } from '../../runtime/error-code.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { timedAbort } from '../../runtime/linked-abort.ts';
import { readBodyWithin } from '../../runtime/read-body.ts';
import { ContainerError, type ContainerErrorKind, type ContainerHttpAnswer } from './container-error.ts';
import {
  CallFailedSchema,
  CallResponseSchema,
  type EvaluateKwargs,
  type EvaluateResult,
  evaluateCall,
  HealthResponseSchema,
} from './contract.ts';

/** Enough of an error answer for the stored message (which is cut there anyway). */
const ERROR_DETAIL_CHARS = MAX_OUTCOME_MESSAGE_CHARS;

/** Settings of a {@link ContainerHttp}. */
export interface ContainerHttpOptions {
  /** Largest answer read from a container. */
  readonly maxResponseBytes?: number;
}

/** The text of an error answer: FastAPI's `detail` (affinetes: the exception and its traceback) when there is one. */
function errorDetail(text: string): string {
  let detail = text;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && 'detail' in body)
      detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
  } catch {
    // Not JSON: the text as it is.
  }
  return detail.slice(0, ERROR_DETAIL_CHARS);
}

/**
 * The host side of the container contract over HTTP on 127.0.0.1 (containers run with host
 * networking, each on its own port): `GET /health` and `POST /call`. One keep-alive agent for
 * every container; each call has a whole-request timeout and honours the caller's signal; the
 * answer is read up to a size limit and checked against the contract. Every failure is a
 * {@link ContainerError}: `overrun` (timeout), `worker_stalled` (a timeout this process missed
 * itself), `aborted`, `unreachable`, `connection_lost`, `http_status`, `too_large` or `unparseable`.
 */
export class ContainerHttp {
  readonly #agent = new Agent({ keepAliveTimeout: CONTAINER_KEEP_ALIVE_TIMEOUT_MS, connections: CONTAINER_HTTP_CONNECTIONS });
  readonly #maxBytes: number;

  constructor(options: ContainerHttpOptions = {}) {
    this.#maxBytes = options.maxResponseBytes ?? CONTAINER_MAX_RESPONSE_BYTES;
  }

  /** Resolves when the container on `port` answers `{"status":"ok"}` within `timeoutMs`. */
  async health(port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const body = await this.#request(port, 'GET', '/health', undefined, timeoutMs, signal);
    const parsed = v.safeParse(HealthResponseSchema, body);
    if (!parsed.success)
      throw new ContainerError(
        'unhealthy',
        `GET /health answered ${JSON.stringify(body).slice(0, 120)} (${describeIssues(parsed.issues)})`,
      );
  }

  /** `POST /call` of `evaluate`; the container must answer within `timeoutMs`. */
  async evaluate(port: number, kwargs: EvaluateKwargs, timeoutMs: number, signal?: AbortSignal): Promise<EvaluateResult> {
    const body = await this.#request(port, 'POST', '/call', evaluateCall(kwargs), timeoutMs, signal);
    const failed = v.safeParse(CallFailedSchema, body);
    if (failed.success) {
      const why = failed.output.result?.error ?? failed.output.error;
      throw new ContainerError(
        'env_failed',
        `POST /call: the env answered status "failed": ${typeof why === 'string' ? why : JSON.stringify(why ?? null)}`,
      );
    }
    const parsed = v.safeParse(CallResponseSchema, body);
    if (!parsed.success)
      throw new ContainerError('unparseable', `the answer does not follow the contract: ${describeIssues(parsed.issues)}`);
    return parsed.output.result;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }

  async #request(
    port: number,
    method: 'GET' | 'POST',
    path: string,
    payload: unknown,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const what = `${method} ${path}`;
    if (signal?.aborted === true) throw new ContainerError('aborted', `${what}: aborted before the request`);
    const link = timedAbort(signal, timeoutMs, 'timeout');
    const fail = (kind: ContainerErrorKind, detail: string, cause?: unknown, answer?: ContainerHttpAnswer): ContainerError =>
      new ContainerError(kind, `${what}: ${detail}`, { cause, answer });
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await this.#agent.request({
          origin: `http://127.0.0.1:${port}`,
          method,
          path,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
          signal: link.signal,
          // The whole-request timer above bounds the call; undici's own would cut long episodes.
          headersTimeout: 0,
          bodyTimeout: 0,
        });
      } catch (error) {
        throw transportFailure(error);
      }
      const text = await this.#read(response).catch((error: unknown) => {
        throw error instanceof ContainerError ? error : transportFailure(error);
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        const detail = errorDetail(text);
        throw fail('http_status', `HTTP ${response.statusCode}: ${detail}`, undefined, { status: response.statusCode, detail });
      }
      try {
        return JSON.parse(text);
      } catch {
        throw fail('unparseable', `the answer is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
      }
    } finally {
      link.dispose();
    }

    function transportFailure(error: unknown): ContainerError {
      if (link.workerStalled) return fail('worker_stalled', `the ${timeoutMs} ms timeout fired after this process had stalled`, error);
      if (link.timedOut) return fail('overrun', `no answer within ${timeoutMs} ms`, error);
      if (signal?.aborted === true) return fail('aborted', 'aborted by the caller', error);
      const code = errorCode(error);
      if (code === 'ECONNREFUSED') return fail('unreachable', `nothing listens on port ${port} (${code})`, error);
      return fail('connection_lost', `the connection failed: ${code || errorMessage(error)}`, error);
    }
  }

  /** Reads the body as text, stopping (and dropping the connection) past the size limit. */
  #read(response: Dispatcher.ResponseData): Promise<string> {
    return readBodyWithin(
      response,
      this.#maxBytes,
      () => new ContainerError('too_large', `the answer is over the ${this.#maxBytes}-byte limit`),
    );
  }
}
