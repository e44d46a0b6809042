import { LOOP_WATCH_INTERVAL_MS, WORKER_STALL_MS } from '../config/constants.ts';

/**
 * This process's own stalls (SIGSTOP, a long GC pause, CPU throttling, a VM freeze), so that a
 * timeout can tell "the other side was late" from "we were not running". A timer that comes due
 * while the loop is stalled fires on the resumed loop, possibly before the answer already waiting
 * in the socket is read; the timer cannot tell, the watch below can.
 *
 * The watch is one unref'd interval per process (started by the first timer that asks), which
 * notes every turn of the loop; a gap between two turns well past the interval is a stall. Only
 * this process's scheduling makes a gap: a remote peer can lengthen one only by the CPU work its
 * answers cost us, which the response size limits bound to milliseconds per answer.
 */
interface Gap {
  readonly from: number;
  readonly to: number;
}

/** Recent stalls of at least WORKER_STALL_MS, newest last (a few are plenty: deadlines ask about the last moments). */
const recent: Gap[] = [];
const KEPT = 16;
let lastTurn: number | undefined;
let watch: NodeJS.Timeout | undefined;

function watchLoop(): void {
  if (watch !== undefined) return;
  lastTurn = performance.now();
  watch = setInterval(() => {
    const now = performance.now();
    if (lastTurn !== undefined && now - lastTurn - LOOP_WATCH_INTERVAL_MS >= WORKER_STALL_MS) {
      recent.push({ from: lastTurn, to: now });
      if (recent.length > KEPT) recent.shift();
    }
    lastTurn = now;
  }, LOOP_WATCH_INTERVAL_MS);
  watch.unref();
}

/** Starts the watch (idempotent): stalls before this call are not seen. */
export function startLoopWatch(): void {
  watchLoop();
}

/**
 * The longest stall of this process's event loop, in ms beyond the watch's own interval, that
 * reached into `[sinceMs, now]` (`performance.now()` clock), the one ending right now included.
 */
export function loopStallSince(sinceMs: number): number {
  const now = performance.now();
  let longest = lastTurn === undefined ? 0 : now - lastTurn - LOOP_WATCH_INTERVAL_MS;
  for (const gap of recent) if (gap.to >= sinceMs) longest = Math.max(longest, gap.to - gap.from - LOOP_WATCH_INTERVAL_MS);
  return Math.max(0, longest);
}

/**
 * Whether a deadline at `deadlineMs`, of a wait that began at `startMs` (`performance.now()`
 * clock), that fired just now says nothing about the other side: this process was stalled for at
 * least WORKER_STALL_MS at the deadline or in the moments before it (and after the wait began),
 * so an answer may have been waiting unread.
 */
export function stalledAtDeadline(startMs: number, deadlineMs: number): boolean {
  return loopStallSince(Math.max(startMs, deadlineMs - WORKER_STALL_MS)) >= WORKER_STALL_MS;
}
