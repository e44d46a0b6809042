import { STALL_GRACE_MS } from '../config/constants.ts';
import { stalledAtDeadline, startLoopWatch } from './loop-stall.ts';

/** A controller that also aborts when a parent signal does; `dispose()` detaches it. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  /** Removes the listener on the parent; call it when the work is over. Idempotent. */
  dispose(): void;
}

/**
 * Like `AbortSignal.any([parent, own])`, without its leak on Node 20: there, every `any()` call
 * leaves an entry on a long-lived source signal (the worker's shutdown signal) that is never
 * freed, about 50 bytes per call. Here the link is an ordinary listener, removed by `dispose()`.
 */
export function linkedAbort(parent: AbortSignal | undefined): LinkedAbort {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted === true) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => parent?.removeEventListener('abort', onAbort),
  };
}

/** A {@link LinkedAbort} with a deadline. */
export interface TimedAbort extends LinkedAbort {
  /** Whether the deadline fired (rather than the parent or an explicit abort). */
  readonly timedOut: boolean;
  /**
   * Whether the deadline fired on a loop that had just been stalled (see `stalledAtDeadline`):
   * then the timeout is this process's fault and says nothing about what it was waiting for.
   */
  readonly workerStalled: boolean;
}

/**
 * A {@link linkedAbort} that also aborts itself, with `new Error(reason)`, after `ms`; `timedOut`
 * tells a deadline from a parent's abort, `workerStalled` a deadline this process missed itself.
 * `dispose()` also clears the timer.
 *
 * A deadline that comes due on a loop that has just stalled does not fire at once: the wait goes
 * on for {@link STALL_GRACE_MS} (a few turns of the loop), so that an answer that came during the
 * stall and waits unread in the socket is read rather than abandoned (the caller then disposes of
 * this). Only if nothing came by then, and the stall is still one of this process's own (not spent
 * on peers' answers, see `asPeerWork`), is it `workerStalled`.
 */
export function timedAbort(parent: AbortSignal | undefined, ms: number, reason: string): TimedAbort {
  startLoopWatch();
  const link = linkedAbort(parent);
  const start = performance.now();
  const deadline = start + ms;
  let timedOut = false;
  let workerStalled = false;
  let graced = false;
  const fire = (): void => {
    const stalled = stalledAtDeadline(start, deadline);
    if (stalled && !graced) {
      graced = true;
      timer = setTimeout(fire, STALL_GRACE_MS);
      return;
    }
    timedOut = true;
    workerStalled = stalled;
    link.abort(new Error(workerStalled ? `${reason} (this process was stalled at the deadline)` : reason));
  };
  let timer = setTimeout(fire, ms);
  return {
    signal: link.signal,
    abort: (reason) => link.abort(reason),
    get timedOut() {
      return timedOut;
    },
    get workerStalled() {
      return workerStalled;
    },
    dispose: () => {
      clearTimeout(timer);
      link.dispose();
    },
  };
}
