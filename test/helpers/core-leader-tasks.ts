import type { PeriodicTask } from '../../src/scheduler/periodic-task.ts';

/**
 * The leader's tasks for tests that drive the pool by hand: without weights and retention (they
 * write and log on their own) and without slot adjustment, plus `extra` (probe tasks).
 */
export function coreLeaderTasks(...extra: PeriodicTask[]): (listed: readonly PeriodicTask[]) => readonly PeriodicTask[] {
  return (listed) => [...listed.filter((t) => t.name !== 'weights' && t.name !== 'retention' && t.name !== 'slots'), ...extra];
}
