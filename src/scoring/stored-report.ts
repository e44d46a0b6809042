import type { ScoreReport } from './score-report.ts';

/**
 * A {@link ScoreReport} as a score snapshot stores it (the `report` JSON column): the report plus
 * when and how fast it was computed. The API and the CLI read it back in this shape.
 */
export interface StoredScoreReport extends ScoreReport {
  /** ISO-8601 time of the scoring pass. */
  readonly computedAt: string;
  /** Time of the SQL aggregate and the scoring, in ms. */
  readonly computationMs: number;
}
