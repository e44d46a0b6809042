import assert from 'node:assert/strict';
import { getEventListeners, once } from 'node:events';
import { describe, test } from 'node:test';
import { linkedAbort, timedAbort } from '../../src/runtime/linked-abort.ts';
import { asPeerWork } from '../../src/runtime/loop-stall.ts';
import { stallLoop } from '../helpers/stall-loop.ts';

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

void describe('timedAbort', () => {
  void test('a deadline met by a running loop is a plain timeout', async () => {
    const link = timedAbort(undefined, 50, 'late');
    await once(link.signal, 'abort');
    assert.equal(link.timedOut, true);
    assert.equal(link.workerStalled, false);
    link.dispose();
  });

  void test("a deadline that fires after this process stalled past it is the worker's, not the other side's", async () => {
    const link = timedAbort(undefined, 50, 'late');
    stallLoop(600);
    await once(link.signal, 'abort');
    assert.equal(link.timedOut, true);
    assert.equal(link.workerStalled, true);
    assert.match((link.signal.reason as Error).message, /stalled/);
    link.dispose();
  });

  void test('a stall spent on a peer’s answer (asPeerWork) is not this process’s: a plain timeout', async () => {
    const link = timedAbort(undefined, 50, 'late');
    asPeerWork(() => stallLoop(600));
    await once(link.signal, 'abort');
    assert.deepEqual([link.timedOut, link.workerStalled], [true, false]);
    link.dispose();
  });

  void test('a deadline that comes due after a stall waits a few more turns: an answer read meanwhile (dispose) leaves it unfired', async () => {
    const link = timedAbort(undefined, 50, 'late');
    stallLoop(600);
    // The late timer has come due in this turn's timers phase; the check phase runs after it.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(link.signal.aborted, false);
    assert.equal(link.timedOut, false);
    link.dispose();
  });

  void test('a stall long before the deadline does not count: the loop read its sockets since', async () => {
    const link = timedAbort(undefined, 1_500, 'late');
    stallLoop(400);
    await once(link.signal, 'abort');
    assert.equal(link.workerStalled, false);
    link.dispose();
  });
});
