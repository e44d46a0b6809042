import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Makes Postgres end the current transaction, and its session, once it sits idle for `ms` (SET
 * LOCAL `idle_in_transaction_session_timeout`, so for this transaction only): a client frozen
 * mid-transaction (SIGSTOP, a frozen VM, a stalled event loop) then releases its locks after `ms`
 * instead of holding them until it resumes, since its idle connection looks healthy to the server.
 * The client's next statement fails as a lost connection (SQLSTATE 25P03 or a closed socket).
 */
export async function limitIdleInTransaction(trx: Kysely<Database>, ms: number): Promise<void> {
  await sql`select set_config('idle_in_transaction_session_timeout', ${String(Math.max(1, Math.round(ms)))}, true)`.execute(trx);
}
