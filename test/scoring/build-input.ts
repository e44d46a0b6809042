import assert from 'node:assert/strict';
import type { MinerEnvAggregate, ScoredMiner } from '../../src/scoring/scoring-input.ts';

/** A miner with a recognisable hotkey and revision. */
export function miner(uid: number, committedBlock: number): ScoredMiner {
  return { uid, hotkey: `hk${uid}`, revision: `rev${uid}`, committedBlock };
}

/** An aggregate of 0/1 successes: `sum = sumSq = successes`. */
export function agg(uid: number, envId: string, successes: number, n: number): MinerEnvAggregate {
  return { uid, envId, n, sum: successes, sumSq: successes };
}

/** Asserts that `actual` is a number within `tolerance` of `expected`. */
export function assertClose(actual: number | null | undefined, expected: number, tolerance = 1e-9): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected}`);
}
