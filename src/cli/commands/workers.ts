import type { Command } from 'commander';
import { loadContext } from '../context.ts';
import { runCommand } from '../run-command.ts';

/** Columns of the workers table, sized so that a row fits 100 columns. */
const ID_WIDTH = 20;
const ENVS_WIDTH = 20;

const UNSCORED = ['miner_unavailable', 'env_error', 'worker_error'];

/** `evalpool workers [--json]`: the worker registry, and the envs whose pending tasks nobody consumes. */
export function register(program: Command): void {
  program
    .command('workers')
    .description('list the workers (live, stale, gone) from their heartbeats in Redis, and the environments no live worker consumes')
    .option('--json', 'print JSON (snake_case, as GET /v1/workers) instead of a table')
    .action(async (options: { json?: boolean }) => {
      const { config, logger } = loadContext();
      await runCommand(config, async () => {
        // Loaded here, not at the top: `evalpool --help` must not pay for Redis and the API.
        const [{ closeRedis, createRedis }, { readWorkers }, { pendingByEnv }, { unconsumedEnvs, unconsumedSentence }, { unconsumedView, workerView }, { formatTable }, { formatAge }, { elideMiddle }] = await Promise.all([
          import('../../runtime/redis.ts'),
          import('../../pool/worker-registry.ts'),
          import('../../pool/pending-by-env.ts'),
          import('../../api/unconsumed-envs.ts'),
          import('../../api/routes/workers.ts'),
          import('../format-table.ts'),
          import('../parse-duration.ts'),
          import('../elide-middle.ts'),
        ]);
        const redis = createRedis(config.storage.redisUrl, 'command', logger);
        try {
          const prefix = config.storage.queuePrefix;
          const now = Date.now();
          const workers = await readWorkers(redis, prefix, now);
          const pending = await pendingByEnv(redis, prefix, workers.flatMap((w) => w.envs));
          const unconsumed = unconsumedEnvs(workers, pending);
          if (options.json) {
            const views = workers.map((w) =>
              workerView({ ...w, startedAt: new Date(w.startedAt), lastSeenAt: new Date(w.lastSeenAt), stoppedAt: w.stoppedAt === undefined ? null : new Date(w.stoppedAt) }, now),
            );
            console.log(JSON.stringify({ workers: views, envs_without_consumer: unconsumedView(unconsumed), warning: unconsumedSentence(unconsumed) }, null, 2));
            return;
          }
          if (workers.length === 0) console.log('no worker has announced itself (start one with `evalpool worker`, or EVALPOOL_INLINE_WORKERS in serve)');
          else {
            const rows = workers.map((w) => {
              const of = (classes: readonly string[]) => classes.reduce((sum, c) => sum + (w.episodes[c] ?? 0), 0);
              return [
                elideMiddle(w.id, ID_WIDTH),
                w.state,
                `${formatAge(now - w.lastSeenAt)} ago`,
                elideMiddle(w.envs.join(','), ENVS_WIDTH),
                w.concurrency,
                w.inFlight,
                of(['success', 'failure']),
                of(UNSCORED),
                w.version,
              ];
            });
            console.log(formatTable(['worker', 'state', 'last seen', 'envs', 'conc', 'busy', 'scored', 'errors', 'version'], rows));
          }
          if (unconsumed.length > 0) {
            console.log('\nwarning: pending tasks wait and no live worker consumes their environment:');
            for (const e of unconsumed) console.log(`  ${e.envId}: ${e.pending} pending${e.lostWorkers.length > 0 ? `, last consumed by ${e.lostWorkers.map((id) => elideMiddle(id, ID_WIDTH)).join(', ')}` : ''}`);
            console.log(`start one: evalpool worker --envs ${unconsumed.map((e) => e.envId).join(',')}`);
          }
        } finally {
          await closeRedis(redis);
        }
      });
    });
}
