import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Compare-and-act scripts: only the holder of the token may extend or drop the lease.
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Who holds the lease now. */
export interface LeaseHolder {
  readonly token: string;
  /** The holder's instance id (the token's part before `#`). */
  readonly owner: string;
  /** Milliseconds until it expires unless renewed. */
  readonly ttlMs: number;
}

/** The instance id inside a lease token. */
export function leaseOwner(token: string): string {
  const hash = token.lastIndexOf('#');
  return hash < 0 ? token : token.slice(0, hash);
}

/**
 * The scheduler lease in Redis: `SET key token NX PX lease`. A new random token per term, so that
 * a term's token never comes back (the pool's creation law L1 relies on it). Renewal and release
 * compare the token first (Lua), so a stale leader can never extend or drop a successor's lease.
 */
export class LeaderLease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #leaseMs: number;
  readonly #owner: string;

  constructor(redis: Redis, key: string, leaseMs: number, owner: string) {
    this.#redis = redis;
    this.#key = key;
    this.#leaseMs = leaseMs;
    this.#owner = owner;
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** Takes the lease if nobody holds it; returns the new term's token, or undefined. */
  async tryAcquire(): Promise<string | undefined> {
    const token = `${this.#owner}#${randomUUID()}`;
    const ok = await this.#redis.set(this.#key, token, 'PX', this.#leaseMs, 'NX');
    return ok === 'OK' ? token : undefined;
  }

  /** Extends the lease if `token` still holds it; false when it does not. */
  async renew(token: string): Promise<boolean> {
    return (await this.#redis.eval(EXTEND, 1, this.#key, token, String(this.#leaseMs))) === 1;
  }

  /** Drops the lease if `token` still holds it (a successor can take over at once). */
  async release(token: string): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 1, this.#key, token)) === 1;
  }

  /** The current holder, if any. */
  async holder(): Promise<LeaseHolder | undefined> {
    const [[, token], [, ttl]] = ((await this.#redis.pipeline().get(this.#key).pttl(this.#key).exec()) ?? []) as [
      [unknown, string | null],
      [unknown, number],
    ];
    if (!token) return undefined;
    return { token, owner: leaseOwner(token), ttlMs: ttl };
  }
}
