import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parseDeclaredConcurrency, probeDeclaredConcurrency } from '../../src/miners/declared-concurrency.ts';
import { type Handler, refusedPort, startTestServer } from './test-server.ts';

const servers: { close(): Promise<void> }[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function probe(
  handler: Handler,
  options: { timeoutMs?: number; maxBytes?: number } = {},
): ReturnType<typeof probeDeclaredConcurrency> {
  const server = await startTestServer(handler);
  servers.push(server);
  return probeDeclaredConcurrency(`${server.url}/miner/`, { max: 32, timeoutMs: 500, ...options });
}

const json =
  (body: string, status = 200): Handler =>
  (_request, response) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);

void describe('a miner’s declared concurrency', () => {
  void test('read from GET {endpoint}/health; no declaration is one episode at a time', async () => {
    const server = await startTestServer((request, response) =>
      json(request.url === '/miner/health' ? '{"status":"ok","max_concurrent_episodes":4}' : '{}', 200)(request, response, ''),
    );
    servers.push(server);
    assert.deepEqual(await probeDeclaredConcurrency(`${server.url}/miner/`, { max: 32 }), { episodes: 4 });
    assert.deepEqual(
      await probe(json('{"status":"healthy","model_loaded":true,"uptime_seconds":3.2}')),
      { episodes: 1 },
      "the subnet's template answers this",
    );
  });

  void test('a miner cannot declare its way past the slots ceiling: 10^9 counts as the ceiling', async () => {
    assert.deepEqual(await probe(json('{"max_concurrent_episodes":1000000000}')), {
      episodes: 32,
      problem: 'max_concurrent_episodes 1000000000 cut to 32',
    });
    assert.equal((await probe(json('{"max_concurrent_episodes":1e400}'))).episodes, 1, 'Infinity is not a count');
  });

  void test('zero, negative, fractional, string, null and non-object answers are a fallback of one, with the reason', () => {
    for (const value of [0, -3, 2.5, '4', null, true, [4], { n: 4 }]) {
      const answer = parseDeclaredConcurrency({ max_concurrent_episodes: value }, 32);
      assert.equal(answer.episodes, 1, JSON.stringify(value));
      assert.match(answer.problem ?? '', /is not a positive integer/);
      assert.equal(answer.fallback, true, 'a malformed declaration declares nothing: the leader keeps an earlier one');
    }
    for (const body of [null, 4, 'x', [{ max_concurrent_episodes: 4 }]])
      assert.deepEqual(parseDeclaredConcurrency(body, 32), {
        episodes: 1,
        problem: 'the /health body is not a JSON object',
        fallback: true,
      });
    // An inherited key is not a declaration.
    assert.deepEqual(parseDeclaredConcurrency(Object.create({ max_concurrent_episodes: 8 }) as object, 32), { episodes: 1 });
  });

  void test('a /health that hangs, trickles, is huge, is not JSON, redirects, fails or is missing is a fallback of one', async () => {
    const hang = await probe(() => undefined, { timeoutMs: 300 });
    assert.deepEqual(hang, { episodes: 1, problem: 'no /health answer within 300 ms', fallback: true });
    const trickle = await probe(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"max_concurrent_episodes":');
        // ...and never the rest.
      },
      { timeoutMs: 300 },
    );
    assert.equal(trickle.episodes, 1);
    assert.equal(trickle.fallback, true);
    assert.match(trickle.problem ?? '', /within 300 ms/);
    const huge = await probe(json(`{"max_concurrent_episodes":8,"pad":"${'x'.repeat(100_000)}"}`), { maxBytes: 1_000 });
    assert.deepEqual(huge, { episodes: 1, problem: '/health failed: the /health body is over 1000 bytes', fallback: true });
    assert.deepEqual(await probe(json('{"max_concurrent_episodes": NaN}')), {
      episodes: 1,
      problem: 'the /health body is not JSON',
      fallback: true,
    });
    assert.deepEqual(await probe((_request, response) => response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end()), {
      episodes: 1,
      problem: '/health answered HTTP 302',
      fallback: true,
    });
    assert.deepEqual(await probe(json('{"max_concurrent_episodes":8}', 500)), {
      episodes: 1,
      problem: '/health answered HTTP 500',
      fallback: true,
    });
    assert.deepEqual(await probe(json('not found', 404)), { episodes: 1, problem: '/health answered HTTP 404', fallback: true });
    const refused = await probeDeclaredConcurrency(`http://127.0.0.1:${await refusedPort()}`, { max: 32, timeoutMs: 2_000 });
    assert.equal(refused.episodes, 1);
    assert.equal(refused.fallback, true);
    assert.match(refused.problem ?? '', /\/health failed: .*ECONNREFUSED/);
  });

  void test('the caller’s signal cuts a probe short', async () => {
    const server = await startTestServer(() => undefined);
    servers.push(server);
    const answer = await probeDeclaredConcurrency(server.url, { max: 32, timeoutMs: 60_000, signal: AbortSignal.abort() });
    assert.equal(answer.episodes, 1);
  });
});
