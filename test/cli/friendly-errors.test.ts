import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainStartError, serviceOf } from '../../src/cli/friendly-errors.ts';

const settings = { databaseUrl: 'postgres://u:pw@127.0.0.1:5432/evalpool', redisUrl: 'redis://127.0.0.1:6379', port: 8000 };

function refused(port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED', port, address: '127.0.0.1' });
}

describe('friendly start errors', () => {
  test('Redis is recognised by a message naming it or by its port, Postgres otherwise', () => {
    const waited = Object.assign(new Error('Redis not ready within 5000 ms: connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
    assert.equal(serviceOf(waited, settings), 'redis');
    assert.equal(serviceOf(refused(6379), settings), 'redis');
    assert.equal(serviceOf(new AggregateError([refused(6379)], ''), settings), 'redis');
    assert.equal(serviceOf(refused(5432), settings), 'postgres');
    assert.equal(serviceOf(new Error('password authentication failed'), settings), 'postgres');
  });

  test('Redis down gets the Redis sentence, not the Postgres one', () => {
    const text = explainStartError(refused(6379), settings);
    assert.match(text ?? '', /^Redis is not answering at redis:\/\/127\.0\.0\.1:6379 \(ECONNREFUSED\); start it with: redis-server/);
  });

  test('Postgres down gets the Postgres sentence, with the password masked', () => {
    const text = explainStartError(new AggregateError([refused(5432)], ''), settings);
    assert.match(
      text ?? '',
      /^Postgres is not answering at postgres:\/\/u:\*\*\*@127\.0\.0\.1:5432\/evalpool \(ECONNREFUSED\); start it with: pg_ctlcluster/,
    );
  });

  test("the API's port in use names EVALPOOL_PORT; other errors are left alone", () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8000'), { code: 'EADDRINUSE', port: 8000 });
    assert.match(explainStartError(inUse, settings) ?? '', /^port 8000 is already in use.*set EVALPOOL_PORT to another port/);
    assert.equal(explainStartError(new Error('relation "x" does not exist'), settings), undefined);
  });
});

describe('friendly start errors name the real address', () => {
  test('a Redis on another port is told to start on that port, a remote one to be checked', () => {
    const moved = { ...settings, redisUrl: 'redis://127.0.0.1:6999' };
    const text = explainStartError(refused(6999), moved) ?? '';
    assert.match(text, /^Redis is not answering at redis:\/\/127\.0\.0\.1:6999 .*redis-server --daemonize yes --port 6999 /);
    assert.doesNotMatch(text, /6379/);
    const remote = { ...settings, redisUrl: 'redis://cache.internal:6380' };
    const far = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6380'), { code: 'ECONNREFUSED', port: 6380 });
    assert.match(
      explainStartError(far, remote) ?? '',
      /check that it runs and is reachable at cache\.internal:6380 \(or set EVALPOOL_REDIS_URL\)$/,
    );
  });

  test('a Postgres on another port is not told to start the default cluster as if that were it', () => {
    const moved = { ...settings, databaseUrl: 'postgres://postgres@127.0.0.1:5433/evalpool' };
    assert.match(explainStartError(refused(5433), moved) ?? '', /start the cluster that listens on port 5433/);
  });

  test('a missing database is named as Postgres names it: the maintenance database is not the configured one, and migrate cannot create it', () => {
    const missing = (name: string) => Object.assign(new Error(`database "${name}" does not exist`), { code: '3D000', severity: 'FATAL' });
    assert.match(
      explainStartError(missing('evalpool'), settings) ?? '',
      /^database "evalpool" does not exist; `evalpool migrate` creates it/,
    );
    assert.equal(
      explainStartError(missing('postgres'), settings),
      'database "postgres" does not exist on the server of postgres://u:***@127.0.0.1:5432/evalpool: evalpool reaches it to create or drop "evalpool"; create it (createdb postgres) or ask the server\'s administrator',
    );
    // A system error with a five-letter code is not a Postgres answer.
    assert.equal(explainStartError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), settings), undefined);
  });
});
