import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fetchLatestWeights, parseLatestWeights, WeightsResponseError } from '../../src/chain/weights-response.ts';
import { startWeightsServer, weightsBody } from './weights-server.ts';

describe('GET /v1/weights/latest', () => {
  test('accepts the backend format and refuses malformed documents, naming the field', () => {
    const ok = parseLatestWeights(weightsBody(120, [0, 3], [40_000, 25_535]));
    assert.deepEqual(ok.weights_u16, { uids: [0, 3], values: [40_000, 25_535] });
    const bad: [unknown, RegExp][] = [
      [{ ...weightsBody(1, [0], [1]), block_number: -1 }, /block_number: /],
      [{ ...weightsBody(1, [0], [1]), weights_u16: { uids: [0, 1], values: [1] } }, /differ in length/],
      [{ ...weightsBody(1, [0], [1]), weights_u16: { uids: [0, 0], values: [1, 2] } }, /duplicates/],
      [{ ...weightsBody(1, [0], [1]), weights_u16: { uids: [0], values: [70_000] } }, /weights_u16\.values\.0: /],
      [{ ...weightsBody(1, [0], [1]), weights: { x: 1 } }, /weights\.x: keys must be uids/],
      ['nope', /invalid \/v1\/weights\/latest response/],
    ];
    for (const [body, pattern] of bad)
      assert.throws(
        () => parseLatestWeights(body),
        (error: unknown) => error instanceof WeightsResponseError && pattern.test(error.message),
      );
  });

  test('404 before the first weights is "nothing yet"; 5xx is retried with backoff', async () => {
    let calls = 0;
    const server = await startWeightsServer((req, res) => {
      calls += 1;
      if (calls === 1) return void res.writeHead(404).end('{"error":"no weights yet"}');
      if (calls <= 3) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(weightsBody(7, [1], [65_535])));
    });
    try {
      assert.equal(await fetchLatestWeights(server.url, { backoffMs: 1 }), null);
      const latest = await fetchLatestWeights(`${server.url}/`, { backoffMs: 1, attempts: 3 });
      assert.equal(latest?.block_number, 7);
      assert.deepEqual(server.requests, Array(4).fill('GET /v1/weights/latest'));
    } finally {
      await server.close();
    }
  });

  test('gives up after the attempts, with the status; an invalid body is not retried', async () => {
    let mode: 'fail' | 'garbage' = 'fail';
    const server = await startWeightsServer((_req, res) => {
      if (mode === 'fail') return void res.writeHead(500, 'Internal Server Error').end();
      res.writeHead(200).end('<html>');
    });
    try {
      await assert.rejects(fetchLatestWeights(server.url, { backoffMs: 1, attempts: 2 }), /answered 500 Internal Server Error/);
      assert.equal(server.requests.length, 2);
      mode = 'garbage';
      await assert.rejects(fetchLatestWeights(server.url, { backoffMs: 1, attempts: 5 }), /the body is not JSON/);
      assert.equal(server.requests.length, 3);
    } finally {
      await server.close();
    }
  });

  test('a backend that never answers times out', async () => {
    const server = await startWeightsServer(() => undefined);
    try {
      // The limit leaves a loaded machine room to deliver each request before giving up on it.
      await assert.rejects(
        fetchLatestWeights(server.url, { timeoutMs: 3_000, attempts: 2, backoffMs: 1 }),
        /did not answer within 3000 ms/,
      );
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });
});
