import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseLostError } from '../../src/pool/fenced-create.ts';
import { sleep } from '../../src/runtime/sleep.ts';
import { type PeriodicTask, runPeriodicTasks } from '../../src/scheduler/periodic-task.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('the leader loop of named periodic tasks', () => {
  test('runs due tasks one at a time in list order at start, each again after its interval; a failing run does not stop the loop', async () => {
    const stop = new AbortController();
    const runs: string[] = [];
    let concurrent = 0;
    const task = (name: string, intervalMs: number, extra: Partial<PeriodicTask> = {}): PeriodicTask => ({
      name,
      intervalMs,
      async run() {
        concurrent++;
        assert.equal(concurrent, 1, 'one task at a time');
        runs.push(name);
        await sleep(2, stop.signal);
        concurrent--;
        if (name === 'flaky') throw new Error('boom');
        if (runs.filter((r) => r === 'tick').length >= 5) stop.abort();
      },
      ...extra,
    });
    const errors: string[] = [];
    await runPeriodicTasks(
      [task('reconcile', 10_000), task('tick', 10), task('flaky', 10_000), task('later', 10_000, { runAtStart: false })],
      stop.signal,
      (r) => {
        if (r.error) errors.push(`${r.name}: ${r.error.message}`);
      },
    );
    assert.deepEqual(runs.slice(0, 3), ['reconcile', 'tick', 'flaky']);
    assert.equal(runs.filter((r) => r === 'tick').length, 5);
    assert.equal(runs.includes('later'), false, 'runAtStart false waits one interval');
    assert.deepEqual(errors, ['flaky: boom']);
  });

  test('a lost lease ends the loop at once; an abort interrupts the wait', async () => {
    const stop = new AbortController();
    let ran = 0;
    await runPeriodicTasks(
      [
        {
          name: 'tick',
          intervalMs: 1,
          run: () => {
            ran++;
            return Promise.reject(new LeaseLostError('test'));
          },
        },
      ],
      stop.signal,
    );
    assert.equal(ran, 1);
    const waiting = runPeriodicTasks([{ name: 'slow', intervalMs: 60_000, runAtStart: false, run: () => Promise.resolve() }], stop.signal);
    stop.abort();
    await waiting;
  });

  test('a woken task runs at once, long before its interval; the loop unsubscribes when it ends', async () => {
    const stop = new AbortController();
    const listeners = new Set<() => void>();
    let runs = 0;
    const loop = runPeriodicTasks(
      [
        {
          name: 'miners',
          intervalMs: 3_600_000,
          wakeOn: (wake) => (listeners.add(wake), () => listeners.delete(wake)),
          run: () => Promise.resolve(void runs++),
        },
      ],
      stop.signal,
    );
    await waitFor('the run at start', () => runs === 1);
    for (const wake of listeners) wake();
    await waitFor('the run on the wake', () => runs === 2);
    stop.abort();
    await loop;
    assert.equal(listeners.size, 0);
  });
});
