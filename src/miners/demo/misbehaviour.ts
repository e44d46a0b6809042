import * as v from 'valibot';
import { hash32 } from '../../envs/seeded-random.ts';

/**
 * Ways the demo miner can misbehave, for tests of the worker's error classes:
 * `hang` never answers; `slow` answers after `delayMs`; `error500`/`error429` answer with that
 * status; `garbage` answers with a body that is not JSON; `huge` with a valid JSON body of
 * `hugeBytes`; `nan` with Python-style `NaN` in every action entry; `wrong-length` with one
 * entry too many in every action vector.
 *
 * `selective` is the miner that picks its tasks: it takes the task at `/reset`, and for a seeded
 * `fraction` of task ids (chosen by a hash of the task id and `salt`, so every retry of a task is
 * declined again) it declines it: `decline: 'error500'` answers 500 at `/reset`; `decline: 'drop'`
 * replays the episode on its own simulator and drops the connection at the `dropAtAct`-th `/act`
 * (recognised by its observation). Every other task is played normally.
 */
export const MISBEHAVIOUR_MODES = ['none', 'hang', 'slow', 'error500', 'error429', 'garbage', 'huge', 'nan', 'wrong-length', 'selective'] as const;
export type MisbehaviourMode = (typeof MISBEHAVIOUR_MODES)[number];

/** Which endpoints misbehave. */
export const MISBEHAVIOUR_TARGETS = ['reset', 'act', 'all'] as const;

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
  if (!parsed.success) throw new TypeError(`invalid misbehaviour: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.output;
}

/** Whether a `selective` miner declines this task id: a seeded draw, the same on every retry. */
export function declines(misbehaviour: Misbehaviour, taskId: number): boolean {
  return hash32(misbehaviour.salt, taskId >>> 0, Math.floor(taskId / 2 ** 32), 0x5e1ec7) / 2 ** 32 < misbehaviour.fraction;
}
