import type { Command } from 'commander';
import { stopOnSignals } from '../../runtime/lifecycle.ts';
import { createMetrics, Registry } from '../../runtime/metrics.ts';
import { builtInEvaluation } from '../../service/built-in-evaluation.ts';
import { startWorkerService } from '../../service/worker-service.ts';
import { WorkerSetupError } from '../../service/worker-setup-error.ts';
import { UnsupportedEnvironmentError } from '../../worker/evaluators.ts';
import { loadContext } from '../context.ts';
import { runCommand } from '../run-command.ts';

/** `evalpool worker`: consumes the env queues and turns tasks into results. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('consume the task queues: run evaluations and store their results')
    .option('--envs <ids>', 'comma-separated environment ids (default: EVALPOOL_WORKER_ENVS, or every environment with a sampling list)')
    .option('--concurrency <n>', 'evaluations at once per environment queue (default: EVALPOOL_WORKER_CONCURRENCY)')
    .option('--metrics-port <n>', 'serve Prometheus metrics on http://EVALPOOL_HOST:<n>/metrics (default: EVALPOOL_WORKER_METRICS_PORT; unset = off)')
    .action(async (options: { envs?: string; concurrency?: string; metricsPort?: string }) => {
      const overrides: Record<string, string> = {};
      if (options.envs !== undefined) overrides.EVALPOOL_WORKER_ENVS = options.envs;
      if (options.concurrency !== undefined) overrides.EVALPOOL_WORKER_CONCURRENCY = options.concurrency;
      if (options.metricsPort !== undefined) overrides.EVALPOOL_WORKER_METRICS_PORT = options.metricsPort;
      const { config, logger } = loadContext(overrides);
      await runCommand(config, async () => {
        try {
          // The evaluators and the consumers share the process's one registry.
          const metrics = config.worker.metricsPort === undefined ? undefined : createMetrics(new Registry());
          const evaluation = await builtInEvaluation(config, logger, metrics);
          const running = await startWorkerService(config, logger, { envs: config.worker.envs, concurrency: config.worker.concurrency, ...evaluation });
          logger.info({ envs: running.envs, concurrency: config.worker.concurrency, workerId: running.workerId }, 'evalpool worker is running');
          stopOnSignals(running.lifecycle, logger, config.server.shutdownGraceMs);
        } catch (error) {
          // Problems the operator fixes get one sentence, not a stack trace.
          if (!(error instanceof WorkerSetupError || error instanceof UnsupportedEnvironmentError)) throw error;
          process.stderr.write(`evalpool: ${error.message}\n`);
          process.exitCode = 1;
        }
      });
    });
}
