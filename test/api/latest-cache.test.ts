import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LatestCache } from '../../src/api/latest-cache.ts';
import { capturingLogger } from '../helpers/test-logger.ts';

/** A cache over a fake table whose newest version the test sets; counts probes and loads. */
function fixture(options: { refreshMs?: number } = {}) {
  const state = { version: null as string | null, probes: 0, loads: 0, now: 0, fail: false };
  const { logger, lines } = capturingLogger('warn');
  const cache = new LatestCache({
    name: 'test',
    refreshMs: options.refreshMs ?? 1_000,
    logger,
    now: () => state.now,
    probe: () => {
      state.probes++;
      return state.fail ? Promise.reject(new Error('database down')) : Promise.resolve(state.version);
    },
    load: () => {
      state.loads++;
      if (state.fail) return Promise.reject(new Error('database down'));
      return Promise.resolve(
        state.version === null ? { version: '', body: null } : { version: state.version, body: `{"v":"${state.version}"}` },
      );
    },
  });
  return { cache, state, lines };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LatestCache', () => {
  test('the first request loads; later ones within refreshMs do no I/O at all', async () => {
    const { cache, state } = fixture();
    state.version = '1';
    assert.equal(cache.peek(), undefined);
    assert.equal((await cache.get()).body, '{"v":"1"}');
    state.now = 999;
    for (let i = 0; i < 100; i++) assert.equal(cache.peek()?.body, '{"v":"1"}');
    await settle();
    assert.deepEqual([state.probes, state.loads], [1, 1]);
  });

  test('a stale value is served while one background probe runs; a new version is loaded once', async () => {
    const { cache, state } = fixture();
    state.version = '1';
    await cache.get();
    state.version = '2';
    state.now = 1_000;
    for (let i = 0; i < 10; i++) assert.equal(cache.peek()?.body, '{"v":"1"}', 'answered from memory');
    await settle();
    await settle();
    assert.equal(cache.peek()?.body, '{"v":"2"}');
    assert.deepEqual([state.probes, state.loads], [2, 2], 'single flight: one probe for ten stale peeks');
  });

  test('an unchanged version costs a probe, not a load', async () => {
    const { cache, state } = fixture();
    state.version = '1';
    await cache.get();
    state.now = 5_000;
    cache.peek();
    await settle();
    assert.deepEqual([state.probes, state.loads], [2, 1]);
  });

  test('no row yet is cached as a null body, and the first row is picked up', async () => {
    const { cache, state } = fixture({ refreshMs: 10 });
    assert.equal((await cache.get()).body, null);
    assert.equal(state.loads, 0);
    state.version = '1';
    state.now = 10;
    cache.peek();
    await settle();
    await settle();
    assert.equal(cache.peek()?.body, '{"v":"1"}');
  });

  test('a failed refresh keeps serving the previous value, logs, and waits refreshMs to retry', async () => {
    const { cache, state, lines } = fixture();
    state.version = '1';
    await cache.get();
    state.fail = true;
    state.now = 1_000;
    cache.peek();
    await settle();
    assert.equal(cache.peek()?.body, '{"v":"1"}');
    assert.equal(lines.filter((l) => l.msg === 'cache refresh failed; serving the previous value').length, 1);
    state.now = 1_500;
    cache.peek();
    await settle();
    assert.equal(state.probes, 2, 'no retry before refreshMs');
  });

  test('a failed first load rejects, and the next request tries again', async () => {
    const { cache, state } = fixture();
    state.fail = true;
    await assert.rejects(cache.get(), /database down/);
    assert.equal(cache.peek(), undefined);
    state.fail = false;
    state.version = '3';
    assert.equal((await cache.get()).body, '{"v":"3"}');
  });

  test('invalidate makes the next request probe', async () => {
    const { cache, state } = fixture();
    state.version = '1';
    await cache.get();
    cache.invalidate();
    cache.peek();
    await settle();
    assert.equal(state.probes, 2);
  });
});
