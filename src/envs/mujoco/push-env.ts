/**
 * `mujoco/push-v1`: a round pusher on a table pushes a puck onto a goal.
 *
 * - Scene: a horizontal table of ±0.35 m; the pusher (a sphere of radius 0.02 m) moves in x and y
 *   under two force motors; the puck (a cylinder of radius 0.04 m) slides in x and y with
 *   friction-like damping and can only be moved by contact with the pusher. Both stay on the
 *   table (joint limits act as walls).
 * - Seed: the puck (radius uniform in [0.05, 0.2] m from the centre, angle uniform), the goal
 *   (uniform in the table's ±0.25 m square, 0.12 m to 0.3 m from the puck) and the pusher
 *   (uniform in ±0.25 m, at least 0.1 m from the puck).
 * - Action: `pusher_force` [2] in [-1, 1] (x, y), clipped to the bounds.
 * - Observation (`proprio`): `pusher_pos` [2], `pusher_vel` [2], `puck_pos` [2], `puck_vel` [2],
 *   `goal_pos` [2] (metres, metres per second).
 * - Reward per step: minus the puck-to-goal distance minus a tenth of the pusher-to-puck
 *   distance (metres), which rewards staying in contact.
 * - Success: the puck's centre stays within 0.03 m of the goal for 10 consecutive control steps
 *   (0.2 s); the episode ends there. Otherwise it ends after 300 steps (6 s) as a failure.
 */
import { boxSpec } from '../action-spec.ts';
import type { SeededRandom } from '../seeded-random.ts';
import type { ValidAction } from '../validate-action.ts';
import type { MujocoTaskInfo, StepVerdict } from './mujoco-environment.ts';
import { MujocoEnvironment } from './mujoco-environment.ts';
import type { Mujoco } from './mujoco-loader.ts';

export const PUSH_PUCK_RADIUS = 0.04;
export const PUSH_PUSHER_RADIUS = 0.02;
const PUSH_SUCCESS_RADIUS = 0.03;
const PUSH_HOLD_STEPS = 10;

// qpos layout: pusher x, pusher y, puck x, puck y.
const XML = `<mujoco model="evalpool-push-v1">
  <compiler angle="radian"/>
  <!-- The default arena is 13 MB per simulator; these tiny models need far less. -->
  <size memory="512K"/>
  <option timestep="0.005" gravity="0 0 0" integrator="implicitfast"/>
  <worldbody>
    <geom name="table" type="box" pos="0 0 -0.03" size="0.4 0.4 0.01" contype="0" conaffinity="0" rgba="0.8 0.8 0.75 1"/>
    <body name="pusher" pos="0 0 0">
      <joint name="pusher_x" type="slide" axis="1 0 0" limited="true" range="-0.35 0.35" damping="2"/>
      <joint name="pusher_y" type="slide" axis="0 1 0" limited="true" range="-0.35 0.35" damping="2"/>
      <inertial pos="0 0 0" mass="0.2" diaginertia="0.00004 0.00004 0.00004"/>
      <geom name="pusher" type="sphere" size="0.02" contype="1" conaffinity="2" condim="3" friction="0.1 0.005 0.0001" rgba="0.2 0.4 0.9 1"/>
    </body>
    <body name="puck" pos="0 0 0">
      <joint name="puck_x" type="slide" axis="1 0 0" limited="true" range="-0.35 0.35" damping="3"/>
      <joint name="puck_y" type="slide" axis="0 1 0" limited="true" range="-0.35 0.35" damping="3"/>
      <inertial pos="0 0 0" mass="0.3" diaginertia="0.00015 0.00015 0.00024"/>
      <geom name="puck" type="cylinder" size="0.04 0.02" contype="2" conaffinity="1" condim="3" friction="0.1 0.005 0.0001" rgba="0.9 0.6 0.1 1"/>
    </body>
    <body name="goal" mocap="true" pos="0 0 -0.015">
      <inertial pos="0 0 0" mass="0.01" diaginertia="0.000001 0.000001 0.000001"/>
      <geom type="cylinder" size="0.03 0.001" contype="0" conaffinity="0" rgba="0.2 0.8 0.2 0.5"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="pusher_x" joint="pusher_x" gear="3" ctrllimited="true" ctrlrange="-1 1"/>
    <motor name="pusher_y" joint="pusher_y" gear="3" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

/** The fixed facts of `mujoco/push-v1`. */
export const PUSH_INFO: MujocoTaskInfo = {
  taskName: 'push-v1',
  maxTimesteps: 300,
  frameSkip: 4,
  actionSpec: {
    continuous: { pusher_force: boxSpec(2, -1, 1, 'normalised x and y forces on the pusher') },
    discrete: {},
  },
  proprio: { pusher_pos: 2, pusher_vel: 2, puck_pos: 2, puck_vel: 2, goal_pos: 2 },
  xml: XML,
};

/** A point uniform in the table's ±0.25 m square that passes `accept` (rejection sampling). */
function drawPoint(random: SeededRandom, accept: (x: number, y: number) => boolean): { x: number; y: number } {
  for (;;) {
    const x = random.uniform(-0.25, 0.25);
    const y = random.uniform(-0.25, 0.25);
    if (accept(x, y)) return { x, y };
  }
}

/** `mujoco/push-v1`; see the file's header for the task, reward and success. */
export class PushEnvironment extends MujocoEnvironment {
  private held = 0;

  constructor(mj: Mujoco) {
    super(mj, PUSH_INFO);
  }

  protected initialise(random: SeededRandom): void {
    const radius = random.uniform(0.05, 0.2);
    const angle = random.uniform(-Math.PI, Math.PI);
    const puckX = radius * Math.cos(angle);
    const puckY = radius * Math.sin(angle);
    const goal = drawPoint(random, (x, y) => {
      const distance = Math.hypot(x - puckX, y - puckY);
      return distance >= 0.12 && distance <= 0.3;
    });
    const pusher = drawPoint(random, (x, y) => Math.hypot(x - puckX, y - puckY) >= 0.1);
    const qpos = this.qpos();
    qpos[0] = pusher.x;
    qpos[1] = pusher.y;
    qpos[2] = puckX;
    qpos[3] = puckY;
    const mocap = this.mocapPos();
    mocap[0] = goal.x;
    mocap[1] = goal.y;
    this.held = 0;
  }

  protected applyAction(action: ValidAction): void {
    const force = action.continuous.pusher_force!;
    const ctrl = this.ctrl();
    ctrl[0] = force[0]!;
    ctrl[1] = force[1]!;
  }

  protected observe(): Record<string, number[]> {
    const qpos = this.qpos();
    const qvel = this.qvel();
    const goal = this.mocapPos();
    return {
      pusher_pos: [qpos[0]!, qpos[1]!],
      pusher_vel: [qvel[0]!, qvel[1]!],
      puck_pos: [qpos[2]!, qpos[3]!],
      puck_vel: [qvel[2]!, qvel[3]!],
      goal_pos: [goal[0]!, goal[1]!],
    };
  }

  protected judge(): StepVerdict {
    const qpos = this.qpos();
    const goal = this.mocapPos();
    const toGoal = Math.hypot(qpos[2]! - goal[0]!, qpos[3]! - goal[1]!);
    const toPuck = Math.hypot(qpos[2]! - qpos[0]!, qpos[3]! - qpos[1]!);
    this.held = toGoal <= PUSH_SUCCESS_RADIUS ? this.held + 1 : 0;
    return { reward: -toGoal - 0.1 * toPuck, success: this.held >= PUSH_HOLD_STEPS };
  }
}
