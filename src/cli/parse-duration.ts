import * as v from 'valibot';
import { DAY_MS, HOUR_MS } from '../config/constants.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: HOUR_MS, d: DAY_MS };

const DurationSchema = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'must be a number followed by ms, s, m, h or d (e.g. 90m, 2h, 1.5d)'),
  v.transform((text) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text)!;
    return Math.round(Number(amount) * UNITS[unit!]!);
  }),
);

/** Parses a duration such as `2h` or `90m` into milliseconds; throws a message naming `what`. */
export function parseDuration(text: string, what: string): number {
  const result = v.safeParse(DurationSchema, text);
  if (!result.success) throw new Error(`${what} "${text}": ${result.issues[0].message}`);
  return result.output;
}

/** A short human age: `45s`, `12m`, `3.5h`, `2.0d`. */
export function formatAge(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1_000))}s`;
  if (ms < HOUR_MS) return `${Math.round(ms / 60_000)}m`;
  if (ms < DAY_MS) return `${(ms / HOUR_MS).toFixed(1)}h`;
  return `${(ms / DAY_MS).toFixed(1)}d`;
}
