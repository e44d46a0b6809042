/**
 * How long a test waits for a state before it gives up: a guard against a state that never
 * comes, never a guess of how fast it comes. On a loaded 2-core machine a CLI process alone took
 * over 120 s to print its first line (load average 35: two CPU hogs beside the tests), so the
 * guard is minutes; only a broken test waits that long. Limits that are part of the behaviour under test are set by each test.
 */
export const STATE_TIMEOUT_MS = 300_000;

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`
 * naming what was awaited and the last value seen. Bounded polling: tests wait for states, never
 * assert durations (so pass a `timeoutMs` only to wait longer than {@link STATE_TIMEOUT_MS}).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = STATE_TIMEOUT_MS,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    last = value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A promise with its resolve function, to hold an evaluator until a test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
