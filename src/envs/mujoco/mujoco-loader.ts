import type { MainModule } from 'mujoco-js';

/** The MuJoCo WebAssembly module, as returned by `mujoco-js`'s factory. */
export type Mujoco = MainModule;

/**
 * Loads the MuJoCo WebAssembly module at most once and hands the same instance to every
 * environment. Create one per process (the module is ~10 MB of code and its heap is shared by
 * all simulators in it) and pass it around; nothing is loaded until `load()` is first called.
 */
export class MujocoLoader {
  private loading: Promise<Mujoco> | undefined;

  /** The shared module; concurrent callers await the same load. A failed load may be retried. */
  load(): Promise<Mujoco> {
    this.loading ??= importAndInstantiate().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }
}

async function importAndInstantiate(): Promise<Mujoco> {
  const { default: factory } = await import('mujoco-js');
  return factory();
}
