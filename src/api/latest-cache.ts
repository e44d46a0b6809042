import type { Logger } from 'pino';
import { errorMessage } from '../runtime/error-message.ts';

/** A resource (by default its serialised JSON body) and the version it was built from. */
export interface CachedBody<T = string> {
  readonly version: string;
  /** The body, or null when the resource does not exist (yet). */
  readonly body: T | null;
}

/** Options of {@link LatestCache}. */
export interface LatestCacheOptions<T = string> {
  /** Cheap probe of the newest row's version; null when there is none. */
  readonly probe: () => Promise<string | null>;
  /** Loads and serialises the newest row (or `{version: '', body: null}` when there is none). */
  readonly load: () => Promise<CachedBody<T>>;
  /** At most one probe per this many ms. */
  readonly refreshMs: number;
  readonly logger: Logger;
  readonly name: string;
  /** Monotonic milliseconds (tests pass a fake clock). */
  readonly now?: () => number;
}

/**
 * "The newest row", serialised once and served from memory. A request finding the value older
 * than `refreshMs` starts one background probe (single flight) and is answered with the value in
 * hand (stale-while-revalidate); only the very first request waits for Postgres. When the probe
 * shows a new version, the row is loaded and serialised again. A failed refresh keeps the old
 * value (weights stay served while Postgres blips) and is retried after `refreshMs`.
 *
 * Polling rather than LISTEN/NOTIFY: the probe is one index lookup per second per process, needs
 * no dedicated connection, no reconnect logic, and works the same whoever wrote the row.
 */
export class LatestCache<T = string> {
  private current: CachedBody<T> | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<CachedBody<T>> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: LatestCacheOptions<T>) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The value in memory when it is fresh enough, without any I/O; starts a refresh when stale. */
  peek(): CachedBody<T> | undefined {
    if (this.current && this.now() - this.checkedAt >= this.options.refreshMs) this.refreshInBackground();
    return this.current;
  }

  /** The value, loading it the first time (throws if that first load fails). */
  async get(): Promise<CachedBody<T>> {
    return this.peek() ?? (await this.refresh());
  }

  /** Forgets the probe time, so that the next request probes (e.g. after this process wrote a row). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  private refreshInBackground(): void {
    this.refresh().catch((error: unknown) => {
      this.options.logger.warn({ cache: this.options.name, err: errorMessage(error) }, 'cache refresh failed; serving the previous value');
    });
  }

  private refresh(): Promise<CachedBody<T>> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<CachedBody<T>> {
    const started = this.now();
    try {
      const version = await this.options.probe();
      if (this.current && (version ?? '') === this.current.version) return this.current;
      this.current = version === null ? { version: '', body: null } : await this.options.load();
      return this.current;
    } finally {
      // Also after a failure: the next attempt waits `refreshMs`, so a down database is not hammered.
      this.checkedAt = started;
    }
  }
}
