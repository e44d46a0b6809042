import { DATABASE_URL_DEFAULT, REDIS_DATABASES_DEFAULT } from '../config/constants.ts';
import { maskUrlPassword } from '../config/mask.ts';
import { splitDatabaseUrl } from '../db/ensure-database.ts';
import { postgresErrorOf, SQL_STATE } from '../db/sql-state.ts';
import { errorChain } from '../runtime/error-chain.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { RedisDatabaseRefusedError } from '../runtime/redis-database-refused.ts';

const DEFAULT_PORTS = { postgres: 5432, redis: 6379 } as const;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * What to do about a service that does not answer at `url`, naming its real address: the start
 * command on a Debian machine when it is local (Redis on its own port), else a check.
 */
function hintFor(service: Service, url: string): string {
  const variable = service === 'postgres' ? 'EVALPOOL_DATABASE_URL' : 'EVALPOOL_REDIS_URL';
  let host = '127.0.0.1';
  let port: number = DEFAULT_PORTS[service];
  try {
    const parsed = new URL(url);
    host = parsed.hostname || host;
    if (parsed.port !== '') port = Number(parsed.port);
  } catch {
    // unparseable: the config check reports it
  }
  if (!LOCAL_HOSTS.has(host)) return `check that it runs and is reachable at ${host}:${port} (or set ${variable})`;
  if (service === 'redis')
    return `start it with: redis-server --daemonize yes --port ${port} --save "" --appendonly no (or set ${variable})`;
  const cluster = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
  return port === DEFAULT_PORTS.postgres
    ? `start it with: ${cluster} (or set ${variable})`
    : `start the cluster that listens on port ${port} (Debian: pg_lsclusters lists them; ${cluster} starts the default one, on 5432), or set ${variable}`;
}

/** A service evalpool connects to. */
export type Service = 'postgres' | 'redis';

const UNREACHABLE = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'];

/** The fields of a connection error looked at here. */
interface ConnectionErrorFields {
  code?: string;
  message?: string;
  port?: number;
}

/** The error, its `cause` chain and the members of an AggregateError, outermost first. */
function chainOf(error: unknown): ConnectionErrorFields[] {
  return errorChain(error) as ConnectionErrorFields[];
}

function codeOf(error: unknown): string | undefined {
  return chainOf(error).find((e) => typeof e.code === 'string')?.code;
}

function portOf(url: string, service: Service): number | undefined {
  try {
    const parsed = new URL(url);
    return parsed.port === '' ? DEFAULT_PORTS[service] : Number(parsed.port);
  } catch {
    return undefined;
  }
}

/**
 * Which service a connection error came from: Redis when a message names it or the failed
 * address has Redis's port (and not Postgres's), else Postgres (whose driver names nothing).
 */
export function serviceOf(error: unknown, urls: { readonly databaseUrl: string; readonly redisUrl: string }): Service {
  const chain = chainOf(error);
  if (chain.some((e) => typeof e.message === 'string' && /\bredis\b/i.test(e.message))) return 'redis';
  const redisPort = portOf(urls.redisUrl, 'redis');
  const postgresPort = portOf(urls.databaseUrl, 'postgres');
  const ports = new Set(chain.flatMap((e) => (typeof e.port === 'number' ? [e.port] : [])));
  if (redisPort !== postgresPort && redisPort !== undefined && ports.has(redisPort)) return 'redis';
  return 'postgres';
}

/**
 * Turns "cannot reach Postgres/Redis" into one sentence that says what to start and how; returns
 * undefined for any other error (which is then shown as it is).
 */
function explainConnectionError(error: unknown, service: Service, url: string): string | undefined {
  const code = codeOf(error);
  const message = error === undefined || error === null ? '' : errorMessage(error);
  const unreachable = UNREACHABLE.includes(code ?? '') || /timeout|connect/i.test(message);
  if (!unreachable) return undefined;
  const name = service === 'postgres' ? 'Postgres' : 'Redis';
  return `${name} is not answering at ${maskUrlPassword(url)} (${code ?? message}); ${hintFor(service, url)}`;
}

