import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import * as v from 'valibot';
import { BuiltinRegistry } from '../../envs/builtin-registry.ts';
import { MujocoLoader } from '../../envs/mujoco/mujoco-loader.ts';
import { minerClientsOptions } from '../../miners/miner-clients-options.ts';
import type { Cell } from '../../runtime/format-table.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { episodeTimeouts } from '../../worker/episode/episode-timeouts.ts';
import { ERROR_CLASSES } from '../../worker/episode/error-class.ts';
import { loadPrintingContext } from '../context.ts';
import { runContainerEval } from '../local-eval/local-container-eval.ts';
import type { LocalEvalProgress, LocalEvalStats } from '../local-eval/local-eval.ts';
import { evalSeeds, runLocalEval } from '../local-eval/local-eval.ts';
import { snakeKeys } from '../output.ts';
import { parseOptions, wholeNumber } from '../parse-options.ts';

const EvalOptionsSchema = v.object({
  endpoint: v.pipe(v.string(), v.url('must be a URL such as http://127.0.0.1:8080'), v.regex(/^https?:/, 'must be http(s)')),
  env: v.string(),
  episodes: wholeNumber(1, 1_000_000),
  concurrency: wholeNumber(1, 1_024),
  seedStart: v.optional(wholeNumber(0)),
  maxTimesteps: v.optional(wholeNumber(1)),
  // Checked by the config module, as the variables they override.
  actionTimeoutMs: v.optional(v.string()),
  resetTimeoutMs: v.optional(v.string()),
  json: v.optional(v.boolean(), false),
  image: v.optional(v.pipe(v.string(), v.minLength(1, 'must name an image'))),
  useImages: v.optional(v.boolean(), false),
});

/** The body of `evalpool eval` (loaded when it runs: see main.ts). */
export async function evalEndpoint(raw: Record<string, unknown>, command: Command): Promise<void> {
  const options = parseOptions(EvalOptionsSchema, raw, command);
  const registry = new BuiltinRegistry(new MujocoLoader());
  if (options.image === undefined && !registry.has(options.env))
    command.error(`evalpool: unknown env "${options.env}" (built-in: ${registry.ids().join(', ')}; other envs need --image)`);
  // Timeouts, connection and breaker settings as a worker would use them; flags override.
  const overrides: Record<string, string> = {};
  if (options.actionTimeoutMs !== undefined) overrides.EVALPOOL_ACTION_TIMEOUT_MS = options.actionTimeoutMs;
  if (options.resetTimeoutMs !== undefined) overrides.EVALPOOL_MINER_RESET_TIMEOUT_MS = options.resetTimeoutMs;
  const { config, logger } = loadPrintingContext(overrides);
  const seeds = evalSeeds({ episodes: options.episodes, seedStart: options.seedStart });

  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'episodes {bar} {value}/{total} | successes {successes} | eta {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(seeds.length, 0, { successes: 0 });
  let stats: LocalEvalStats;
  try {
    const common = {
      endpoint: options.endpoint,
      envId: options.env,
      seeds,
      concurrency: options.concurrency,
      maxTimesteps: options.maxTimesteps,
      timeouts: episodeTimeouts(config),
      signal: stop.signal,
      onProgress: (p: LocalEvalProgress) => bar.update(p.done, { successes: p.successes }),
    };
    stats =
      options.image === undefined
        ? await runLocalEval({ ...common, registry, client: minerClientsOptions(config).client })
        : await runContainerEval({
            ...common,
            image: options.image,
            useImages: options.useImages,
            socketPath: config.worker.dockerSocket,
            // Only what goes wrong: the table is the output.
            logger: logger.child({ component: 'eval' }, { level: 'warn' }),
          });
  } finally {
    bar.stop();
    process.off('SIGINT', onSignal);
  }
  process.stdout.write(options.json ? `${JSON.stringify(snakeKeys(stats), null, 2)}\n` : `${renderStats(stats)}\n`);
  if (stats.scored === 0) process.exitCode = 1;
}

/** The results as a two-column table, then the most frequent error messages. */
export function renderStats(stats: LocalEvalStats): string {
  const rows: [string, Cell][] = [
    ['env', stats.envId],
    ['endpoint', stats.endpoint],
    ['task ids', seedsText(stats.seeds)],
    ['episodes', stats.episodes],
    ['scored', stats.scored],
    ['success rate', Number.isNaN(stats.successRate) ? null : `${(stats.successRate * 100).toFixed(1)}%`],
    ['mean reward', finite(stats.meanReward, 3)],
    ['mean timesteps', finite(stats.meanTimesteps, 1)],
    ['act latency p50 (ms)', finite(stats.latencyP50Ms, 2)],
    ['act latency p99 (ms)', finite(stats.latencyP99Ms, 2)],
    ['episodes/s', finite(stats.episodesPerSecond, 2)],
    ...ERROR_CLASSES.map((c): [string, Cell] => [`class ${c}`, stats.errorsByClass[c]]),
  ];
  const table = formatTable(['metric', 'value'], rows);
  if (stats.messages.length === 0) return table;
  return `${table}\n\nmessages:\n${stats.messages.map((m) => `  ${m.count} × ${m.message}`).join('\n')}`;
}

function finite(x: number, digits: number): string | null {
  return Number.isFinite(x) ? x.toFixed(digits) : null;
}

function seedsText(seeds: readonly number[]): string {
  if (seeds.length === 0) return '-';
  const consecutive = seeds.every((s, i) => s === seeds[0]! + i);
  if (consecutive) return seeds.length === 1 ? String(seeds[0]) : `${seeds[0]}..${seeds[seeds.length - 1]}`;
  return seeds.length <= 5 ? seeds.join(', ') : `${seeds.slice(0, 5).join(', ')}, ... (random)`;
}
