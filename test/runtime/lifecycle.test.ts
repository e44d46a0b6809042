import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REPEATED_SIGNAL_WINDOW_MS } from '../../src/config/constants.ts';
import { Lifecycle, stopOnSignals } from '../../src/runtime/lifecycle.ts';
import { capturingLogger } from '../helpers/test-logger.ts';

describe('Lifecycle', () => {
  test('stops in reverse order of start, once, even when called twice', async () => {
    const { logger } = capturingLogger();
    const lifecycle = new Lifecycle(logger);
    const order: string[] = [];
    for (const name of ['db', 'redis', 'http']) lifecycle.defer(name, () => Promise.resolve(void order.push(name)));
    const [a, b] = await Promise.all([lifecycle.stopAll(1_000), lifecycle.stopAll(1_000)]);
    assert.deepEqual(order, ['http', 'redis', 'db']);
    assert.equal(a, true);
    assert.equal(b, true);
    assert.throws(() => lifecycle.defer('late', () => Promise.resolve()), /stopping/);
  });

  test('a failing or hanging stop is reported and the others still stop', async () => {
    const { logger, lines } = capturingLogger();
    const lifecycle = new Lifecycle(logger);
    const stopped: string[] = [];
    lifecycle.defer('first', () => Promise.resolve(void stopped.push('first')));
    lifecycle.defer('hangs', () => new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref()));
    lifecycle.defer('throws', () => Promise.reject(new Error('boom')));
    const clean = await lifecycle.stopAll(200);
    assert.equal(clean, false);
    assert.deepEqual(stopped, []);
    assert.ok(lines.some((l) => l.resource === 'throws' && l.msg === 'resource failed to stop'));
    assert.ok(lines.some((l) => l.resource === 'hangs' && String(l.msg).includes('grace')));
    assert.ok(lines.some((l) => l.resource === 'first' && String(l.msg).includes('grace')));
  });

  test('stopOnSignals: a signal repeated at once (npm forwarding Ctrl-C) is the same request; a later one forces exit 1', async () => {
    const { logger } = capturingLogger();
    const lifecycle = new Lifecycle(logger);
    let release!: () => void;
    lifecycle.defer('slow', () => new Promise<void>((resolve) => (release = resolve)));
    const exits: number[] = [];
    const remove = stopOnSignals(lifecycle, logger, 30_000, (code) => exits.push(code));
    try {
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      assert.deepEqual(exits, []);
      // The repeated-signal window runs out: its length is the behaviour under test, not a wait for a state.
      await new Promise((resolve) => setTimeout(resolve, REPEATED_SIGNAL_WINDOW_MS + 50));
      process.emit('SIGTERM', 'SIGTERM');
      assert.deepEqual(exits, [1]);
      release();
      await lifecycle.stopAll(1_000);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(exits, [1, 0]);
    } finally {
      remove();
    }
  });
});
