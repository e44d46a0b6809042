import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { DATABASE_READ_TIMEOUT_MARGIN_MS, DATABASE_STATEMENT_TIMEOUT_MS } from '../../src/config/constants.ts';
import { connectClient } from '../../src/db/connection-loss.ts';
import { createDatabase } from '../../src/db/database.ts';
import { unavailableDependency } from '../../src/runtime/unavailable-dependency.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';
import { waitFor } from '../helpers/wait-for.ts';

const database = useTestDatabase();

describe('every query is bounded', () => {
  test('a statement longer than the statement timeout is cancelled by the server (57014); the pool goes on', async () => {
    const db = createDatabase({ url: database.url, poolSize: 1, statementTimeoutMs: 200, logger: testLogger() });
    try {
      await assert.rejects(sql`select pg_sleep(30)`.execute(db), (error: { code?: string }) => error.code === '57014');
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(db)).rows, [{ one: 1 }]);
    } finally {
      await db.destroy();
    }
  });

  test('0 turns the limit off; the default is on', async () => {
    const db = createDatabase({ url: database.url, poolSize: 1, statementTimeoutMs: 0, logger: testLogger() });
    try {
      assert.deepEqual((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db)).rows, [{ statement_timeout: '0' }]);
    } finally {
      await db.destroy();
    }
    const setting = sql<{ setting: string }>`select setting from pg_settings where name = 'statement_timeout'`;
    assert.deepEqual((await setting.execute(database.db)).rows, [{ setting: String(DATABASE_STATEMENT_TIMEOUT_MS) }]);
  });

  test(`a server that answers nothing (half-open connection): the client gives up ${DATABASE_READ_TIMEOUT_MARGIN_MS} ms after the statement timeout`, async () => {
    const url = new URL(database.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const db = createDatabase({ url: url.toString(), poolSize: 1, statementTimeoutMs: 100, logger: testLogger() });
    try {
      await sql`select 1`.execute(db); // connected through the proxy
      proxy.freeze();
      await assert.rejects(sql`select 1`.execute(db), /Query read timeout/);
    } finally {
      proxy.thaw();
      await db.destroy();
      await proxy.close();
    }
  });
});

/** Terminates a backend from another connection, as an operator or a failover would. */
async function terminate(pid: number): Promise<void> {
  await sql`select pg_terminate_backend(${pid})`.execute(database.db);
  await waitFor(
    `backend ${pid} gone`,
    async () => (await sql`select 1 from pg_stat_activity where pid = ${pid}`.execute(database.db)).rows.length === 0,
  );
}

const backendPid = sql<{ pid: number }>`select pg_backend_pid() as pid`;

describe('a lost connection fails its query, never the process', () => {
  test('a checked-out connection (in a transaction) whose backend is terminated: the transaction fails as Postgres unavailable, one log line, the pool reconnects', async () => {
    const { logger, lines } = capturingLogger();
    const db = createDatabase({ url: database.url, poolSize: 1, logger });
    try {
      const failure = await db
        .transaction()
        .execute(async (trx) => {
          const { pid } = (await backendPid.execute(trx)).rows[0]!;
          // Checked out and between statements: pg-pool's own listener is detached now.
          await terminate(pid);
          await sql`select 1`.execute(trx);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      assert.ok(failure instanceof Error, 'the transaction failed');
      assert.equal(unavailableDependency(failure), 'Postgres', String(failure));
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(db)).rows, [{ one: 1 }]);
      assert.equal(
        lines.filter((l) => l.msg === 'a Postgres connection was lost; the pool opens a new one').length,
        1,
        JSON.stringify(lines),
      );
    } finally {
      await db.destroy();
    }
  });

  test('an idle connection whose backend is terminated is reported once, and the next query reconnects', async () => {
    const { logger, lines } = capturingLogger();
    const db = createDatabase({ url: database.url, poolSize: 1, logger });
    try {
      const { pid } = (await backendPid.execute(db)).rows[0]!;
      await terminate(pid);
      await waitFor('the loss reported', () => lines.some((l) => l.msg === 'a Postgres connection was lost; the pool opens a new one'));
      const { pid: next } = (await backendPid.execute(db)).rows[0]!;
      assert.notEqual(next, pid);
      assert.equal(
        lines.filter((l) => l.msg === 'a Postgres connection was lost; the pool opens a new one').length,
        1,
        JSON.stringify(lines),
      );
    } finally {
      await db.destroy();
    }
  });

  test('a single client (maintenance commands) whose backend is terminated: its next query fails, the process goes on', async () => {
    const client = await connectClient(database.url);
    try {
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await terminate(pid);
      await assert.rejects(client.query('select 1'), (error) => unavailableDependency(error) === 'Postgres');
    } finally {
      await client.end().catch(() => undefined);
    }
  });
});
