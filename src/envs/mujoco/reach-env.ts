/**
 * `mujoco/reach-v1`: a planar two-link arm brings its tip to a target.
 *
 * - Robot: shoulder and elbow hinges about z (no gravity in the plane), links of 0.15 m and
 *   0.12 m, torque motors. The elbow is limited to ±2.8 rad.
 * - Seed: the shoulder angle (uniform in [-π, π)), the elbow angle (uniform in [-2, 2]) and the
 *   target (radius uniform in [0.08, 0.24] m, angle uniform), at least 0.08 m from the tip.
 * - Action: `joint_torque` [2] in [-1, 1] (shoulder, elbow), clipped to the bounds.
 * - Observation (`proprio`): `joint_pos` [2] (shoulder wrapped to [-π, π), elbow), `joint_vel`
 *   [2], `tip_pos` [2] and `target_pos` [2] (x, y in metres).
 * - Reward per step: minus the tip-to-target distance in metres.
 * - Success: the tip stays within 0.02 m of the target for 10 consecutive control steps (0.2 s);
 *   the episode ends there. Otherwise it ends after 200 steps (4 s) as a failure.
 */
import { boxSpec } from '../action-spec.ts';
import type { SeededRandom } from '../seeded-random.ts';
import type { ValidAction } from '../validate-action.ts';
import type { MujocoTaskInfo, StepVerdict } from './mujoco-environment.ts';
import { MujocoEnvironment } from './mujoco-environment.ts';
import type { Mujoco } from './mujoco-loader.ts';
import { wrapAngle } from './mujoco-views.ts';

/** Link lengths in metres (what an expert controller may know about the robot). */
export const REACH_LINKS = [0.15, 0.12] as const;
const REACH_SUCCESS_RADIUS = 0.02;
const REACH_HOLD_STEPS = 10;

const XML = `<mujoco model="evalpool-reach-v1">
  <compiler angle="radian"/>
  <!-- The default arena is 13 MB per simulator; these tiny models need far less. -->
  <size memory="512K"/>
  <option timestep="0.005" gravity="0 0 0" integrator="implicitfast"/>
  <default>
    <geom contype="0" conaffinity="0"/>
  </default>
  <worldbody>
    <geom name="base" type="cylinder" size="0.02 0.01" rgba="0.3 0.3 0.3 1"/>
    <body name="upper_arm" pos="0 0 0.02">
      <joint name="shoulder" type="hinge" axis="0 0 1" damping="0.01"/>
      <inertial pos="0.075 0 0" mass="0.1" diaginertia="0.00001 0.0002 0.0002"/>
      <geom type="capsule" fromto="0 0 0 0.15 0 0" size="0.01" rgba="0.2 0.5 0.8 1"/>
      <body name="forearm" pos="0.15 0 0">
        <joint name="elbow" type="hinge" axis="0 0 1" limited="true" range="-2.8 2.8" damping="0.005"/>
        <inertial pos="0.06 0 0" mass="0.06" diaginertia="0.000005 0.00008 0.00008"/>
        <geom type="capsule" fromto="0 0 0 0.12 0 0" size="0.008" rgba="0.2 0.7 0.5 1"/>
        <site name="tip" pos="0.12 0 0" size="0.01"/>
      </body>
    </body>
    <body name="target" mocap="true" pos="0.2 0 0.02">
      <inertial pos="0 0 0" mass="0.01" diaginertia="0.000001 0.000001 0.000001"/>
      <geom type="sphere" size="0.02" rgba="0.9 0.2 0.2 0.5"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="shoulder" joint="shoulder" gear="0.05" ctrllimited="true" ctrlrange="-1 1"/>
    <motor name="elbow" joint="elbow" gear="0.025" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

/** The fixed facts of `mujoco/reach-v1`. */
export const REACH_INFO: MujocoTaskInfo = {
  taskName: 'reach-v1',
  maxTimesteps: 200,
  frameSkip: 4,
  actionSpec: {
    continuous: { joint_torque: boxSpec(2, -1, 1, 'normalised torques of the shoulder and elbow motors') },
    discrete: {},
  },
  proprio: { joint_pos: 2, joint_vel: 2, tip_pos: 2, target_pos: 2 },
  xml: XML,
};

/** A target in the arm's reach, at least 0.08 m from the tip (rejection sampling). */
function drawTarget(random: SeededRandom, tipX: number, tipY: number): { x: number; y: number } {
  for (;;) {
    const radius = random.uniform(0.08, 0.24);
    const angle = random.uniform(-Math.PI, Math.PI);
    const x = radius * Math.cos(angle);
    const y = radius * Math.sin(angle);
    if (Math.hypot(x - tipX, y - tipY) >= 0.08) return { x, y };
  }
}

/** `mujoco/reach-v1`; see the file's header for the task, reward and success. */
export class ReachEnvironment extends MujocoEnvironment {
  private held = 0;

  constructor(mj: Mujoco) {
    super(mj, REACH_INFO);
  }

  protected initialise(random: SeededRandom): void {
    const qpos = this.qpos();
    qpos[0] = random.uniform(-Math.PI, Math.PI);
    qpos[1] = random.uniform(-2, 2);
    const [l1, l2] = REACH_LINKS;
    const tipX = l1 * Math.cos(qpos[0]) + l2 * Math.cos(qpos[0] + qpos[1]);
    const tipY = l1 * Math.sin(qpos[0]) + l2 * Math.sin(qpos[0] + qpos[1]);
    const { x, y } = drawTarget(random, tipX, tipY);
    const mocap = this.mocapPos();
    mocap[0] = x;
    mocap[1] = y;
    this.held = 0;
  }

  protected applyAction(action: ValidAction): void {
    const torque = action.continuous.joint_torque!;
    const ctrl = this.ctrl();
    ctrl[0] = torque[0]!;
    ctrl[1] = torque[1]!;
  }

  protected observe(): Record<string, number[]> {
    const qpos = this.qpos();
    const qvel = this.qvel();
    const tip = this.siteXpos();
    const target = this.mocapPos();
    return {
      joint_pos: [wrapAngle(qpos[0]!), qpos[1]!],
      joint_vel: [qvel[0]!, qvel[1]!],
      tip_pos: [tip[0]!, tip[1]!],
      target_pos: [target[0]!, target[1]!],
    };
  }

  protected judge(): StepVerdict {
    const tip = this.siteXpos();
    const target = this.mocapPos();
    const distance = Math.hypot(tip[0]! - target[0]!, tip[1]! - target[1]!);
    this.held = distance <= REACH_SUCCESS_RADIUS ? this.held + 1 : 0;
    return { reward: -distance, success: this.held >= REACH_HOLD_STEPS };
  }
}
