import type { ActionSpec } from './action-spec.ts';
import { InvalidActionError } from './errors.ts';
import type { Action } from './policy-contract.ts';

/** An action that passed {@link validateAction}: every key present, finite, within bounds. */
export interface ValidAction {
  readonly continuous: Readonly<Record<string, readonly number[]>>;
  readonly discrete: Readonly<Record<string, number>>;
}

/**
 * Checks an action against a spec. Rules: exactly the spec's continuous and discrete keys (no
 * missing, no unknown), each continuous vector of the spec's length with finite numbers, each
 * discrete value an integer in `[0, n)`. Finite continuous values outside the bounds are clipped
 * to them (policies often overshoot by rounding; clipping is what the actuator would do anyway).
 * `extra` is ignored. Throws {@link InvalidActionError} naming the first problem.
 */
export function validateAction(spec: ActionSpec, action: Action): ValidAction {
  const continuous: Record<string, number[]> = {};
  const given = action.continuous ?? {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(spec.continuous, key))
      throw new InvalidActionError(`unknown continuous action key "${key}" (expected ${keyList(spec.continuous)})`);
  }
  for (const [key, box] of Object.entries(spec.continuous)) {
    const values = Object.hasOwn(given, key) ? given[key] : undefined;
    if (values === undefined) throw new InvalidActionError(`missing continuous action key "${key}"`);
    if (!Array.isArray(values)) throw new InvalidActionError(`continuous action "${key}" is not an array`);
    if (values.length !== box.low.length) {
      throw new InvalidActionError(`continuous action "${key}" has length ${values.length}, expected ${box.low.length}`);
    }
    const clipped = new Array<number>(values.length);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new InvalidActionError(`continuous action "${key}"[${i}] is ${String(x)}, expected a finite number`);
      }
      clipped[i] = Math.min(box.high[i]!, Math.max(box.low[i]!, x));
    }
    continuous[key] = clipped;
  }

  const discrete: Record<string, number> = {};
  const givenDiscrete = action.discrete ?? {};
  for (const key of Object.keys(givenDiscrete)) {
    if (!Object.hasOwn(spec.discrete, key))
      throw new InvalidActionError(`unknown discrete action key "${key}" (expected ${keyList(spec.discrete)})`);
  }
  for (const [key, choice] of Object.entries(spec.discrete)) {
    const x = Object.hasOwn(givenDiscrete, key) ? givenDiscrete[key] : undefined;
    if (x === undefined) throw new InvalidActionError(`missing discrete action key "${key}"`);
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= choice.n) {
      throw new InvalidActionError(`discrete action "${key}" is ${String(x)}, expected an integer in [0, ${choice.n})`);
    }
    discrete[key] = x;
  }
  return { continuous, discrete };
}

function keyList(record: object): string {
  const keys = Object.keys(record);
  return keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ');
}
