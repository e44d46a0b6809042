import { DATABASE_CONNECT_TIMEOUT_MS } from '../config/constants.ts';
import { connectClient } from './connection-loss.ts';
import { postgresErrorOf, SQL_STATE } from './sql-state.ts';

/** The database name of a Postgres URL, and the same URL pointing at the maintenance database. */
export function splitDatabaseUrl(url: string): { readonly name: string; readonly adminUrl: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (name === '') throw new Error('the database URL names no database (expected .../<name>)');
  parsed.pathname = '/postgres';
  return { name, adminUrl: parsed.toString() };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Creates the database named in `url` when it does not exist; returns whether it was created. */
export async function ensureDatabase(url: string, connectTimeoutMs = DATABASE_CONNECT_TIMEOUT_MS): Promise<boolean> {
  const { name, adminUrl } = splitDatabaseUrl(url);
  const client = await connectClient(adminUrl, connectTimeoutMs);
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount && found.rowCount > 0) return false;
    try {
      await client.query(`create database ${quoteIdent(name)}`);
    } catch (error) {
      // Another process created it between our check and our create.
      if (postgresErrorOf(error)?.code === SQL_STATE.duplicateDatabase) return false;
      throw error;
    }
    return true;
  } finally {
    await client.end();
  }
}

/** Drops the database named in `url` (used by `db reset --force` and test cleanup). */
export async function dropDatabase(url: string, connectTimeoutMs = DATABASE_CONNECT_TIMEOUT_MS): Promise<void> {
  const { name, adminUrl } = splitDatabaseUrl(url);
  const client = await connectClient(adminUrl, connectTimeoutMs);
  try {
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await client.end();
  }
}
