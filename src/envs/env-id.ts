/** The two parts of an env id. */
export interface EnvIdParts {
  /** What runs it: `mujoco` (built in), a container family, `noop`... */
  readonly family: string;
  readonly taskName: string;
}

/**
 * Splits an env id `<family>/<task name>` at its first `/` (`mujoco/reach-v1` → `mujoco`,
 * `reach-v1`); an id without a slash is both its family and its task name.
 */
export function splitEnvId(envId: string): EnvIdParts {
  const slash = envId.indexOf('/');
  return slash === -1 ? { family: envId, taskName: envId } : { family: envId.slice(0, slash), taskName: envId.slice(slash + 1) };
}

/** The family of an env id: the part before its first `/`. */
export function envFamily(envId: string): string {
  return splitEnvId(envId).family;
}
