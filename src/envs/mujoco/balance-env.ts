/**
 * `mujoco/balance-v1`: a cart on a rail must swing its pole up and keep it upright.
 *
 * - Robot: a 1 kg cart on a ±1.2 m rail (the ends are hard stops), driven by a force motor of
 *   ±12 N; a 0.5 m pole of 0.1 kg hinged on the cart, free to turn all the way round, under
 *   gravity.
 * - Seed: the pole angle (uniform over the whole circle, so most episodes need a swing-up, a few
 *   only balancing), its angular velocity (uniform in ±0.5 rad/s) and the cart position (uniform
 *   in ±0.3 m).
 * - Action: `cart_force` [1] in [-1, 1], clipped to the bounds.
 * - Observation (`proprio`): `cart_pos` [1] (m), `cart_vel` [1] (m/s), `pole_angle` [1] (rad,
 *   0 = upright, wrapped to [-π, π), positive leans towards +x), `pole_angvel` [1] (rad/s).
 * - Reward per step: `(1 + cos angle) / 2`, in [0, 1], 1 when upright.
 * - Success: the pole stays within 0.2 rad of upright with the cart within ±1 m for 100
 *   consecutive control steps (2 s); the episode ends there. Otherwise it ends after 500 steps
 *   (10 s) as a failure.
 */
import { boxSpec } from '../action-spec.ts';
import type { SeededRandom } from '../seeded-random.ts';
import type { ValidAction } from '../validate-action.ts';
import type { MujocoTaskInfo, StepVerdict } from './mujoco-environment.ts';
import { MujocoEnvironment } from './mujoco-environment.ts';
import type { Mujoco } from './mujoco-loader.ts';
import { wrapAngle } from './mujoco-views.ts';

const BALANCE_UPRIGHT_ANGLE = 0.2;
const BALANCE_CART_LIMIT = 1;
const BALANCE_HOLD_STEPS = 100;

// qpos layout: cart position, pole angle. The hinge turns about +y so that a positive angle
// leans the pole towards +x.
const XML = `<mujoco model="evalpool-balance-v1">
  <compiler angle="radian"/>
  <!-- The default arena is 13 MB per simulator; these tiny models need far less. -->
  <size memory="512K"/>
  <option timestep="0.005" gravity="0 0 -9.81" integrator="implicitfast"/>
  <default>
    <geom contype="0" conaffinity="0"/>
  </default>
  <worldbody>
    <geom name="rail" type="box" pos="0 0 -0.04" size="1.3 0.02 0.01" rgba="0.4 0.4 0.4 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" limited="true" range="-1.2 1.2" damping="0.5"/>
      <inertial pos="0 0 0" mass="1" diaginertia="0.001 0.004 0.004"/>
      <geom type="box" size="0.1 0.05 0.03" rgba="0.2 0.4 0.8 1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" damping="0.001"/>
        <inertial pos="0 0 0.25" mass="0.1" diaginertia="0.0021 0.0021 0.000005"/>
        <geom type="capsule" fromto="0 0 0 0 0 0.5" size="0.01" rgba="0.9 0.5 0.2 1"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="cart" joint="slider" gear="12" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

/** The fixed facts of `mujoco/balance-v1`. */
export const BALANCE_INFO: MujocoTaskInfo = {
  taskName: 'balance-v1',
  maxTimesteps: 500,
  frameSkip: 4,
  actionSpec: {
    continuous: { cart_force: boxSpec(1, -1, 1, 'normalised horizontal force on the cart') },
    discrete: {},
  },
  proprio: { cart_pos: 1, cart_vel: 1, pole_angle: 1, pole_angvel: 1 },
  xml: XML,
};

/** `mujoco/balance-v1`; see the file's header for the task, reward and success. */
export class BalanceEnvironment extends MujocoEnvironment {
  private held = 0;

  constructor(mj: Mujoco) {
    super(mj, BALANCE_INFO);
  }

  protected initialise(random: SeededRandom): void {
    const qpos = this.qpos();
    const qvel = this.qvel();
    qpos[1] = random.uniform(-Math.PI, Math.PI);
    qvel[1] = random.uniform(-0.5, 0.5);
    qpos[0] = random.uniform(-0.3, 0.3);
    this.held = 0;
  }

  protected applyAction(action: ValidAction): void {
    this.ctrl()[0] = action.continuous.cart_force![0]!;
  }

  protected observe(): Record<string, number[]> {
    const qpos = this.qpos();
    const qvel = this.qvel();
    return {
      cart_pos: [qpos[0]!],
      cart_vel: [qvel[0]!],
      pole_angle: [wrapAngle(qpos[1]!)],
      pole_angvel: [qvel[1]!],
    };
  }

  protected judge(): StepVerdict {
    const qpos = this.qpos();
    const angle = wrapAngle(qpos[1]!);
    const upright = Math.abs(angle) <= BALANCE_UPRIGHT_ANGLE && Math.abs(qpos[0]!) <= BALANCE_CART_LIMIT;
    this.held = upright ? this.held + 1 : 0;
    return { reward: (1 + Math.cos(angle)) / 2, success: this.held >= BALANCE_HOLD_STEPS };
  }
}
