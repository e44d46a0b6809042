import { errorChain } from './error-chain.ts';

/** A service evalpool cannot answer without. */
export type Dependency = 'Postgres' | 'Redis';

/**
 * SQLSTATEs that say the server is not answering rather than that the statement is wrong:
 * class 08 (connection exception), 53 (insufficient resources: too many connections, ...),
 * 57P01-57P05 (shutdown, crash, starting up, database dropped, idle session timeout) and 57014
 * (cancelled: the statement timeout, a server too slow to answer).
 */
const POSTGRES_CODE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-5]|57014)$/;

/** What pg and pg-pool throw, without a SQLSTATE, when the connection is gone or never came. */
const POSTGRES_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed)/;

/** Socket errors; pg passes them on as they are (ioredis wraps its own, see below). */
const SOCKET_CODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** What ioredis rejects a command with while Redis is down (retries used up, offline, connection closed). */
const REDIS_MESSAGE = /^(Reached the max retries per request limit|Stream isn't writeable|Connection is closed|Command timed out)/;

/**
 * Which dependency an error says is not answering (down, restarting, unreachable, too slow), or
 * undefined when the error is about something else (a bug, a constraint, bad input). One
 * classification for the API's 503 and the logs.
 */
export function unavailableDependency(error: unknown): Dependency | undefined {
  const chain = errorChain(error);
  const text = (e: { message?: unknown }): string => (typeof e.message === 'string' ? e.message : '');
  if (chain.some((e) => e.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGE.test(text(e)))) return 'Redis';
  for (const e of chain) {
    if (typeof e.code === 'string' && (POSTGRES_CODE.test(e.code) || SOCKET_CODE.has(e.code))) return 'Postgres';
    if (POSTGRES_MESSAGE.test(text(e))) return 'Postgres';
  }
  return undefined;
}
