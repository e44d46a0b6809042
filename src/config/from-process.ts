import { loadConfig } from './load-config.ts';
import type { Config } from './schema.ts';

/**
 * The one place that reads `process.env`: everything else gets the config passed in.
 * Precedence, lowest first: `defaults` (a command's own defaults, e.g. the demo's), the process
 * environment (an empty value counts as unset), `overrides` (CLI flags).
 */
export function loadConfigFromProcess(
  overrides: Readonly<Record<string, string>> = {},
  defaults: Readonly<Record<string, string>> = {},
): Config {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  }
  return loadConfig({ ...env, ...overrides });
}

/** Whether the process environment sets `name` (an empty value counts as unset, as above). */
export function isSetInProcess(name: string): boolean {
  const value = process.env[name];
  return value !== undefined && value !== '';
}
