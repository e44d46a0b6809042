import type { MiddlewareHandler } from 'hono';
import { clientIp, rateLimitKey } from './client-ip.ts';
import { RateLimiter } from './rate-limiter.ts';

/** Options of {@link limitRate}. */
export interface RateLimitOptions {
  /** Requests per window and client; > 0 (0 = off is decided by the caller). */
  readonly limit: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  readonly trustProxy: boolean;
  /** Clock in ms (tests inject one). */
  readonly now: () => number;
}

/**
 * Per-client rate limit of every route: over it, 429 `{error, detail}` with `Retry-After` in
 * seconds. Keys are client IPs (IPv6 by /64); see {@link RateLimiter} for the window.
 */
export function limitRate(options: RateLimitOptions): MiddlewareHandler {
  const limiter = new RateLimiter(options);
  const perMinute = Math.round((options.limit * 60_000) / options.windowMs);
  return async (c, next) => {
    const decision = limiter.hit(rateLimitKey(clientIp(c, options.trustProxy)), options.now());
    if (decision.allowed) return next();
    const seconds = decision.retryAfterSeconds;
    return c.json(
      { error: 'rate_limited', detail: `more than ${perMinute} requests per minute from this address; retry in ${seconds} s` },
      429,
      { 'Retry-After': String(seconds) },
    );
  };
}
