import { errorChain } from '../runtime/error-chain.ts';

/**
 * The Postgres SQLSTATE codes evalpool acts on (https://www.postgresql.org/docs/current/errcodes-appendix.html),
 * named once here instead of as bare literals where they are tested.
 */
export const SQL_STATE = {
  /** invalid_authorization_specification: no user name, or a role that does not exist. */
  invalidAuthorization: '28000',
  /** invalid_password. */
  invalidPassword: '28P01',
  /** invalid_catalog_name: the database does not exist. */
  invalidCatalogName: '3D000',
  /** undefined_table: the database exists, the table does not (not migrated). */
  undefinedTable: '42P01',
  /** duplicate_database: CREATE DATABASE raced another creator. */
  duplicateDatabase: '42P04',
  /** unique_violation. */
  uniqueViolation: '23505',
} as const;

/**
 * The error Postgres sent, found in `error`'s cause chain: pg's DatabaseError carries the
 * SQLSTATE as `code` and a `severity` (which tells it apart from a system error such as EPIPE).
 */
export function postgresErrorOf(error: unknown): { readonly code: string; readonly message: string } | undefined {
  for (const link of errorChain(error) as { code?: unknown; message?: unknown; severity?: unknown }[]) {
    if (typeof link.code === 'string' && typeof link.severity === 'string' && /^[0-9A-Z]{5}$/.test(link.code))
      return { code: link.code, message: typeof link.message === 'string' ? link.message : link.code };
  }
  return undefined;
}
