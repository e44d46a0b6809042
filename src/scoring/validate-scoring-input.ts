import type { MinerEnvAggregate, ScoringInput } from './scoring-input.ts';
import { ScoringInputError } from './scoring-input-error.ts';
import { MAX_SUBSET_ENVS } from './subset-winners.ts';

// Float sums of scores in [0, 1] can overshoot n by rounding; anything beyond this is a bug upstream.
const SUM_SLACK = 1e-9;

const isInt = (x: unknown, min: number, max: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;

function fail(field: string, detail: string, value: unknown): never {
  throw new ScoringInputError(field, `${detail}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
}

/**
 * Checks the contract of {@link ScoringInput} and throws a {@link ScoringInputError} naming the
 * first offending field: unique env ids and uids, integer list sizes >= 1, integer uids in
 * [0, 65535], integer committed blocks >= 0, aggregates that reference a known miner and env once,
 * with `0 <= n <= |L_e|` and `0 <= sum, sumSq <= n`; at most {@link MAX_SUBSET_ENVS} envs. Returns the input for chaining.
 */
export function validateScoringInput(input: ScoringInput): ScoringInput {
  if (input.envs.length > MAX_SUBSET_ENVS) {
    fail('envs', `must hold at most ${MAX_SUBSET_ENVS} scored envs (2^|envs| subsets are enumerated)`, input.envs.length);
  }
  const listSizes = new Map<string, number>();
  input.envs.forEach((env, i) => {
    if (typeof env.envId !== 'string' || env.envId.length === 0) fail(`envs[${i}].envId`, 'must be a non-empty string', env.envId);
    if (listSizes.has(env.envId)) fail(`envs[${i}].envId`, 'is a duplicate', env.envId);
    if (!isInt(env.listSize, 1, Number.MAX_SAFE_INTEGER)) fail(`envs[${i}].listSize`, 'must be an integer >= 1', env.listSize);
    listSizes.set(env.envId, env.listSize);
  });

  const uids = new Set<number>();
  input.miners.forEach((m, i) => {
    if (!isInt(m.uid, 0, 65535)) fail(`miners[${i}].uid`, 'must be an integer in [0, 65535]', m.uid);
    if (uids.has(m.uid)) fail(`miners[${i}].uid`, 'is a duplicate', m.uid);
    if (typeof m.hotkey !== 'string') fail(`miners[${i}].hotkey`, 'must be a string', m.hotkey);
    if (typeof m.revision !== 'string') fail(`miners[${i}].revision`, 'must be a string', m.revision);
    if (!isInt(m.committedBlock, 0, Number.MAX_SAFE_INTEGER))
      fail(`miners[${i}].committedBlock`, 'must be an integer >= 0', m.committedBlock);
    uids.add(m.uid);
  });

  const seen = new Set<string>();
  input.aggregates.forEach((a: MinerEnvAggregate, i) => {
    const at = `aggregates[${i}]`;
    if (!uids.has(a.uid)) fail(`${at}.uid`, 'is not among the miners', a.uid);
    const listSize = listSizes.get(a.envId);
    if (listSize === undefined) fail(`${at}.envId`, 'is not among the scored envs', a.envId);
    const key = `${a.uid}\u0000${a.envId}`;
    if (seen.has(key)) throw new ScoringInputError(at, `is a second row for uid ${a.uid} in env ${JSON.stringify(a.envId)}`);
    seen.add(key);
    if (!isInt(a.n, 0, listSize)) fail(`${at}.n`, `must be an integer in [0, ${listSize}] (the list size)`, a.n);
    const max = a.n + SUM_SLACK * Math.max(1, a.n);
    if (typeof a.sum !== 'number' || !(a.sum >= 0 && a.sum <= max)) fail(`${at}.sum`, `must be in [0, n = ${a.n}]`, a.sum);
    if (typeof a.sumSq !== 'number' || !(a.sumSq >= 0 && a.sumSq <= max)) fail(`${at}.sumSq`, `must be in [0, n = ${a.n}]`, a.sumSq);
  });
  return input;
}
