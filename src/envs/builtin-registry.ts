import type { ActionSpec } from './action-spec.ts';
import type { Environment } from './environment.ts';
import { BALANCE_INFO, BalanceEnvironment } from './mujoco/balance-env.ts';
import type { MujocoTaskInfo } from './mujoco/mujoco-environment.ts';
import type { Mujoco, MujocoLoader } from './mujoco/mujoco-loader.ts';
import { PUSH_INFO, PushEnvironment } from './mujoco/push-env.ts';
import { REACH_INFO, ReachEnvironment } from './mujoco/reach-env.ts';

/** What is known about a built-in environment without starting a simulator. */
export interface BuiltinEnvInfo {
  /** `<family>/<task name>`, e.g. `mujoco/reach-v1`. */
  readonly id: string;
  readonly family: string;
  readonly taskName: string;
  readonly maxTimesteps: number;
  readonly actionSpec: ActionSpec;
  /** The observation's `proprio` keys and their lengths. */
  readonly proprio: Readonly<Record<string, number>>;
}

interface BuiltinEntry {
  readonly info: BuiltinEnvInfo;
  readonly create: (mj: Mujoco) => Environment;
}

function mujocoEntry(task: MujocoTaskInfo, create: (mj: Mujoco) => Environment): BuiltinEntry {
  const { taskName, maxTimesteps, actionSpec, proprio } = task;
  return { info: { id: `mujoco/${taskName}`, family: 'mujoco', taskName, maxTimesteps, actionSpec, proprio }, create };
}

/** The built-in environments, easiest first. */
const ENTRIES: readonly BuiltinEntry[] = Object.freeze([
  mujocoEntry(REACH_INFO, (mj) => new ReachEnvironment(mj)),
  mujocoEntry(PUSH_INFO, (mj) => new PushEnvironment(mj)),
  mujocoEntry(BALANCE_INFO, (mj) => new BalanceEnvironment(mj)),
]);

/** Every built-in environment's static description, easiest first. */
export function listBuiltinEnvs(): readonly BuiltinEnvInfo[] {
  return ENTRIES.map((entry) => entry.info);
}

/** The static description of a built-in environment, or undefined for an unknown id. */
export function builtinEnvInfo(id: string): BuiltinEnvInfo | undefined {
  return ENTRIES.find((entry) => entry.info.id === id)?.info;
}

/** Asked for an environment id that is not built in. */
export class UnknownEnvironmentError extends Error {
  override readonly name = 'UnknownEnvironmentError';

  constructor(readonly envId: string) {
    super(`unknown environment "${envId}" (built-in: ${ENTRIES.map((e) => e.info.id).join(', ')})`);
  }
}

/**
 * Creates simulator instances of the built-in environments. The MuJoCo module is loaded by the
 * loader it is given, on the first `create`, and shared by every instance.
 */
export class BuiltinRegistry {
  constructor(private readonly mujoco: MujocoLoader) {}

  /** The ids of the built-in environments, easiest first. */
  ids(): string[] {
    return ENTRIES.map((entry) => entry.info.id);
  }

  has(id: string): boolean {
    return builtinEnvInfo(id) !== undefined;
  }

  /** A new instance; the caller owns it and must `close()` it. */
  async create(id: string): Promise<Environment> {
    const entry = ENTRIES.find((e) => e.info.id === id);
    if (entry === undefined) throw new UnknownEnvironmentError(id);
    return entry.create(await this.mujoco.load());
  }
}
