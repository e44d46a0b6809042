import { loadConfig } from '../../src/config/load-config.ts';
import { scoringParamsOf } from '../../src/config/scoring-params.ts';
import type { Config } from '../../src/config/schema.ts';

/**
 * A config built from defaults and the given variables only: tests never depend on the
 * developer's environment.
 */
export function testConfig(variables: Readonly<Record<string, string>> = {}): Config {
  return loadConfig({ EVALPOOL_LOG_LEVEL: 'silent', ...variables });
}

/** The scoring parameters of the default config (z 1.5, gaps [0.02, 0.10], T 1, minCoverage 0.8, eps in [0.01, 0.2]). */
export function testScoringParams(): ReturnType<typeof scoringParamsOf> {
  return scoringParamsOf(testConfig());
}
