import { SCORING } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { ScoringParams } from './scoring-params.ts';

/**
 * The parameters of the scoring functions, from the configured tunables (parsed by the config
 * module) and the fixed constants of the subnet's scheme.
 */
export function scoringParamsOf(config: Pick<Config, 'scoring'>): ScoringParams {
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