/** The sentence for a configured database that does not exist (commands never create it, serve and migrate do). */
export function missingDatabaseSentence(name: string): string {
  return `database "${name}" does not exist; \`evalpool migrate\` creates it (so does \`evalpool serve\` on start)`;
}

/** The sentence for a database without the evalpool tables. */
export function unmigratedDatabaseSentence(name: string): string {
  return `database "${name}" has no evalpool tables; run \`evalpool migrate\``;
}

/** The sentence for a table missing from a database that has others: not migrated, or older than this evalpool. */
function missingTableSentence(name: string, message: string): string {
  return `database "${name}" lacks a table this evalpool needs (${message}): it is not migrated, or older than this version; run \`evalpool migrate\``;
}

/** The database Postgres names in a 3D000 message (the maintenance database, for one), else the configured one. */
function missingDatabaseName(message: string, url: string): string {
  return /^database "(.+)" does not exist$/.exec(message)?.[1] ?? databaseName(url);
}

function databaseName(url: string): string {
  try {
    return splitDatabaseUrl(url).name;
  } catch {
    return '?';
  }
}

/**
 * One sentence for a Postgres refusal the user can fix (database missing or not migrated, a
 * role or password refused), by the SQLSTATE code Postgres sent; undefined for anything else.
 */
function explainPostgresRefusal(error: unknown, url: string): string | undefined {
  const postgres = postgresErrorOf(error);
  switch (postgres?.code) {
    case SQL_STATE.invalidCatalogName: {
      const name = missingDatabaseName(postgres.message, url);
      // Creating or dropping goes through the server's maintenance database: missing, migrate cannot help.
      return name === databaseName(url)
        ? missingDatabaseSentence(name)
        : `database "${name}" does not exist on the server of ${maskUrlPassword(url)}: evalpool reaches it to create or drop "${databaseName(url)}"; create it (createdb ${name}) or ask the server's administrator`;
    }
    case SQL_STATE.undefinedTable:
      return missingTableSentence(databaseName(url), postgres.message);
    case SQL_STATE.invalidAuthorization:
    case SQL_STATE.invalidPassword:
      return `Postgres refused the connection to ${maskUrlPassword(url)}: ${postgres.message}; put the user (and password) in EVALPOOL_DATABASE_URL, e.g. ${DATABASE_URL_DEFAULT}`;
    default:
      return undefined;
  }
}

/** What {@link explainStartError} needs to know of the configuration. */
export interface StartSettings {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** The HTTP API's port (`EVALPOOL_PORT`). */
  readonly port: number;
  /** The command's flag that sets that port (`demo --port`): the hint names it rather than EVALPOOL_PORT. */
  readonly portFlag?: string;
}

/**
 * One sentence for the errors users meet when starting a command: Postgres or Redis not
 * running, a Redis database index the server does not have, the database missing, unmigrated or refusing the role, the API's port taken.
 * Undefined for anything else.
 */
export function explainStartError(error: unknown, settings: StartSettings): string | undefined {
  const taken = chainOf(error).find((e) => e.code === 'EADDRINUSE');
  if (taken) {
    const port = taken.port ?? settings.port;
    return port === settings.port
      ? `port ${port} is already in use, so the HTTP API cannot listen on it: stop what holds it, or ${settings.portFlag === undefined ? 'set EVALPOOL_PORT to another port' : `pass another port to ${settings.portFlag}`} (0 picks a free one)`
      : `port ${port} is already in use: ${taken.message ?? 'address in use'}`;
  }
  const database = errorChain(error).find((e): e is RedisDatabaseRefusedError => e instanceof RedisDatabaseRefusedError);
  if (database)
    return `EVALPOOL_REDIS_URL ${maskUrlPassword(database.url)} names database ${database.database}, which the Redis server refuses ("${database.answer}"): use an index it has (0-${REDIS_DATABASES_DEFAULT - 1} unless its "databases" setting says otherwise)`;
  const refused = explainPostgresRefusal(error, settings.databaseUrl);
  if (refused !== undefined) return refused;
  const service = serviceOf(error, settings);
  return explainConnectionError(error, service, service === 'postgres' ? settings.databaseUrl : settings.redisUrl);
}
