/**
 * The backend's `GET /v1/weights/latest`, as polled by validators:
 * `{block_number, timestamp, weights: {"uid": float}, weights_u16: {uids, values}, metadata}`.
 * Before the first weights the backend answers 404, which is "nothing yet", not an error.
 */
import * as v from 'valibot';
import { VALIDATOR_HTTP_ATTEMPTS, VALIDATOR_HTTP_BACKOFF_MS, VALIDATOR_HTTP_TIMEOUT_MS } from '../config/constants.ts';
import { sleep } from '../runtime/sleep.ts';

const U16 = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535));

const LatestWeightsSchema = v.pipe(
  v.object({
    block_number: v.pipe(v.number(), v.integer(), v.minValue(0)),
    timestamp: v.union([v.string(), v.number()]),
    weights: v.record(v.pipe(v.string(), v.regex(/^\d+$/, 'keys must be uids')), v.pipe(v.number(), v.finite())),
    weights_u16: v.object({ uids: v.array(U16), values: v.array(U16) }),
    metadata: v.optional(v.unknown()),
  }),
  v.check((w) => w.weights_u16.uids.length === w.weights_u16.values.length, 'weights_u16.uids and weights_u16.values differ in length'),
  v.check((w) => new Set(w.weights_u16.uids).size === w.weights_u16.uids.length, 'weights_u16.uids has duplicates'),
);

/** A validated `/v1/weights/latest` body. */
export type LatestWeights = v.InferOutput<typeof LatestWeightsSchema>;

/** The backend answered something that is not a weights document. */
export class WeightsResponseError extends Error {
  override readonly name = 'WeightsResponseError';
}

/** Validates a `/v1/weights/latest` body; the error lists each problem with its field. */
export function parseLatestWeights(body: unknown): LatestWeights {
  const result = v.safeParse(LatestWeightsSchema, body);
  if (result.success) return result.output;
  const problems = result.issues.map((issue) => {
    const field = (issue.path ?? []).map((item) => String(item.key)).join('.');
    return field === '' ? issue.message : `${field}: ${issue.message}`;
  });
  throw new WeightsResponseError(`invalid /v1/weights/latest response: ${problems.join('; ')}`);
}

/** Settings of {@link fetchLatestWeights}. */
export interface FetchWeightsOptions {
  /** Per-request timeout (default {@link VALIDATOR_HTTP_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Attempts in total (default {@link VALIDATOR_HTTP_ATTEMPTS}). */
  readonly attempts?: number;
  /** Backoff before the second attempt, doubled after each (default {@link VALIDATOR_HTTP_BACKOFF_MS}). */
  readonly backoffMs?: number;
  readonly signal?: AbortSignal;
}

async function fetchOnce(url: string, timeoutMs: number, signal?: AbortSignal): Promise<LatestWeights | null> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
  }).catch((error: unknown) => {
    if (timeout.aborted && signal?.aborted !== true) throw new Error(`GET ${url} did not answer within ${timeoutMs} ms`, { cause: error });
    throw error;
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new WeightsResponseError(`GET ${url}: the body is not JSON`, { cause: error });
  }
  return parseLatestWeights(body);
}

/**
 * Fetches `<backend>/v1/weights/latest`; `null` when the backend has no weights yet (404).
 * Network errors, timeouts and 5xx are retried with doubling backoff; an invalid body is not
 * (asking again would return the same document).
 */
export async function fetchLatestWeights(backendUrl: string, options: FetchWeightsOptions = {}): Promise<LatestWeights | null> {
  const url = new URL('v1/weights/latest', backendUrl.endsWith('/') ? backendUrl : `${backendUrl}/`).href;
  const attempts = Math.max(1, options.attempts ?? VALIDATOR_HTTP_ATTEMPTS);
  let delay = options.backoffMs ?? VALIDATOR_HTTP_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(url, options.timeoutMs ?? VALIDATOR_HTTP_TIMEOUT_MS, options.signal);
    } catch (error) {
      if (error instanceof WeightsResponseError || options.signal?.aborted === true || attempt >= attempts) throw error;
    }
    if (!(await sleep(delay, options.signal))) throw options.signal?.reason as Error;
    delay *= 2;
  }
}
