import { MINER_CLIENT_IDLE_MS, MINER_CLIENT_SWEEP_INTERVAL_MS } from '../config/constants.ts';
import type { CircuitBreakerOptions } from './circuit-breaker.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { MinerClientOptions } from './miner-client.ts';
import { MinerClient } from './miner-client.ts';

/** A miner's HTTP client and circuit breaker, shared by every episode against that endpoint. */
export interface MinerHandle {
  readonly client: MinerClient;
  readonly breaker: CircuitBreaker;
}

export interface MinerClientsOptions {
  /** Client settings applied to every endpoint. */
  readonly client?: Omit<MinerClientOptions, 'endpoint' | 'now'>;
  readonly breaker?: Omit<CircuitBreakerOptions, 'now'>;
  /** A client with nothing in flight and unused for this long is closed. */
  readonly idleMs?: number;
  readonly sweepIntervalMs?: number;
  /** Milliseconds clock for idle tracking and breakers; injectable for tests. */
  readonly now?: () => number;
}

/**
 * The clients and breakers of all miners, keyed by endpoint. `get` reuses them; a periodic sweep
 * (started by `start()`) closes clients left idle. A breaker that is not closed outlives its
 * idle client, so that a dead miner stays skipped.
 */
export class MinerClients {
  private readonly clients = new Map<string, MinerClient>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly idleMs: number;
  private readonly sweepIntervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: MinerClientsOptions = {}) {
    this.idleMs = options.idleMs ?? MINER_CLIENT_IDLE_MS;
    this.sweepIntervalMs = options.sweepIntervalMs ?? MINER_CLIENT_SWEEP_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts the idle sweep; idempotent. */
  start(): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.timer.unref();
  }

  /** The handle of an endpoint, created on first use. */
  get(endpoint: string): MinerHandle {
    if (this.closed) throw new Error('MinerClients is closed');
    let client = this.clients.get(endpoint);
    if (client === undefined) {
      client = new MinerClient({ ...this.options.client, endpoint, now: this.now });
      this.clients.set(endpoint, client);
    }
    return { client, breaker: this.breaker(endpoint) };
  }

  /** The breaker of an endpoint (created closed), e.g. for the scheduler to skip open miners. */
  breaker(endpoint: string): CircuitBreaker {
    let breaker = this.breakers.get(endpoint);
    if (breaker === undefined) {
      breaker = new CircuitBreaker({ ...this.options.breaker, now: this.now });
      this.breakers.set(endpoint, breaker);
    }
    return breaker;
  }

  /** Endpoints with a live client. */
  get size(): number {
    return this.clients.size;
  }

  /** Closes idle clients and forgets closed breakers of endpoints without a client; returns how many clients it closed. */
  async sweep(): Promise<number> {
    const now = this.now();
    const idle = [...this.clients].filter(([, c]) => c.inFlight === 0 && now - c.lastUsedAt >= this.idleMs);
    for (const [endpoint] of idle) this.clients.delete(endpoint);
    for (const [endpoint, breaker] of this.breakers) {
      if (!this.clients.has(endpoint) && breaker.state === 'closed') this.breakers.delete(endpoint);
    }
    await Promise.all(idle.map(([, c]) => c.close()));
    return idle.length;
  }

  /** Stops the sweep and closes every client; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }
}
