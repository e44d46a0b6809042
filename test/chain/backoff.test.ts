import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CallTimeoutError, withTimeout } from '../../src/chain/with-timeout.ts';
import { Backoff } from '../../src/runtime/backoff.ts';
import { errorMessage } from '../../src/runtime/error-message.ts';

describe('backoff, timeouts and error messages', () => {
  test('backoff doubles per failure up to the maximum, with ±20 % jitter, and resets on success', () => {
    let r = 0.5;
    const backoff = new Backoff({ minMs: 1_000, maxMs: 8_000, random: () => r });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => backoff.fail(0)),
      [1_000, 2_000, 4_000, 8_000, 8_000],
    );
    assert.equal(backoff.waitMs(3_000), 5_000);
    backoff.succeed();
    assert.equal(backoff.waitMs(0), 0);
    r = 0;
    assert.equal(backoff.fail(0), 800);
    r = 0.999;
    assert.ok(backoff.fail(0) <= 2_400);
    assert.throws(() => new Backoff({ minMs: 5, maxMs: 1 }), RangeError);
  });

  test('withTimeout: result, timeout, abort, and non-Error rejections keep their message', async () => {
    assert.equal(await withTimeout(Promise.resolve(1), 1_000, 'x'), 1);
    await assert.rejects(
      withTimeout(new Promise(() => undefined), 10, 'chain_getHeader'),
      (e: unknown) => e instanceof CallTimeoutError && e.message === 'chain_getHeader did not answer within 10 ms',
    );
    const controller = new AbortController();
    const pending = withTimeout(new Promise(() => undefined), 10_000, 'x', controller.signal);
    controller.abort(new Error('stopping'));
    await assert.rejects(pending, /stopping/);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a WebSocket provider emits
    await assert.rejects(withTimeout(Promise.reject({ message: 'getaddrinfo ENOTFOUND node' }), 1_000, 'x'), /getaddrinfo ENOTFOUND node/);
  });

  test('errorMessage never says [object Object]', () => {
    assert.equal(errorMessage(new Error('a')), 'a');
    assert.equal(errorMessage({ error: new Error('inner') }), 'inner');
    assert.equal(errorMessage({ code: 1 }), '{"code":1}');
    assert.equal(errorMessage('text'), 'text');
  });
});
