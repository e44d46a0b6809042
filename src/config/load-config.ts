import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { maskValue } from './mask.ts';
import { allVariables, type Config, environmentSchema, sections } from './schema.ts';
import type { Variable } from './variable.ts';

type Environment = Readonly<Record<string, string | undefined>>;

/** Resolves `<NAME>_FILE` for variables that allow it, reporting unreadable files and conflicts. */
function resolveFiles(env: Environment, problems: ConfigProblem[]): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const variable of allVariables()) {
    const direct = env[variable.name];
    const file = variable.fromFile ? env[`${variable.name}_FILE`] : undefined;
    if (file !== undefined && file !== '') {
      if (direct !== undefined && direct !== '') {
        problems.push({
          name: `${variable.name}_FILE`,
          value: file,
          message: `set only one of ${variable.name} and ${variable.name}_FILE`,
        });
        continue;
      }
      try {
        raw[variable.name] = readFileSync(file, 'utf8').trim();
      } catch (error) {
        problems.push({ name: `${variable.name}_FILE`, value: file, message: `cannot read the file: ${(error as Error).message}` });
      }
      continue;
    }
    // An empty value means "unset" so that `FOO= evalpool serve` falls back to the default.
    raw[variable.name] = direct === '' ? undefined : direct;
  }
  return raw;
}

function crossChecks(config: Config, problems: ConfigProblem[]): void {
  const { min, max, default: initial } = config.slots;
  if (min > max) problems.push({ name: 'EVALPOOL_SLOTS_MIN', value: String(min), message: `must not exceed EVALPOOL_SLOTS_MAX (${max})` });
  if (initial < min || initial > max) {
    problems.push({
      name: 'EVALPOOL_SLOTS_DEFAULT',
      value: String(initial),
      message: `must be within EVALPOOL_SLOTS_MIN..EVALPOOL_SLOTS_MAX (${min}..${max})`,
    });
  }
  if (max > config.worker.minerMaxConnections) {
    // Each running episode holds one connection to its miner, and a miner has at most its slots
    // running: past the connections, an /act would wait in our own pool and time out there.
    problems.push({
      name: 'EVALPOOL_SLOTS_MAX',
      value: String(max),
      message: `must not exceed EVALPOOL_MINER_MAX_CONNECTIONS (${config.worker.minerMaxConnections}): a miner's episodes at once must each get a connection of their own, or their requests wait in the worker's pool and time out as if the miner were late`,
    });
  }
  if (config.chain.endpoint !== undefined && config.chain.netuid === undefined) {
    problems.push({ name: 'EVALPOOL_NETUID', value: undefined, message: 'is required when EVALPOOL_CHAIN_ENDPOINT is set' });
  }
  if (config.worker.circuitCooldownMs > config.worker.circuitMaxCooldownMs) {
    problems.push({
      name: 'EVALPOOL_CIRCUIT_COOLDOWN_MS',
      value: String(config.worker.circuitCooldownMs),
      message: `must not exceed EVALPOOL_CIRCUIT_MAX_COOLDOWN_MS (${config.worker.circuitMaxCooldownMs})`,
    });
  }
}

function unknownNames(env: Environment, problems: ConfigProblem[]): void {
  const known = new Set(allVariables().flatMap((x) => (x.fromFile ? [x.name, `${x.name}_FILE`] : [x.name])));
  for (const name of Object.keys(env)) {
    if (name.startsWith('EVALPOOL_') && !known.has(name) && !IGNORED.has(name)) {
      // Its value is not shown: an unknown name may be a misspelt secret.
      problems.push({
        name,
        value: '***',
        message: 'is not a known evalpool variable (see the configuration table in docs/configuration.md)',
      });
    }
  }
}

/** Test switches and tooling variables that share the prefix but are not configuration. */
const IGNORED = new Set(['EVALPOOL_LIVE_CHAIN', 'EVALPOOL_SKIP_CONTAINER_TESTS', 'EVALPOOL_TEST_VERBOSE', 'EVALPOOL_TEST_LEAK_TRACE']);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Parses every `EVALPOOL_*` variable once into the frozen, typed config. Throws a
 * {@link ConfigError} naming every offending variable, its (masked) value and its rule.
 * An unknown `EVALPOOL_*` name is an error too: a typo must not silently fall back to a default.
 */
export function loadConfig(env: Environment): Config {
  const problems: ConfigProblem[] = [];
  const raw = resolveFiles(env, problems);
  unknownNames(env, problems);
  const parsed = v.safeParse(environmentSchema(), raw, { abortEarly: false });
  if (!parsed.success) {
    const byName = new Map(allVariables().map((x) => [x.name, x]));
    for (const issue of parsed.issues) {
      const key: unknown = issue.path?.[0]?.key;
      const name = typeof key === 'string' ? key : '(unknown)';
      const variable = byName.get(name);
      problems.push({ name, value: maskValue(raw[name], variable?.secret ?? false), message: issue.message });
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const values = parsed.output as Record<string, unknown>;
  const config = Object.fromEntries(
    Object.entries(sections).map(([section, vars]) => [
      section,
      Object.fromEntries(Object.entries(vars as Record<string, Variable<unknown>>).map(([key, x]) => [key, values[x.name]])),
    ]),
  ) as Config;
  crossChecks(config, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The config as key/value pairs safe to log (secrets masked, URL passwords hidden). */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [section, vars] of Object.entries(sections)) {
    for (const [key, variable] of Object.entries(vars as Record<string, Variable<unknown>>)) {
      const value = (config as unknown as Record<string, Record<string, unknown>>)[section]![key];
      out[variable.name] =
        typeof value === 'string' ? maskValue(value, variable.secret) : variable.secret && value !== undefined ? '***' : value;
    }
  }
  return out;
}
