import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { scoringParamsOf } from '../../src/scoring/scoring-params-of.ts';

/**
 * The miners file of a test that names none: a path that never exists. The default, `miners.json`
 * in the working directory, is the operator's own file in the checkout (issue 15): a test must
 * behave the same whether one is there or not.
 */
export const NO_MINERS_FILE = join(tmpdir(), 'evalpool-test-no-such-dir', 'miners.json');

/**
 * A config built from defaults and the given variables only: tests never depend on the
 * developer's environment, nor on a miners.json in the checkout.
 */
export function testConfig(variables: Readonly<Record<string, string>> = {}): Config {
  return loadConfig({ EVALPOOL_LOG_LEVEL: 'silent', EVALPOOL_MINERS_FILE: NO_MINERS_FILE, ...variables });
}

/** The scoring parameters of the default config (z 1.5, gaps [0.02, 0.10], T 1, minCoverage 0.8, eps in [0.01, 0.2]). */
export function testScoringParams(): ReturnType<typeof scoringParamsOf> {
  return scoringParamsOf(testConfig());
}
