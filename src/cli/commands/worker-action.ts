import { stopOnSignals } from '../../runtime/lifecycle.ts';
import { createMetrics, Registry } from '../../runtime/metrics.ts';
import { builtInEvaluation } from '../../service/built-in-evaluation.ts';
import { startWorkerService } from '../../service/worker-service.ts';
import { WorkerSetupError } from '../../service/worker-setup-error.ts';
import { UnsupportedEnvironmentError } from '../../worker/evaluation/errors.ts';
import { loadContext } from '../context.ts';
import { runCommand } from '../run-command.ts';

/** Flags of `evalpool worker`. */
export interface WorkerOptions {
  envs?: string;
  concurrency?: string;
  metricsPort?: string;
}

/** The body of `evalpool worker` (loaded when it runs: see main.ts). */
export async function worker(options: WorkerOptions): Promise<void> {
  const overrides: Record<string, string> = {};
  if (options.envs !== undefined) overrides.EVALPOOL_WORKER_ENVS = options.envs;
  if (options.concurrency !== undefined) overrides.EVALPOOL_WORKER_CONCURRENCY = options.concurrency;
  if (options.metricsPort !== undefined) overrides.EVALPOOL_WORKER_METRICS_PORT = options.metricsPort;
  const { config, logger } = loadContext(overrides);
  await runCommand(config, async () => {
    try {
      // The evaluators and the consumers share the process's one registry.
      const metrics = config.worker.metricsPort === undefined ? undefined : createMetrics(new Registry(), { serve: false });
      const evaluation = await builtInEvaluation(config, logger, metrics);
      const running = await startWorkerService(config, logger, {
        envs: config.worker.envs,
        concurrency: config.worker.concurrency,
        ...evaluation,
      });
      logger.info({ envs: running.envs, concurrency: config.worker.concurrency, workerId: running.workerId }, 'evalpool worker is running');
      stopOnSignals(running.lifecycle, logger, config.server.shutdownGraceMs);
    } catch (error) {
      // Problems the operator fixes get one sentence, not a stack trace.
      if (!(error instanceof WorkerSetupError || error instanceof UnsupportedEnvironmentError)) throw error;
      process.stderr.write(`evalpool: ${error.message}\n`);
      process.exitCode = 1;
    }
  });
}
