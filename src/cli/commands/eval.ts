import type { Command } from 'commander';
import { Option } from 'commander';
import cliProgress from 'cli-progress';
import * as v from 'valibot';
import { LOCAL_EVAL_CONCURRENCY, LOCAL_EVAL_EPISODES } from '../../config/constants.ts';
import { BuiltinRegistry, listBuiltinEnvs } from '../../envs/builtin-registry.ts';
import { MujocoLoader } from '../../envs/mujoco/mujoco-loader.ts';
import { minerClientsOptions } from '../../miners/miner-clients-options.ts';
import { episodeTimeouts } from '../../worker/episode-timeouts.ts';
import { ERROR_CLASSES } from '../../worker/error-class.ts';
import { runContainerEval } from '../../worker/local-container-eval.ts';
import type { LocalEvalProgress, LocalEvalStats } from '../../worker/local-eval.ts';
import { evalSeeds, runLocalEval } from '../../worker/local-eval.ts';
import { loadContext } from '../context.ts';
import type { Cell } from '../format-table.ts';
import { formatTable } from '../format-table.ts';
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

/** `evalpool eval`: local evaluation of a miner endpoint on a built-in env or an env image, no database or Redis. */
export function register(program: Command): void {
  program
    .command('eval')
    .description('run episodes of a built-in environment, or of an env image (--image), against a miner endpoint and print the results (no database or Redis)')
    .requiredOption('--endpoint <url>', 'the miner policy endpoint, e.g. http://127.0.0.1:8080')
    .requiredOption('--env <id>', `environment id (built in: ${listBuiltinEnvs().map((e) => e.id).join(', ')}; with --image: the image's own, e.g. metaworld/reach-v3)`)
    .option('--image <ref>', "run the episodes in this env image (an affinetes image such as the subnet's) on the container engine at EVALPOOL_DOCKER_SOCKET; never pulled")
    .option('--use-images', 'with --image: send camera images to the miner (use_images)')
    .option('--episodes <n>', 'episodes to run', String(LOCAL_EVAL_EPISODES))
    .option('--concurrency <n>', 'episodes at once', String(LOCAL_EVAL_CONCURRENCY))
    .option('--seed-start <n>', 'task ids seed-start, seed-start+1, ... (default: random task ids)')
    .option('--max-timesteps <n>', "stop episodes earlier than the env's own limit")
    .option('--action-timeout-ms <n>', 'per-step /act timeout (default: EVALPOOL_ACTION_TIMEOUT_MS)')
    .option('--reset-timeout-ms <n>', '/reset timeout (default: EVALPOOL_MINER_RESET_TIMEOUT_MS)')
    .addOption(new Option('--json', 'print the results as JSON instead of a table'))
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = parseOptions(EvalOptionsSchema, raw, command);
      const registry = new BuiltinRegistry(new MujocoLoader());
      if (options.image === undefined && !registry.has(options.env)) command.error(`error: unknown env "${options.env}" (built-in: ${registry.ids().join(', ')}; other envs need --image)`);
      // Timeouts, connection and breaker settings as a worker would use them; flags override.
      const overrides: Record<string, string> = {};
      if (options.actionTimeoutMs !== undefined) overrides.EVALPOOL_ACTION_TIMEOUT_MS = options.actionTimeoutMs;
      if (options.resetTimeoutMs !== undefined) overrides.EVALPOOL_MINER_RESET_TIMEOUT_MS = options.resetTimeoutMs;
      const { config, logger } = loadContext(overrides, { logger: { destination: process.stderr, isTTY: process.stderr.isTTY } });
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
      process.stdout.write(options.json ? `${JSON.stringify(stats, null, 2)}\n` : `${renderStats(stats)}\n`);
      if (stats.scored === 0) process.exitCode = 1;
    });
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
