import { unconsumedView, workerView } from '../../api/routes/workers.ts';
import { unconsumedEnvs, unconsumedSentence } from '../../api/unconsumed-envs.ts';
import { REDIS_START_TIMEOUT_MS } from '../../config/constants.ts';
import type { ErrorClass } from '../../db/schema.ts';
import { pendingByEnv } from '../../pool/pending-by-env.ts';
import { type RegisteredWorker, readWorkers } from '../../pool/worker-registry.ts';
import { type Cell, elideMiddle, formatTableLines, TABLE_MAX_WIDTH, wrapText } from '../../runtime/format-table.ts';
import { closeRedis, createRedis } from '../../runtime/redis.ts';
import { waitForRedis } from '../../runtime/wait-ready.ts';
import { loadPrintingContext } from '../context.ts';
import { type OutputOptions, printJson } from '../output.ts';
import { formatAge } from '../parse-duration.ts';
import { runCommand } from '../run-command.ts';

/** Width of a worker id in the warning lines (the table fits its own columns; `--wide`: in full). */
const ID_WIDTH = 20;

/** Episodes by class as the table shows them, in this order: `ok 150 · fail 30 · unavail 4`. */
const EPISODE_LABELS: Readonly<Record<ErrorClass, string>> = {
  success: 'ok',
  failure: 'fail',
  miner_unavailable: 'unavail',
  env_error: 'env_err',
  worker_error: 'worker_err',
};

/** A worker's episodes by class, the classes it has any of; undefined (`-`) before its first. */
function episodesCell(episodes: Readonly<Record<string, number>>): string | undefined {
  const parts = Object.entries(EPISODE_LABELS)
    .filter(([c]) => (episodes[c] ?? 0) > 0)
    .map(([c, label]) => `${label} ${episodes[c]}`);
  return parts.length === 0 ? undefined : parts.join(' · ');
}

/** Where the text of the lines under a worker's row starts: after the longer label, `  episodes: `. */
const UNDER_INDENT = '  episodes: '.length;

/**
 * One row per worker, with its envs and its episodes by class as columns when the table fits 100
 * columns with every env and class in it; otherwise both go on lines under each row (wrapped,
 * indented), so that neither list loses items.
 */
function workersTable(workers: readonly RegisteredWorker[], now: number, wide: boolean): string {
  const row = (w: RegisteredWorker): Cell[] => [
    w.id,
    w.state,
    `${formatAge(now - w.lastSeenAt)} ago`,
    w.concurrency,
    w.inFlight,
    w.version,
  ];
  const headers = ['worker', 'state', 'last seen', 'conc', 'busy', 'version'];
  const inColumns = formatTableLines(
    [...headers.slice(0, 3), 'envs', ...headers.slice(3, 5), 'episodes', 'version'],
    workers.map((w) => {
      const [id, state, seen, concurrency, busy, version] = row(w);
      return [id, state, seen, w.envs.join(','), concurrency, busy, episodesCell(w.episodes), version];
    }),
    { wide },
  );
  if (!inColumns.listsCut) return [...inColumns.head, ...inColumns.rows].join('\n');
  const { head, rows } = formatTableLines(headers, workers.map(row));
  const under = (label: string, text: string): string =>
    wrapText(text, TABLE_MAX_WIDTH, ' '.repeat(UNDER_INDENT), `  ${label}:`.padEnd(UNDER_INDENT));
  return [
    ...head,
    ...rows.flatMap((line, i) => [
      line,
      under('envs', workers[i]!.envs.join(', ') || '-'),
      under('episodes', episodesCell(workers[i]!.episodes) ?? '-'),
    ]),
  ].join('\n');
}

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
      else console.log(workersTable(workers, now, options.wide === true));
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
