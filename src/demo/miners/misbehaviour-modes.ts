// Kept apart from misbehaviour.ts (and its valibot schema) so that the CLI's help can list them cheaply.
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
export const MISBEHAVIOUR_MODES = [
  'none',
  'hang',
  'slow',
  'error500',
  'error429',
  'garbage',
  'huge',
  'nan',
  'wrong-length',
  'selective',
] as const;
export type MisbehaviourMode = (typeof MISBEHAVIOUR_MODES)[number];

/** Which endpoints misbehave. */
export const MISBEHAVIOUR_TARGETS = ['reset', 'act', 'all'] as const;
