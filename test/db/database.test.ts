import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { DATABASE_READ_TIMEOUT_MARGIN_MS, DATABASE_STATEMENT_TIMEOUT_MS } from '../../src/config/constants.ts';
import { createDatabase } from '../../src/db/database.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';

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
