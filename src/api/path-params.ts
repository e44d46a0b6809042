import * as v from 'valibot';
import { ApiError } from './api-error.ts';

/** Longest path value echoed back in an error message. */
const ECHO_MAX = 40;

function echo(raw: string): string {
  return JSON.stringify(raw.length > ECHO_MAX ? `${raw.slice(0, ECHO_MAX)}…` : raw);
}

/**
 * A path parameter holding a non-negative integer in `[min, max]`, written in plain digits: no
 * sign, no decimals, no exponent, no spaces. Valibot checks it in order, so the first failing
 * rule names what was wrong.
 */
function integerParam(name: string, min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^[0-9]+$/, `${name} must be a whole number written in digits (no sign, decimals or exponent)`),
    v.transform(Number),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );
}

/** Parses a path parameter or throws a 400 `invalid_parameter` naming the parameter, the rule and the value. */
export function parseParam<T>(schema: v.GenericSchema<string, T>, raw: string | undefined): T {
  const result = v.safeParse(schema, raw ?? '');
  if (result.success) return result.output;
  throw new ApiError(400, 'invalid_parameter', `${result.issues[0].message}, got ${echo(raw ?? '')}`);
}

/** A block number: what `/v1/weights/{block}` accepts (JS numbers are exact up to 2^53 − 1). */
export const blockParam = integerParam('block', 0, Number.MAX_SAFE_INTEGER);
/** A miner uid on a subnet (u16). */
export const uidParam = integerParam('uid', 0, 65_535);
/** A row id (score snapshots). */
export const idParam = integerParam('id', 1, Number.MAX_SAFE_INTEGER);
