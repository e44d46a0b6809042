/** A container env as a worker runs it: from its sampling definition (`family: "container"`). */
export interface ContainerEnvSpec {
  /** The evalpool env id, `container/<name>`. */
  readonly envId: string;
  /** The image that serves it (must be present on the engine: nothing is pulled). */
  readonly image: string;
  /** The most steps of an episode, passed to the container as `max_timesteps`. */
  readonly maxTimesteps: number;
}
