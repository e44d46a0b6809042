import { CONTAINER_DEFAULT_MAX_TIMESTEPS } from '../config/constants.ts';
import { type ContainerEnvSpec, imageSettingConflicts } from '../envs/container/container-env-spec.ts';
import { errorMessage } from '../runtime/error-message.ts';
import type { Logger } from '../runtime/logger.ts';
import { loadSamplingDefinitions } from '../sampling/definitions.ts';
import { SamplingDefinitionError } from '../sampling/sampling-error.ts';
import { WorkerSetupError } from './worker-setup-error.ts';

/**
 * The container envs of the sampling definitions in `dir` (`EVALPOOL_SAMPLING_LISTS_DIR`, the
 * files `serve` reads): a worker learns each container env's image and episode length there.
 * No folder means no container envs (a worker of built-in envs needs none); invalid files stop
 * the worker with the problems named, as they stop `serve`.
 */
export async function loadContainerEnvs(dir: string, logger: Logger): Promise<ContainerEnvSpec[]> {
  let definitions;
  try {
    definitions = await loadSamplingDefinitions(dir);
  } catch (error) {
    if (error instanceof SamplingDefinitionError && error.problems.every((p) => p.field === '(folder)')) {
      logger.info({ dir }, 'no sampling definitions here: no container environments');
      return [];
    }
    throw new WorkerSetupError(errorMessage(error), { cause: error });
  }
  const specs = definitions
    .filter((d) => d.family === 'container' && d.image !== undefined)
    .map(
      (d): ContainerEnvSpec => ({
        envId: d.envId,
        image: d.image!,
        maxTimesteps: d.maxTimesteps ?? CONTAINER_DEFAULT_MAX_TIMESTEPS,
        ...(d.useImages !== undefined && { useImages: d.useImages }),
        ...(d.maxConcurrency !== undefined && { maxConcurrency: d.maxConcurrency }),
        ...(d.replicas !== undefined && { replicas: d.replicas }),
        ...(d.memoryMb !== undefined && { memoryMb: d.memoryMb }),
        ...(d.cpus !== undefined && { cpus: d.cpus }),
      }),
    );
  const conflicts = imageSettingConflicts(specs);
  if (conflicts.length > 0) throw new WorkerSetupError(`sampling definitions in ${dir}: ${conflicts.join('; ')}`);
  return specs;
}
