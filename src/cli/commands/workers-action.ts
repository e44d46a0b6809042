import { unconsumedView, workerView } from '../../api/routes/workers.ts';
import { unconsumedEnvs, unconsumedSentence } from '../../api/unconsumed-envs.ts';
import { REDIS_START_TIMEOUT_MS } from '../../config/constants.ts';
import { pendingByEnv } from '../../pool/pending-by-env.ts';
import { readWorkers } from '../../pool/worker-registry.ts';
import { elideMiddle, formatTable } from '../../runtime/format-table.ts';
import { closeRedis, createRedis } from '../../runtime/redis.ts';
import { waitForRedis } from '../../runtime/wait-ready.ts';
import { loadPrintingContext } from '../context.ts';
import { type OutputOptions, printJson } from '../output.ts';
import { formatAge } from '../parse-duration.ts';
import { runCommand } from '../run-command.ts';

/** Width of a worker id in the warning lines (the table fits its own columns; `--wide`: in full). */
const ID_WIDTH = 20;

const UNSCORED = ['miner_unavailable', 'env_error', 'worker_error'];

/** `evalpool workers` (loaded when it runs: see program.ts). */
export async function listWorkers(options: OutputOptions): Promise<void> {
  const { config, logger } = loadPrintingContext();
  await runCommand(config, async () => {
    const redis = createRedis(config.storage.redisUrl, 'command', logger);
    try {
      await waitForRedis(redis, REDIS_START_TIMEOUT_MS);
      const prefix = config.storage.queuePrefix;
      const now = Date.now();
      const workers = await readWorkers(redis, prefix, now);
      const pending = await pendingByEnv(
        redis,
        prefix,
        workers.flatMap((w) => w.envs),
      );
      const unconsumed = unconsumedEnvs(workers, pending);
      if (options.json) {
        const views = workers.map((w) =>
          workerView(
            {
              ...w,
              startedAt: new Date(w.startedAt),
              lastSeenAt: new Date(w.lastSeenAt),
              stoppedAt: w.stoppedAt === undefined ? null : new Date(w.stoppedAt),
            },
            now,
          ),
        );
        printJson({ workers: views, envs_without_consumer: unconsumedView(unconsumed), warning: unconsumedSentence(unconsumed) });
        return;
      }
      if (workers.length === 0)
        console.log('no worker has announced itself (start one with `evalpool worker`, or EVALPOOL_INLINE_WORKERS in serve)');
      else {
        const rows = workers.map((w) => {
          const of = (classes: readonly string[]) => classes.reduce((sum, c) => sum + (w.episodes[c] ?? 0), 0);
          return [
            w.id,
            w.state,
            `${formatAge(now - w.lastSeenAt)} ago`,
            w.envs.join(','),
            w.concurrency,
            w.inFlight,
            of(['success', 'failure']),
            of(UNSCORED),
            w.version,
          ];
        });
        console.log(
          formatTable(['worker', 'state', 'last seen', 'envs', 'conc', 'busy', 'scored', 'errors', 'version'], rows, {
            wide: options.wide === true,
          }),
        );
      }
      if (unconsumed.length > 0) {
        console.log('\nwarning: pending tasks wait and no live worker consumes their environment:');
        for (const e of unconsumed)
          console.log(
            `  ${e.envId}: ${e.pending} pending${e.lostWorkers.length > 0 ? `, last consumed by ${e.lostWorkers.map((id) => (options.wide ? id : elideMiddle(id, ID_WIDTH))).join(', ')}` : ''}`,
          );
        console.log(`start one: evalpool worker --envs ${unconsumed.map((e) => e.envId).join(',')}`);
      }
    } finally {
      await closeRedis(redis);
    }
  });
}
