import * as v from 'valibot';
import { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS } from './misbehaviour-modes.ts';

export { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS, type MisbehaviourMode } from './misbehaviour-modes.ts';

export const MisbehaviourSchema = v.object({
  mode: v.picklist(MISBEHAVIOUR_MODES),
  on: v.optional(v.picklist(MISBEHAVIOUR_TARGETS), 'all'),
  delayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000)), 1_000),
  hugeBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(256 * 1_048_576)), 2 * 1_048_576),
});

/** A misbehaviour with every option filled in; `{ mode: 'none' }` parses to good behaviour. */
export type Misbehaviour = v.InferOutput<typeof MisbehaviourSchema>;
export type MisbehaviourInput = v.InferInput<typeof MisbehaviourSchema>;

/** Fills in defaults; throws naming the bad field. */
export function parseMisbehaviour(input: unknown): Misbehaviour {
  const parsed = v.safeParse(MisbehaviourSchema, input);
  if (!parsed.success) throw new TypeError(`invalid misbehaviour: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.output;
}
