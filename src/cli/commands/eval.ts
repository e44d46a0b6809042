import type { Command } from 'commander';
import { LOCAL_EVAL_CONCURRENCY, LOCAL_EVAL_EPISODES } from '../../config/constants.ts';

/** `evalpool eval`: local evaluation of a miner endpoint on a built-in env or an env image, no database or Redis. */
export function register(program: Command): void {
  program
    .command('eval')
    .description(
      'run episodes of a built-in environment, or of an env image (--image), against a miner endpoint and print the results (no database or Redis)',
    )
    .requiredOption('--endpoint <url>', 'the miner policy endpoint, e.g. http://127.0.0.1:8080')
    .requiredOption(
      '--env <id>',
      "a built-in environment id, e.g. mujoco/reach-v1 (an unknown one is refused with the list); with --image the image's own, e.g. metaworld/reach-v3",
    )
    .option(
      '--image <ref>',
      "run the episodes in this env image (an affinetes image such as the subnet's) on the container engine at EVALPOOL_DOCKER_SOCKET; never pulled",
    )
    .option('--use-images', 'with --image: send camera images to the miner (use_images)')
    .option('--episodes <n>', 'episodes to run', String(LOCAL_EVAL_EPISODES))
    .option('--concurrency <n>', 'episodes at once', String(LOCAL_EVAL_CONCURRENCY))
    .option('--seed-start <n>', 'task ids seed-start, seed-start+1, ... (default: random task ids)')
    .option('--max-timesteps <n>', "stop episodes earlier than the env's own limit")
    .option('--action-timeout-ms <n>', 'per-step /act timeout (default: EVALPOOL_ACTION_TIMEOUT_MS)')
    .option('--reset-timeout-ms <n>', '/reset timeout (default: EVALPOOL_MINER_RESET_TIMEOUT_MS)')
    .option('--json', 'print the results as JSON instead of a table')
    .action(async (raw: Record<string, unknown>, command: Command) => (await import('./eval-action.ts')).evalEndpoint(raw, command));
}
