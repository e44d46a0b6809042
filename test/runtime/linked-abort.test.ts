import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { linkedAbort } from '../../src/runtime/linked-abort.ts';

void describe('linkedAbort', () => {
  void test('aborts with the parent, and on its own', () => {
    const parent = new AbortController();
    const link = linkedAbort(parent.signal);
    parent.abort(new Error('shutdown'));
    assert.equal(link.signal.aborted, true);
    assert.equal((link.signal.reason as Error).message, 'shutdown');
    const own = linkedAbort(new AbortController().signal);
    own.abort('mine');
    assert.equal(own.signal.reason, 'mine');
    assert.equal(linkedAbort(AbortSignal.abort('early')).signal.reason, 'early');
    assert.equal(linkedAbort(undefined).signal.aborted, false);
  });

  void test('dispose leaves nothing on a long-lived parent', () => {
    const parent = new AbortController().signal;
    for (let i = 0; i < 1_000; i++) linkedAbort(parent).dispose();
    assert.equal(getEventListeners(parent, 'abort').length, 0);
  });
});
