import { SCORING } from './constants.ts';
import type { Config } from './schema.ts';

/**
 * The parameters of the scoring functions (`src/scoring/`), from the configured tunables and
 * the fixed constants of the subnet's scheme. Structurally the scoring module's `ScoringParams`.
 */
export function scoringParamsOf(config: Pick<Config, 'scoring'>) {
  return Object.freeze({
    minCoverage: config.scoring.minCoverage,
    temperature: config.scoring.paretoTemperature,
    thresholdZ: SCORING.z,
    thresholdMinGap: SCORING.minGap,
    thresholdMaxGap: SCORING.maxGap,
    epsilonMin: SCORING.epsMin,
    epsilonMax: SCORING.epsMax,
  });
}
