import type { Context } from 'hono';
import * as v from 'valibot';
import { HOTKEY_PATTERN } from '../../config/constants.ts';
import { TaskJobDataSchema } from '../../pool/task-job.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { ApiError } from '../api-error.ts';

/** Longest input value echoed back in an error message. */
const ECHO_MAX = 60;

/** A value as JSON, cut at `ECHO_MAX` characters. */
const echo = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > ECHO_MAX ? `${text.slice(0, ECHO_MAX)}…` : text;
};

/** An env id, by the pool's own rule. */
export const envInput = TaskJobDataSchema.entries.env;

/**
 * A miner hotkey: the static miners file's rule (SS58 addresses from the chain fit it too). The
 * pool itself accepts any text, so this only refuses what no miner source can produce.
 */
export const hotkeyInput = v.pipe(
  v.string('hotkey must be a string'),
  v.regex(HOTKEY_PATTERN, 'hotkey must be 1 to 128 letters, digits, ".", "_" or "-"'),
);

/** A query parameter holding a whole number in `[min, max]`, written in digits. */
export function integerQuery(name: string, min: number, max: number) {
  const rule = `${name} must be a whole number from ${min} to ${max}`;
  return v.pipe(v.string(), v.regex(/^\d{1,16}$/, rule), v.transform(Number), v.minValue(min, rule), v.maxValue(max, rule));
}

/** A query parameter holding true/false (also 1/0). */
export function booleanQuery(name: string) {
  return v.pipe(
    v.string(),
    v.picklist(['true', 'false', '1', '0'], `${name} must be true or false`),
    v.transform((s) => s === 'true' || s === '1'),
  );
}

/**
 * The first problem of a failed parse as a sentence naming the field: unknown fields are
 * refused (a typo in a filter must not widen a delete), missing ones are named.
 */
function describe(issues: readonly v.BaseIssue<unknown>[], allowed: readonly string[], what: string): string {
  const issue = issues[0]!;
  const field = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    return `unknown ${what} ${echo(field)}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`;
  }
  if (issue.type === 'strict_object' && issue.received === 'undefined') return `${field} is required`;
  // Custom messages name their field already ("limit must be ..."); valibot's own do not.
  const named = field === '' || issue.message.startsWith(`${field} `) ? issue.message : `${field}: ${issue.message}`;
  return issue.kind === 'validation' ? `${named}, got ${echo(issue.input)}` : named;
}

/** A strict object schema (its entries name the allowed fields). */
type ObjectSchema<T> = v.GenericSchema<unknown, T> & { readonly entries: v.ObjectEntries };

/** Parses the query string with a strict object schema, or throws 400 `invalid_query`. */
export function parseQuery<T>(c: Context, schema: ObjectSchema<T>): T {
  const flat: Record<string, string> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) throw new ApiError(400, 'invalid_query', `${key} is given ${values.length} times; give it once`);
    flat[key] = values[0] ?? '';
  }
  const result = v.safeParse(schema, flat);
  if (result.success) return result.output;
  throw new ApiError(400, 'invalid_query', describe(result.issues, Object.keys(schema.entries), 'query parameter'));
}

/** Parses the JSON body with a strict object schema, or throws 400 `invalid_body`. */
export async function parseJsonBody<T>(c: Context, schema: ObjectSchema<T>): Promise<T> {
  const fields = Object.keys(schema.entries);
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError(400, 'invalid_body', `a JSON object body is required, with ${fields.join(', ')}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'invalid_body', `the body is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_body', `the body must be a JSON object with ${fields.join(', ')}, got ${echo(body)}`);
  }
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  throw new ApiError(400, 'invalid_body', describe(result.issues, fields, 'field'));
}

/** Parses a path parameter, or throws 400 `invalid_parameter`. */
export function parsePathParam<T>(name: string, schema: v.GenericSchema<string, T>, raw: string | undefined): T {
  const result = v.safeParse(schema, raw ?? '');
  if (result.success) return result.output;
  const message = result.issues[0].message;
  throw new ApiError(
    400,
    'invalid_parameter',
    `${message.startsWith(`${name} `) ? message : `${name}: ${message}`}, got ${echo(raw ?? '')}`,
  );
}
