import { LOOP_WATCH_INTERVAL_MS, WORKER_STALL_MS } from '../config/constants.ts';

/**
 * This process's own stalls (SIGSTOP, a long GC pause, CPU throttling, a VM freeze), so that a
 * timeout can tell "the other side was late" from "we were not running". A timer that comes due
 * while the loop is stalled fires on the resumed loop, possibly before the answer already waiting
 * in the socket is read; the timer cannot tell, the watch below can.
 *
 * The watch is one unref'd interval per process (started by the first timer that asks), which
 * notes every turn of the loop; a gap between two turns well past the interval is a stall. A
 * remote peer can lengthen a gap by the CPU work its answers cost us: the response size limits
 * bound that to a fraction of a millisecond per answer, and the work done on peers' answers
 * (parsing them, {@link asPeerWork}) is not counted in a gap at all, so that peers who time huge
 * answers together cannot make a deadline of theirs look like this process's stall.
 */
interface Gap {
  readonly from: number;
  readonly to: number;
  /** The gap's length past the watch's interval, less the work done on peers' answers in it. */
  readonly stalledMs: number;
}

/** Recent stalls of at least WORKER_STALL_MS, newest last (a few are plenty: deadlines ask about the last moments). */
const recent: Gap[] = [];
const KEPT = 16;
let lastTurn: number | undefined;
let watch: NodeJS.Timeout | undefined;
/** Milliseconds spent on peers' answers since the process started, and at the last turn. */
let peerWorkMs = 0;
let peerWorkAtLastTurn = 0;

/** The stall of the gap since the last turn, ending `now`: its length past the interval, less the peers' share. */
function currentGap(now: number): number {
  if (lastTurn === undefined) return 0;
  return now - lastTurn - LOOP_WATCH_INTERVAL_MS - (peerWorkMs - peerWorkAtLastTurn);
}

function watchLoop(): void {
  if (watch !== undefined) return;
  lastTurn = performance.now();
  peerWorkAtLastTurn = peerWorkMs;
  watch = setInterval(() => {
    const now = performance.now();
    const stalled = currentGap(now);
    if (lastTurn !== undefined && stalled >= WORKER_STALL_MS) {
      recent.push({ from: lastTurn, to: now, stalledMs: stalled });
      if (recent.length > KEPT) recent.shift();
    }
    lastTurn = now;
    peerWorkAtLastTurn = peerWorkMs;
  }, LOOP_WATCH_INTERVAL_MS);
  watch.unref();
}

/**
 * Runs `work`, synchronous work on a peer's answer (parsing, validating it), and counts its time
 * as the peers' rather than this process's: a stall made of it excuses no deadline.
 */
export function asPeerWork<T>(work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    peerWorkMs += performance.now() - start;
  }
}

/** Starts the watch (idempotent): stalls before this call are not seen. */
export function startLoopWatch(): void {
  watchLoop();
}

/**
 * The longest stall of this process's event loop, in ms beyond the watch's own interval and not
 * spent on peers' answers, that reached into `[sinceMs, now]` (`performance.now()` clock), the one
 * ending right now included.
 */
export function loopStallSince(sinceMs: number): number {
  let longest = currentGap(performance.now());
  for (const gap of recent) if (gap.to >= sinceMs) longest = Math.max(longest, gap.stalledMs);
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
