import { wrapAngle } from '../../../envs/mujoco/mujoco-views.ts';
import { REACH_LINKS } from '../../../envs/mujoco/reach-env.ts';
import type { Proprio } from './policy.ts';
import { read, unit } from './policy.ts';

/**
 * `mujoco/reach-v1`: solve the arm's inverse kinematics for the target (keeping the elbow on the
 * side it is already on), then drive both joints there with a PD controller.
 */
export function reachExpert(proprio: Proprio): Record<string, number[]> {
  const [l1, l2] = REACH_LINKS;
  const q1 = read(proprio, 'joint_pos', 0);
  const q2 = read(proprio, 'joint_pos', 1);
  const x = read(proprio, 'target_pos', 0);
  const y = read(proprio, 'target_pos', 1);
  const cosElbow = Math.max(-1, Math.min(1, (x * x + y * y - l1 * l1 - l2 * l2) / (2 * l1 * l2)));
  const elbow = q2 >= 0 ? Math.acos(cosElbow) : -Math.acos(cosElbow);
  const shoulder = Math.atan2(y, x) - Math.atan2(l2 * Math.sin(elbow), l1 + l2 * Math.cos(elbow));
  return {
    joint_torque: [
      unit(5 * wrapAngle(shoulder - q1) - 0.5 * read(proprio, 'joint_vel', 0)),
      unit(5 * (elbow - q2) - 0.3 * read(proprio, 'joint_vel', 1)),
    ],
  };
}
