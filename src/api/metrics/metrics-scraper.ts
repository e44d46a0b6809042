import { METRICS_SOURCE_TIMEOUT_MS } from '../../config/constants.ts';
import { withDeadline } from '../../runtime/deadline.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { EvalpoolMetrics, MetricsSource } from '../../runtime/metrics.ts';

/** Options of a {@link MetricsScraper}. */
export interface MetricsScraperOptions {
  readonly metrics: EvalpoolMetrics;
  /** Scrape-time sources refreshed before each scrape (none for a worker process). */
  readonly sources?: readonly MetricsSource[];
  readonly logger: Logger;
  /** Longest wait for one source (default {@link METRICS_SOURCE_TIMEOUT_MS}). */
  readonly sourceTimeoutMs?: number;
}

/**
 * Produces the Prometheus text of a process: refreshes every scrape-time source at once, each
 * within its timeout, then renders the registry. A scrape never fails because a source did (Redis
 * or Postgres down): the failed source's series are cleared and counted in
 * `evalpool_scrape_errors_total{source}`, everything else is served. A source's failure is logged
 * once when it starts and once when it recovers, not at every scrape.
 */
export class MetricsScraper {
  readonly #metrics: EvalpoolMetrics;
  readonly #sources: readonly MetricsSource[];
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #failing = new Set<string>();

  constructor(options: MetricsScraperOptions) {
    this.#metrics = options.metrics;
    this.#sources = options.sources ?? [];
    this.#logger = options.logger.child({ component: 'metrics' });
    this.#timeoutMs = options.sourceTimeoutMs ?? METRICS_SOURCE_TIMEOUT_MS;
    // Present from the first scrape, so that `increase()` sees the first error.
    for (const source of this.#sources) this.#metrics.scrapeErrors.inc({ source: source.name }, 0);
  }

  /** The content type of {@link scrape}'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.#metrics.registry.contentType;
  }

  /** Refreshes the sources, then renders every series. */
  async scrape(): Promise<string> {
    await Promise.all(this.#sources.map((source) => this.#refresh(source)));
    return this.#metrics.registry.metrics();
  }

  async #refresh(source: MetricsSource): Promise<void> {
    try {
      await withDeadline(source.refresh(), this.#timeoutMs);
      if (this.#failing.delete(source.name)) this.#logger.info({ source: source.name }, 'metrics source answers again');
    } catch (error) {
      source.clear();
      this.#metrics.scrapeErrors.inc({ source: source.name });
      if (!this.#failing.has(source.name)) {
        this.#failing.add(source.name);
        this.#logger.warn(
          { source: source.name, err: errorMessage(error) },
          'metrics source failed: its series are left out until it answers again',
        );
      }
    }
  }
}
