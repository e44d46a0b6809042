import * as v from 'valibot';
import { hash32 } from '../../envs/seeded-random.ts';
import { describeIssues } from '../../runtime/describe-issues.ts';
import { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS } from './misbehaviour-modes.ts';

export { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS, type MisbehaviourMode } from './misbehaviour-modes.ts';

export const MisbehaviourSchema = v.object({
  mode: v.picklist(MISBEHAVIOUR_MODES),
  on: v.optional(v.picklist(MISBEHAVIOUR_TARGETS), 'all'),
  delayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000)), 1_000),
  hugeBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(256 * 1_048_576)), 2 * 1_048_576),
  fraction: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.15),
  decline: v.optional(v.picklist(['error500', 'drop']), 'error500'),
  dropAtAct: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)), 3),
  salt: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff)), 0),
});

/** A misbehaviour with every option filled in; `{ mode: 'none' }` parses to good behaviour. */
export type Misbehaviour = v.InferOutput<typeof MisbehaviourSchema>;
export type MisbehaviourInput = v.InferInput<typeof MisbehaviourSchema>;

/** Fills in defaults; throws naming the bad field. */
export function parseMisbehaviour(input: unknown): Misbehaviour {
  const parsed = v.safeParse(MisbehaviourSchema, input);
  if (!parsed.success) throw new TypeError(`invalid misbehaviour: ${describeIssues(parsed.issues)}`);
  return parsed.output;
}

/** Whether a `selective` miner declines this task id: a seeded draw, the same on every retry. */
export function declines(misbehaviour: Misbehaviour, taskId: number): boolean {
  return hash32(misbehaviour.salt, taskId >>> 0, Math.floor(taskId / 2 ** 32), 0x5e1ec7) / 2 ** 32 < misbehaviour.fraction;
}
