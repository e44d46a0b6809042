import type { Command } from 'commander';
import type { WorkerOptions } from './worker-action.ts';

/** `evalpool worker`: consumes the env queues and turns tasks into results. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('consume the task queues: run evaluations and store their results')
    .option('--envs <ids>', 'comma-separated environment ids (default: EVALPOOL_WORKER_ENVS, or every environment with a sampling list)')
    .option('--concurrency <n>', 'evaluations at once per environment queue (default: EVALPOOL_WORKER_CONCURRENCY)')
    .option(
      '--metrics-port <n>',
      'serve Prometheus metrics on http://EVALPOOL_HOST:<n>/metrics (default: EVALPOOL_WORKER_METRICS_PORT; unset = off)',
    )
    .action(async (options: WorkerOptions) => (await import('./worker-action.ts')).worker(options));
}
