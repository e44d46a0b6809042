import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from './schema.ts';

/** Postgres types: int8 (bigserial ids, block numbers) as JS numbers; all our values fit 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as typeof pg.types.getTypeParser,
};

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Fails a query that cannot get a connection within this time (Postgres down). */
  readonly connectTimeoutMs?: number;
  readonly logger: Logger;
}

/** A Kysely instance over a `pg` pool; `destroy()` closes the pool and is safe to call twice. */
export function createDatabase(options: DatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle client losing its connection (Postgres restarted) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', (error) => options.logger.warn({ component: 'db', err: error.message }, 'idle Postgres connection lost'));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
