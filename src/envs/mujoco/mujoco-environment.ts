import type { MjData, MjModel } from 'mujoco-js';
import { toError } from '../../runtime/error-message.ts';
import type { ActionSpec } from '../action-spec.ts';
import type { Environment, StepResult } from '../environment.ts';
import { EnvironmentError } from '../errors.ts';
import type { Action, Observation } from '../policy-contract.ts';
import { proprioObservation } from '../policy-contract.ts';
import { SeededRandom } from '../seeded-random.ts';
import type { ValidAction } from '../validate-action.ts';
import { validateAction } from '../validate-action.ts';
import type { Mujoco } from './mujoco-loader.ts';
import { f64 } from './mujoco-views.ts';

/** The fixed facts of one MuJoCo task, known without loading the simulator. */
export interface MujocoTaskInfo {
  /** e.g. `reach-v1`; the env id is `mujoco/<taskName>`. */
  readonly taskName: string;
  readonly maxTimesteps: number;
  readonly actionSpec: ActionSpec;
  /** The `proprio` keys of every observation, in order, with their lengths. */
  readonly proprio: Readonly<Record<string, number>>;
  /** Physics steps per control step. */
  readonly frameSkip: number;
  /** The MJCF model, written for this project. */
  readonly xml: string;
}

/** What a task reports after each control step. */
export interface StepVerdict {
  readonly reward: number;
  readonly success: boolean;
}

/** The random stream of a seed that draws the initial state (policies use other streams). */
const INITIAL_STATE_STREAM = 0;

/**
 * The lifecycle shared by every MuJoCo task: one compiled model and its data per instance,
 * `reset` from a seed, `frameSkip` physics steps per action, divergence checks, and `close`.
 * Subclasses say how a seed places things, how an action drives the actuators, what is
 * observed and when the task is solved.
 *
 * Determinism: `mj_resetData` clears all dynamic state (including the solver's warm start),
 * and the initial state is a pure function of the seed, so an episode depends only on the seed
 * and the actions.
 */
export abstract class MujocoEnvironment implements Environment {
  readonly family = 'mujoco';
  readonly id: string;
  readonly maxTimesteps: number;
  readonly actionSpec: ActionSpec;

  protected readonly mj: Mujoco;
  protected readonly model: MjModel;
  protected readonly data: MjData;
  private readonly info: MujocoTaskInfo;
  private phase: 'idle' | 'running' | 'done' | 'closed' = 'idle';
  private timestep = 0;

  protected constructor(mj: Mujoco, info: MujocoTaskInfo) {
    this.mj = mj;
    this.info = info;
    this.id = `mujoco/${info.taskName}`;
    this.maxTimesteps = info.maxTimesteps;
    this.actionSpec = info.actionSpec;
    const path = `/evalpool-models/${info.taskName}.xml`;
    let model: MjModel | undefined;
    try {
      if (!mj.FS.analyzePath('/evalpool-models', false).exists) mj.FS.mkdir('/evalpool-models');
      mj.FS.writeFile(path, info.xml);
      model = mj.MjModel.loadFromXML(path);
      this.model = model;
      this.data = new mj.MjData(model);
    } catch (error) {
      model?.delete();
      throw new EnvironmentError(`cannot load the model: ${mujocoMessage(error)}`, this.id, { cause: error });
    }
  }

  /** Places the robot, objects and goals for a new episode; the data was just reset. */
  protected abstract initialise(random: SeededRandom): void;
  /** Writes a validated action into the actuators' controls. */
  protected abstract applyAction(action: ValidAction): void;
  /** The `proprio` vectors of the current state, with the keys of `info.proprio`. */
  protected abstract observe(): Record<string, number[]>;
  /** Judges the state after a control step; may keep counters, cleared in `initialise`. */
  protected abstract judge(): StepVerdict;

  reset(seed: number): Promise<Observation> {
    return settle(() => this.resetNow(seed));
  }

  step(action: Action): Promise<StepResult> {
    return settle(() => this.stepNow(action));
  }

  private resetNow(seed: number): Observation {
    this.assertOpen();
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    this.simulate('reset', () => {
      this.mj.mj_resetData(this.model, this.data);
      this.initialise(new SeededRandom(seed, INITIAL_STATE_STREAM));
      this.mj.mj_forward(this.model, this.data);
    });
    this.timestep = 0;
    this.phase = 'running';
    return this.observation();
  }

  private stepNow(action: Action): StepResult {
    this.assertOpen();
    if (this.phase !== 'running')
      throw new EnvironmentError(this.phase === 'idle' ? 'step before reset' : 'step after the episode ended', this.id);
    const valid = validateAction(this.actionSpec, action);
    const verdict = this.simulate('step', () => {
      this.applyAction(valid);
      const before = this.data.time;
      for (let i = 0; i < this.info.frameSkip; i++) this.mj.mj_step(this.model, this.data);
      // MuJoCo silently resets the data (time back to 0) when the accelerations blow up.
      if (!(this.data.time > before)) throw new Error('the simulation diverged and was reset by MuJoCo');
      return this.judge();
    });
    this.timestep++;
    const done = verdict.success || this.timestep >= this.maxTimesteps;
    if (done) this.phase = 'done';
    return { observation: this.observation(), reward: verdict.reward, done, success: verdict.success };
  }

  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.data.delete();
    this.model.delete();
  }

  /** Control steps taken in the current episode. */
  get elapsedTimesteps(): number {
    return this.timestep;
  }

  protected qpos(): Float64Array {
    return f64(this.data.qpos, 'qpos');
  }

  protected qvel(): Float64Array {
    return f64(this.data.qvel, 'qvel');
  }

  protected ctrl(): Float64Array {
    return f64(this.data.ctrl, 'ctrl');
  }

  protected mocapPos(): Float64Array {
    return f64(this.data.mocap_pos, 'mocap_pos');
  }

  protected siteXpos(): Float64Array {
    return f64(this.data.site_xpos, 'site_xpos');
  }

  private observation(): Observation {
    const proprio = this.observe();
    for (const [key, values] of Object.entries(proprio)) {
      if (!values.every(Number.isFinite)) throw new EnvironmentError(`observation "${key}" is not finite`, this.id);
    }
    return proprioObservation(proprio);
  }

  private simulate<T>(what: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw new EnvironmentError(`${what} failed: ${mujocoMessage(error)}`, this.id, { cause: error });
    }
  }

  private assertOpen(): void {
    if (this.phase === 'closed') throw new EnvironmentError('used after close', this.id);
  }
}

/** Runs synchronous work behind the asynchronous interface, turning a throw into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(toError(error));
  }
}

/** MuJoCo throws C++ exceptions as objects with a `name` (e.g. `mjXError`) and no message. */
function mujocoMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') return `MuJoCo ${error.name}`;
  return String(error);
}
