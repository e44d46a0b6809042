import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { publishHeartbeat, publishStopped, type WorkerHeartbeatRecord } from '../../pool/worker-registry.ts';
import { buildInfo } from '../../runtime/build-info.ts';
import { DistinctMessages } from '../../runtime/distinct-messages.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Logger } from '../../runtime/logger.ts';

/** What the heartbeat reports of the consumers at each beat. */
export interface WorkerActivity {
  /** Finished attempts since start, by error class. */
  readonly episodes: Readonly<Record<string, number>>;
  readonly inFlight: number;
}

/** Options of {@link WorkerHeartbeat}. */
export interface WorkerHeartbeatOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly workerId: string;
  readonly envs: readonly string[];
  readonly concurrency: number;
  readonly kind: 'worker' | 'inline';
  readonly heartbeatMs: number;
  readonly activity: () => WorkerActivity;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Announces this worker in the registry (see `pool/worker-registry.ts`) and beats every
 * `heartbeatMs` until stopped; `stop()` marks it stopped so that it shows gone at once. A failed
 * beat is logged once per distinct error (Redis away: the worker keeps working and shows stale,
 * then gone, which is what it is to others). Idempotent start and stop.
 */
export class WorkerHeartbeat {
  readonly name = 'worker-heartbeat';
  readonly #o: WorkerHeartbeatOptions;
  readonly #now: () => number;
  readonly #startedAt: number;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  readonly #errors = new DistinctMessages();

  constructor(options: WorkerHeartbeatOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** Publishes the first beat (a failure here fails the start), then beats on a timer. */
  async start(): Promise<void> {
    if (this.#timer || this.#stopping) return;
    await publishHeartbeat(this.#o.redis, this.#o.prefix, this.#record());
    this.#timer = setInterval(() => void this.#beat(), this.#o.heartbeatMs);
    // The consumers keep the process alive, not the heartbeat.
    this.#timer.unref();
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    clearInterval(this.#timer);
    if (!this.#timer) return;
    await this.#beating;
    try {
      await publishStopped(this.#o.redis, this.#o.prefix, { ...this.#record(), stoppedAt: this.#now() });
    } catch (error) {
      this.#o.logger.warn(
        { err: errorMessage(error) },
        'could not mark this worker stopped in the registry; it shows gone when its heartbeat expires',
      );
    }
  }

  #beat(): Promise<void> {
    // One beat at a time: a slow Redis must not stack them up.
    if (this.#beating) return this.#beating;
    this.#beating = publishHeartbeat(this.#o.redis, this.#o.prefix, this.#record())
      .then(() => {
        if (this.#errors.reset()) this.#o.logger.info('worker heartbeat published again');
      })
      .catch((error: unknown) => {
        const message = errorMessage(error);
        if (this.#errors.changed(message))
          this.#o.logger.warn({ err: message }, 'worker heartbeat failed; others will see this worker stale, then gone');
      })
      .finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  #record(): WorkerHeartbeatRecord {
    const activity = this.#o.activity();
    return {
      id: this.#o.workerId,
      host: hostname(),
      pid: process.pid,
      envs: this.#o.envs,
      concurrency: this.#o.concurrency,
      version: buildInfo().version,
      kind: this.#o.kind,
      startedAt: this.#startedAt,
      lastSeenAt: this.#now(),
      heartbeatMs: this.#o.heartbeatMs,
      episodes: activity.episodes,
      inFlight: activity.inFlight,
    };
  }
}
