import type { Client, ClientBase } from 'pg';
import { DATABASE_CONNECT_TIMEOUT_MS } from '../config/constants.ts';
import pg from './pg.ts';

/**
 * Gives a pg client an `'error'` listener for its whole life, reporting the first error only.
 *
 * pg emits `'error'` on a client whose server goes away (Postgres restarted, the backend
 * terminated, the network cut), also while the client runs no query, and an `'error'` nobody
 * listens to is an uncaught exception that ends the process. pg-pool listens only while a client
 * idles in the pool: it detaches its listener while the client is checked out (a transaction, a
 * query in flight). With this listener the error does what it should: the query in flight fails
 * and is handled by whoever awaits it, the pool drops the broken client, and the next query opens
 * a new connection. A client emits twice for one loss (the server's FATAL message, then the
 * socket's end), hence once.
 */
export function listenForConnectionLoss(client: ClientBase, report: (error: Error) => void): void {
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    report(error);
  });
}

/**
 * A connected single `pg.Client` (maintenance commands, the bench's baseline). A lost connection
 * fails the query in flight, which its caller reports; the process goes on.
 */
export async function connectClient(url: string, connectTimeoutMs = DATABASE_CONNECT_TIMEOUT_MS): Promise<Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  listenForConnectionLoss(client, () => undefined);
  await client.connect();
  return client;
}
