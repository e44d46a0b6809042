import type { Config } from './schema.ts';
import { loadConfig } from './load-config.ts';

/** The one place that reads `process.env`: everything else gets the config passed in. */
export function loadConfigFromProcess(overrides: Readonly<Record<string, string>> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}
