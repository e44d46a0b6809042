import type { MainModule } from 'mujoco-js';

/** The MuJoCo WebAssembly module, as returned by `mujoco-js`'s factory. */
export type Mujoco = MainModule;

export interface MujocoLoaderOptions {
  /**
   * Receives MuJoCo's own output (e.g. "WARNING: Nan, Inf or huge value in QACC"), which would
   * otherwise go to stdout. Default: written to stderr.
   */
  readonly log?: (line: string) => void;
}

/**
 * Loads the MuJoCo WebAssembly module at most once and hands the same instance to every
 * environment. Create one per process (the module is ~10 MB of code and its heap is shared by
 * all simulators in it) and pass it around; nothing is loaded until `load()` is first called.
 */
export class MujocoLoader {
  private loading: Promise<Mujoco> | undefined;
  private readonly log: (line: string) => void;

  constructor(options: MujocoLoaderOptions = {}) {
    this.log = options.log ?? ((line) => void process.stderr.write(`mujoco: ${line}\n`));
  }

  /** The shared module; concurrent callers await the same load. A failed load may be retried. */
  load(): Promise<Mujoco> {
    this.loading ??= importAndInstantiate(this.log).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }
}

async function importAndInstantiate(log: (line: string) => void): Promise<Mujoco> {
  const { default: factory } = await import('mujoco-js');
  // Emscripten's module overrides: where the C code's stdout and stderr go.
  return factory({ print: log, printErr: log });
}
