/**
 * Blocks this process's event loop for `ms` (a busy wait): stands for the worker's own stall
 * (SIGSTOP, a long GC pause, CPU throttling) in tests of the timeouts that must not blame the
 * other side for it. The length is the fault injected, not a wait for some state.
 */
export function stallLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
