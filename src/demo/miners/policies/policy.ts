import type { Action, Observation } from '../../../envs/policy-contract.ts';

/** The demo miner's policy kinds: a controller that solves the built-in envs, a worse one, chance. */
export const POLICY_KINDS = ['expert', 'noisy', 'random'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** A stateless policy: the action is a function of the observation alone. */
export interface Policy {
  act(observation: Observation): Action;
}

/** The proprio vectors of an observation, as an expert reads them. */
export type Proprio = Readonly<Record<string, readonly number[]>>;

/** Reads `proprio[key][index]`, failing loudly when the observation is not the expected one. */
export function read(proprio: Proprio, key: string, index = 0): number {
  const value = proprio[key]?.[index];
  if (value === undefined) throw new Error(`observation has no proprio "${key}"[${index}]`);
  return value;
}

/** Clips to [-1, 1], the bounds of every built-in env's action. */
export function unit(x: number): number {
  return Math.max(-1, Math.min(1, x));
}
