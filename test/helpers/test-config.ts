import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';

/**
 * A config built from defaults and the given variables only: tests never depend on the
 * developer's environment.
 */
export function testConfig(variables: Readonly<Record<string, string>> = {}): Config {
  return loadConfig({ EVALPOOL_LOG_LEVEL: 'silent', ...variables });
}
