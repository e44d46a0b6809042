import { Kysely, PostgresDialect } from 'kysely';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { DATABASE_CONNECT_TIMEOUT_MS, DATABASE_READ_TIMEOUT_MARGIN_MS, DATABASE_STATEMENT_TIMEOUT_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import { listenForConnectionLoss } from './connection-loss.ts';
import pg from './pg.ts';
import type { Database } from './schema.ts';

/** Postgres types: int8 (bigserial ids, block numbers) as JS numbers; all our values fit 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as typeof pg.types.getTypeParser,
};

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Fails a query that cannot get a connection within this time (Postgres down). */
  readonly connectTimeoutMs?: number;
  /**
   * Longest one statement may run: the server cancels it (SQLSTATE 57014), and the client gives up
   * {@link DATABASE_READ_TIMEOUT_MARGIN_MS} later when the server does not answer at all. 0 = none.
   */
  readonly statementTimeoutMs?: number;
  readonly logger: Logger;
  /** Called with each new connection before its first query (tests load auto_explain through it). */
  readonly onConnect?: (client: PoolClient) => void;
}

/** A Kysely instance over a `pg` pool; `destroy()` closes the pool and is safe to call twice. */
export function createDatabase(options: DatabaseOptions): Kysely<Database> {
  const statementTimeoutMs = options.statementTimeoutMs ?? DATABASE_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DATABASE_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // Every query is bounded (docs/design.md: everything bounded): a stuck statement is cancelled by
    // the server, and a server that answers nothing is given up on by the client.
    ...(statementTimeoutMs > 0
      ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + DATABASE_READ_TIMEOUT_MARGIN_MS }
      : {}),
    keepAlive: true,
    types,
  });
  // A connection lost (Postgres restarted, its backend terminated) must not crash the process,
  // whether the client idles in the pool or is checked out: each client listens for its whole
  // life and reports the loss once; the query in flight fails, the pool drops the client, and
  // the next query opens a new connection.
  pool.on('connect', (client) => {
    listenForConnectionLoss(client, (error) =>
      options.logger.warn(
        { component: 'db', err: error.message, code: (error as { code?: string }).code },
        'a Postgres connection was lost; the pool opens a new one',
      ),
    );
    options.onConnect?.(client);
  });
  // pg-pool re-emits an idle client's error here; the client's own listener above reported it.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The database of a process's configuration (URL and statement timeout), with `poolSize` connections. */
export function createConfiguredDatabase(storage: Config['storage'], poolSize: number, logger: Logger): Kysely<Database> {
  return createDatabase({ url: storage.databaseUrl, statementTimeoutMs: storage.databaseStatementTimeoutMs, poolSize, logger });
}
