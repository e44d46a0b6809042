import { PUSH_PUCK_RADIUS, PUSH_PUSHER_RADIUS } from '../../../envs/mujoco/push-env.ts';
import type { Proprio } from './policy.ts';
import { read, unit } from './policy.ts';

const CONTACT = PUSH_PUCK_RADIUS + PUSH_PUSHER_RADIUS;

/**
 * `mujoco/push-v1`: steer the pusher behind the puck (on the far side from the goal), going
 * round it when it is in the way, then push along the puck-goal line, more gently near the goal.
 * The pusher follows a way-point with a PD controller.
 */
export function pushExpert(proprio: Proprio): Record<string, number[]> {
  const px = read(proprio, 'pusher_pos', 0);
  const py = read(proprio, 'pusher_pos', 1);
  const bx = read(proprio, 'puck_pos', 0);
  const by = read(proprio, 'puck_pos', 1);
  const dx = read(proprio, 'goal_pos', 0) - bx;
  const dy = read(proprio, 'goal_pos', 1) - by;
  const distance = Math.hypot(dx, dy);
  // u: unit vector from puck to goal; w: puck to pusher.
  const ux = distance > 1e-9 ? dx / distance : 1;
  const uy = distance > 1e-9 ? dy / distance : 0;
  const wx = px - bx;
  const wy = py - by;
  const wn = Math.max(Math.hypot(wx, wy), 1e-9);
  const behind = -(wx * ux + wy * uy) / wn; // cosine between w and -u
  let tx: number;
  let ty: number;
  if (distance < 0.01) {
    // On the goal: back off a little and let the puck settle.
    tx = bx - ux * (CONTACT + 0.02);
    ty = by - uy * (CONTACT + 0.02);
  } else if (behind > 0.95 && wn < CONTACT + 0.04) {
    const push = Math.min(distance, 0.06);
    tx = bx - ux * CONTACT + ux * push;
    ty = by - uy * CONTACT + uy * push;
  } else {
    const side = wx * -uy + wy * ux >= 0 ? 1 : -1;
    const nx = -uy * side;
    const ny = ux * side;
    const ax = bx - ux * (CONTACT + 0.03);
    const ay = by - uy * (CONTACT + 0.03);
    if (behind < -0.3) {
      // Ahead of the puck: first go level with it, on the side we are on.
      tx = bx + nx * (CONTACT + 0.04);
      ty = by + ny * (CONTACT + 0.04);
    } else if (segmentDistance(px, py, ax, ay, bx, by) < CONTACT + 0.015) {
      // The straight way to the approach point would hit the puck: take a diagonal way-point.
      tx = bx + (nx - ux) * (CONTACT + 0.03);
      ty = by + (ny - uy) * (CONTACT + 0.03);
    } else {
      tx = ax;
      ty = ay;
    }
  }
  return {
    pusher_force: [unit(30 * (tx - px) - 2 * read(proprio, 'pusher_vel', 0)), unit(30 * (ty - py) - 2 * read(proprio, 'pusher_vel', 1))],
  };
}

/** Distance from point c to the segment a-b. */
function segmentDistance(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const sx = bx - ax;
  const sy = by - ay;
  const length2 = sx * sx + sy * sy;
  const t = length2 > 0 ? Math.max(0, Math.min(1, ((cx - ax) * sx + (cy - ay) * sy) / length2)) : 0;
  return Math.hypot(ax + t * sx - cx, ay + t * sy - cy);
}
