import type { Command } from 'commander';
import { jsonFlag, type OutputOptions, outputFlags } from '../output.ts';
import type { SamplingShowOptions } from './sampling-actions.ts';

/** Where the ids are shown: never to miners. */
const OPS_ONLY = 'ops only: the current lists are never made public (miners must not know the ids ahead of evaluation)';

/** `evalpool sampling show [env]`, `evalpool sampling rotate <env>`, `evalpool sampling sync [--force]`. */
export function register(program: Command): void {
  const sampling = program.command('sampling').description('inspect the sampling lists, rotate one now, or apply the definition files');
  const actions = () => import('./sampling-actions.ts');

  outputFlags(sampling.command('show'))
    .description('one line per environment (size, rotation, last and next rotation, version); with an env also its rotation history')
    .argument('[env]', 'an environment id, e.g. mujoco/reach-v1')
    .option('--ids', `also print the task ids of the current list and of each rotation (${OPS_ONLY})`)
    .option('--limit <n>', 'rotations shown with an env', '20')
    .action(async (envId: string | undefined, options: SamplingShowOptions) => (await actions()).samplingShow(envId, options));

  jsonFlag(sampling.command('rotate'), 'a sentence')
    .description("ops: rotate one environment's list now (FIFO: the oldest ids leave, new random ids join), whether due or not")
    .argument('<env>', 'an environment id, e.g. mujoco/reach-v1')
    .action(async (envId: string, options: OutputOptions) => (await actions()).samplingRotate(envId, options));

  outputFlags(sampling.command('sync'))
    .description(
      'apply the definition files (EVALPOOL_SAMPLING_LISTS_DIR) to the stored lists, as `serve` does on start; prints what changed',
    )
    .option('--force', 'replace a list whose dataset or list_size changed with a new one (otherwise refused)')
    .action(async (options: OutputOptions & { force?: boolean }) => (await actions()).samplingSync(options));
}
