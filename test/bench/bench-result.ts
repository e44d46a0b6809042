/**
 * One measured figure of `npm run bench`. Each bench module exports
 * `run(ctx: BenchContext): Promise<BenchResult[]>`; the runner prints them as one table and
 * writes them as JSON under bench-output/.
 */
export interface BenchResult {
  /** Which bench and which figure, e.g. "pool throughput (evalpool, 4 workers)". */
  readonly name: string;
  readonly value: number;
  /** e.g. "ms", "ops/s", "rows/s", "MB". */
  readonly unit: string;
  /** The same figure for the raw baseline measured in the same run (raw BullMQ, raw inserts), if any. */
  readonly baseline?: number;
  /** The target from docs/design.md, as text, e.g. "<= 250 ms" or ">= 50% of baseline". */
  readonly target?: string;
  /** Whether the target is met, when there is one. */
  readonly ok?: boolean;
  readonly notes?: string;
}

/** What the runner hands each bench: where to find Postgres/Redis, and a scale factor for quick runs. */
export interface BenchContext {
  /** An admin connection string for Postgres (the bench creates and drops its own database). */
  readonly postgresUrl: string;
  readonly redisUrl: string;
  /** 1 for the full docs/design.md scale; smaller for a quick run (`npm run bench -- --quick`). */
  readonly scale: number;
}
