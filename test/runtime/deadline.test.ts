import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { DeadlineError, withDeadline } from '../../src/runtime/deadline.ts';

void describe('withDeadline', () => {
  void test('settles like the promise, or rejects at the deadline with the default or the given error', async () => {
    assert.equal(await withDeadline(Promise.resolve(1), 1_000), 1);
    await assert.rejects(
      withDeadline(new Promise(() => undefined), 10),
      (e: unknown) => e instanceof DeadlineError && e.message === 'no answer within 10 ms',
    );
    await assert.rejects(withDeadline(new Promise(() => undefined), 10, { timeoutError: () => new RangeError('late') }), RangeError);
  });

  void test('an abort ends the wait with the reason or the given error, and the listener is removed', async () => {
    const controller = new AbortController();
    const pending = withDeadline(new Promise(() => undefined), undefined, { signal: controller.signal });
    controller.abort(new Error('stopping'));
    await assert.rejects(pending, /stopping/);
    await assert.rejects(
      withDeadline(Promise.resolve(1), 1_000, { signal: controller.signal, abortError: () => new TypeError('gone') }),
      TypeError,
    );
    const open = new AbortController();
    await withDeadline(Promise.resolve(1), 1_000, { signal: open.signal });
    assert.equal(getEventListeners(open.signal, 'abort').length, 0);
  });

  void test('a rejection that is not an Error keeps its message', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a WebSocket provider emits
    await assert.rejects(withDeadline(Promise.reject({ message: 'getaddrinfo ENOTFOUND node' }), 1_000), /getaddrinfo ENOTFOUND node/);
  });
});
