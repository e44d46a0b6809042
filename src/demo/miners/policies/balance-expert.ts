import type { Proprio } from './policy.ts';
import { read, unit } from './policy.ts';

// Pole inertia about the hinge and m·g·l of the balance-v1 model.
const POLE_INERTIA = 0.0021 + 0.1 * 0.25 * 0.25;
const POLE_MGL = 0.1 * 9.81 * 0.25;
/** Discrete LQR gains at upright, from the model linearised over one 20 ms control step. */
const LQR = { x: 1.9645, v: 2.1031, angle: 10.5993, angvel: 1.6451 };
const BALANCE_ZONE = 0.4;

/**
 * `mujoco/balance-v1`: energy-shaping swing-up (move the cart so that the pole's energy goes to
 * the upright energy, while pulling the cart back to the centre), then LQR once the pole is
 * within 0.4 rad of upright.
 */
export function balanceExpert(proprio: Proprio): Record<string, number[]> {
  const x = read(proprio, 'cart_pos');
  const v = read(proprio, 'cart_vel');
  const angle = read(proprio, 'pole_angle');
  const angvel = read(proprio, 'pole_angvel');
  if (Math.abs(angle) < BALANCE_ZONE) {
    return { cart_force: [unit(LQR.x * x + LQR.v * v + LQR.angle * angle + LQR.angvel * angvel)] };
  }
  // dE/dt = -m·l·θ'·cosθ·ẍ, so ẍ ∝ E·θ'·cosθ drives E (0 when upright and still) to 0.
  const energy = 0.5 * POLE_INERTIA * angvel * angvel + POLE_MGL * (Math.cos(angle) - 1);
  return { cart_force: [unit(50 * energy * angvel * Math.cos(angle) - 0.5 * x - 0.5 * v)] };
}
