import { request } from 'undici';
import { MINER_HEALTH_MAX_BYTES, MINER_HEALTH_TIMEOUT_MS } from '../config/constants.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { timedAbort } from '../runtime/linked-abort.ts';
import { discardBody, readBodyWithin } from '../runtime/read-body.ts';

/**
 * How many episodes a miner serves at once, as its `GET /health` declares it
 * (`max_concurrent_episodes: N`, docs/design.md, "Contracts with the outside"). The subnet's miner template keeps one
 * global state per `/reset`, so a miner that declares nothing gets one episode at a time.
 *
 * A miner is paid to win, so the answer is read defensively. A well-formed answer (a 2xx JSON
 * object) declares: a positive safe integer there is the count, a very large one is cut to `max`
 * (the most slots a miner can have, so declaring 10⁹ is the same as declaring `max`), and no such
 * field is 1. Anything else (no answer, a slow or hanging one, an error status, a huge body, not
 * JSON, not an object, 0, −3, 2.5, "4", 1e400) declares nothing: it is a `fallback` of 1, which
 * the leader uses only when it knows no earlier declaration (refresh-declarations.ts), so that a
 * flapping `/health` cannot shrink the miner's cap at will. Slots cap it again in the pool.
 */
export interface DeclaredConcurrency {
  /** Episodes at once, in [1, max]. */
  readonly episodes: number;
  /** Why the answer counted as 1 or was cut, for logs and the status; undefined for a plain answer. */
  readonly problem?: string;
  /** No well-formed answer: `episodes` is only the default of 1, to use when nothing better is known. */
  readonly fallback?: true;
}

/** An answer that declares nothing (see {@link DeclaredConcurrency}). */
function unusable(problem: string): DeclaredConcurrency {
  return { episodes: 1, problem, fallback: true };
}

/** The episodes a miner declares in a `/health` body already parsed from JSON; pure. */
export function parseDeclaredConcurrency(body: unknown, max: number): DeclaredConcurrency {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return unusable('the /health body is not a JSON object');
  if (!Object.hasOwn(body, 'max_concurrent_episodes')) return { episodes: 1 };
  const value = (body as Record<string, unknown>).max_concurrent_episodes;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    return unusable(`max_concurrent_episodes ${JSON.stringify(value) ?? String(value)} is not a positive integer`);
  }
  if (value > max) return { episodes: max, problem: `max_concurrent_episodes ${value} cut to ${max}` };
  return { episodes: value };
}

export interface ProbeOptions {
  /** Most episodes a declaration may grant (the slots ceiling). */
  readonly max: number;
  /** Whole request, connect to last byte (default {@link MINER_HEALTH_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Largest body read (default {@link MINER_HEALTH_MAX_BYTES}). */
  readonly maxBytes?: number;
  /** Fires when the leadership ends. */
  readonly signal?: AbortSignal;
}

/**
 * Asks a miner's `GET /health` what it declares. Never throws: a failure of any kind is a
 * `fallback` of 1 with the reason in `problem`. One bounded request on a connection of its own (the
 * episodes' keep-alive pools live in the workers, not in the leader that probes).
 */
export async function probeDeclaredConcurrency(endpoint: string, options: ProbeOptions): Promise<DeclaredConcurrency> {
  const timeoutMs = options.timeoutMs ?? MINER_HEALTH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? MINER_HEALTH_MAX_BYTES;
  const link = timedAbort(options.signal, timeoutMs, `no /health answer within ${timeoutMs} ms`);
  try {
    const url = `${endpoint.replace(/\/+$/, '')}/health`;
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', connection: 'close' },
      signal: link.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (response.statusCode < 200 || response.statusCode > 299) {
      discardBody(response);
      return unusable(`/health answered HTTP ${response.statusCode}`);
    }
    const text = await readBodyWithin(response, maxBytes, () => new Error(`the /health body is over ${maxBytes} bytes`));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return unusable('the /health body is not JSON');
    }
    return parseDeclaredConcurrency(body, options.max);
  } catch (error) {
    return unusable(link.timedOut ? `no /health answer within ${timeoutMs} ms` : `/health failed: ${errorMessage(error)}`);
  } finally {
    link.dispose();
  }
}
