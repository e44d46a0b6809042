import { LeaseLostError } from '../pool/fenced-create.ts';
import { toError } from '../runtime/error-message.ts';
import { type LinkedAbort, linkedAbort } from '../runtime/linked-abort.ts';
import { sleep } from '../runtime/sleep.ts';

/**
 * One job of the leader loop: the tick, reconciliation, paused-task TTL, slot adjustment, miner
 * refresh, rolling weights... Each has its own period; the leader runs them one at a time.
 */
export interface PeriodicTask {
  readonly name: string;
  readonly intervalMs: number;
  /** Run as soon as the leadership starts (default true); otherwise one interval later. */
  readonly runAtStart?: boolean;
  /**
   * Subscribes to what makes the task due at once (the miners file changed); returns the
   * unsubscribe. Called when the loop starts, unsubscribed when it ends.
   */
  readonly wakeOn?: (wake: () => void) => () => void;
  /** Does one run; must honour `signal` (aborted when the leadership ends). */
  run(signal: AbortSignal): Promise<void>;
}

/** Called after each run, whatever its outcome (a throwing hook is ignored). */
export type RunObserver = (run: { name: string; startedAt: number; durationMs: number; error?: Error }) => void;

/**
 * Runs `tasks` until `signal` aborts: always the one due first (ties in list order), one at a
 * time, each again `intervalMs` after its previous start (at once if that is already past).
 * A task woken through `wakeOn` is due at once (after the run under way). A failing run is
 * reported and the loop goes on; a {@link LeaseLostError} ends the loop. Resolves when the signal
 * aborts.
 */
export async function runPeriodicTasks(
  tasks: readonly PeriodicTask[],
  signal: AbortSignal,
  observe: RunObserver = () => undefined,
): Promise<void> {
  const start = Date.now();
  const nextAt = tasks.map((t) => (t.runAtStart === false ? start + t.intervalMs : start));
  let waiting: LinkedAbort | undefined;
  const unsubscribe = tasks.map((t, i) =>
    t.wakeOn?.(() => {
      nextAt[i] = Math.min(nextAt[i]!, Date.now());
      waiting?.abort();
    }),
  );
  try {
    await loop(tasks, nextAt, signal, observe, (wait) => {
      waiting = linkedAbort(signal);
      return sleep(wait, waiting.signal).finally(() => {
        waiting?.dispose();
        waiting = undefined;
      });
    });
  } finally {
    for (const u of unsubscribe) u?.();
  }
}

async function loop(
  tasks: readonly PeriodicTask[],
  nextAt: number[],
  signal: AbortSignal,
  observe: RunObserver,
  pause: (ms: number) => Promise<boolean>,
): Promise<void> {
  while (!signal.aborted && tasks.length > 0) {
    let i = 0;
    for (let j = 1; j < tasks.length; j++) if (nextAt[j]! < nextAt[i]!) i = j;
    const task = tasks[i]!;
    const wait = nextAt[i]! - Date.now();
    // A wake ends the pause early: choose again.
    if (wait > 0 && !(await pause(wait))) {
      if (signal.aborted) break;
      continue;
    }
    const startedAt = Date.now();
    nextAt[i] = startedAt + task.intervalMs;
    let error: Error | undefined;
    try {
      await task.run(signal);
    } catch (e) {
      error = toError(e);
    }
    try {
      observe({ name: task.name, startedAt, durationMs: Date.now() - startedAt, ...(error ? { error } : {}) });
    } catch {
      // an observer must not stop the loop
    }
    if (error instanceof LeaseLostError) break;
  }
}
