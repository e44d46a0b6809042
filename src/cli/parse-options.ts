import type { Command } from 'commander';
import * as v from 'valibot';

/** A flag's text that must be a whole number within `[min, max]`. */
export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.integer(), v.minValue(min), v.maxValue(max));
}

/**
 * Checks a command's parsed flags against `schema`; on a bad value stops the command (exit 1)
 * naming every offending flag as it is written (`--seed-start must be a whole number`).
 */
export function parseOptions<S extends v.GenericSchema>(schema: S, raw: unknown, command: Command): v.InferOutput<S> {
  const parsed = v.safeParse(schema, raw);
  if (parsed.success) return parsed.output;
  const flag = (issue: v.BaseIssue<unknown>): string => `--${(v.getDotPath(issue) ?? '?').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return command.error(`evalpool: ${parsed.issues.map((issue) => `${flag(issue)} ${issue.message}`).join('; ')}`);
}
