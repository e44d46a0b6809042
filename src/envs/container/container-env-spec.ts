/** A container env as a worker runs it: from its sampling definition (`family: "container"`). */
export interface ContainerEnvSpec {
  /** The env id, sent to the image as `env_id` as it is (e.g. `metaworld/reach-v3`). */
  readonly envId: string;
  /** The image that serves it (must be present on the engine: nothing is pulled). */
  readonly image: string;
  /** The most steps of an episode, passed to the container as `max_timesteps`. */
  readonly maxTimesteps: number;
  /** Whether the miner gets camera images, passed as `use_images` (default false). */
  readonly useImages?: boolean;
  /** Episodes one container of the image serves at once (default 1). */
  readonly maxConcurrency?: number;
  /** Most containers of the image (default: as many as the worker's concurrency needs, up to a bound). */
  readonly replicas?: number;
  /** Memory limit of each container of the image, in MiB. */
  readonly memoryMb?: number;
  /** CPU limit of each container of the image. */
  readonly cpus?: number;
}

/** The settings that belong to an image rather than to one env: every env of the image must agree on them. */
export const IMAGE_SETTINGS = ['maxConcurrency', 'replicas', 'memoryMb', 'cpus'] as const;

/**
 * The envs of `specs` whose image settings disagree with another env of the same image, as
 * messages (empty when they agree).
 */
export function imageSettingConflicts(specs: readonly ContainerEnvSpec[]): string[] {
  const first = new Map<string, ContainerEnvSpec>();
  const problems: string[] = [];
  for (const spec of specs) {
    const other = first.get(spec.image);
    if (other === undefined) {
      first.set(spec.image, spec);
      continue;
    }
    for (const key of IMAGE_SETTINGS) {
      if (spec[key] !== other[key])
        problems.push(
          `${spec.envId} and ${other.envId} share the image ${spec.image} but differ in ${key} (${String(spec[key])} vs ${String(other[key])}): settings of an image's containers must agree`,
        );
    }
  }
  return problems;
}
