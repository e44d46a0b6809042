import * as v from 'valibot';

/**
 * One `EVALPOOL_*` environment variable: how its text is parsed, its default, the rule it must
 * follow (stated in errors and in docs/configuration.md's table) and whether its value is a secret.
 */
export interface Variable<T> {
  readonly name: string;
  readonly doc: string;
  /** The default as it would be written in the environment; `undefined` = no default (optional). */
  readonly defaultText: string | undefined;
  /** The rule in words, e.g. "an integer from 1 to 65535". */
  readonly rule: string;
  readonly secret: boolean;
  /** Whether `<name>_FILE` may name a file that holds the value (for secrets). */
  readonly fromFile: boolean;
  /** Parses the raw text (after the default was applied). */
  readonly schema: v.GenericSchema<string, T>;
}

interface Common {
  readonly doc: string;
  readonly secret?: boolean;
  readonly fromFile?: boolean;
}

function make<T>(
  name: string,
  defaultText: string | undefined,
  rule: string,
  common: Common,
  schema: v.GenericSchema<string, T>,
): Variable<T> {
  return { name, doc: common.doc, defaultText, rule, secret: common.secret ?? false, fromFile: common.fromFile ?? false, schema };
}

/** An integer within `[min, max]`. */
export function integer(name: string, o: Common & { default: number; min: number; max: number }): Variable<number> {
  const rule = `an integer from ${o.min} to ${o.max}`;
  const schema = v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^-?\d+$/, `must be ${rule}`),
    v.transform(Number),
    v.minValue(o.min, `must be ${rule}`),
    v.maxValue(o.max, `must be ${rule}`),
  );
  return make(name, String(o.default), rule, o, schema);
}

/** An integer within `[min, max]` that may be left unset. */
export function optionalInteger(name: string, o: Common & { min: number; max: number }): Variable<number | undefined> {
  const base = integer(name, { ...o, default: o.min });
  return { ...base, defaultText: undefined };
}

/** A finite number within `(min, max]` when `exclusiveMin`, else `[min, max]`. */
export function decimal(name: string, o: Common & { default: number; min: number; max: number; exclusiveMin?: boolean }): Variable<number> {
  const rule = o.exclusiveMin ? `a number greater than ${o.min} and at most ${o.max}` : `a number from ${o.min} to ${o.max}`;
  const schema = v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i, `must be ${rule}`),
    v.transform(Number),
    v.check((n) => (o.exclusiveMin ? n > o.min : n >= o.min) && n <= o.max, `must be ${rule}`),
  );
  return make(name, String(o.default), rule, o, schema);
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** A boolean written as true/false, 1/0, yes/no or on/off. */
export function boolean(name: string, o: Common & { default: boolean }): Variable<boolean> {
  const rule = 'true or false (also 1/0, yes/no, on/off)';
  const schema = v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.picklist([...TRUE, ...FALSE], `must be ${rule}`),
    v.transform((s) => TRUE.includes(s)),
  );
  return make(name, String(o.default), rule, o, schema);
}

/** A boolean that may be left unset (then the program decides, e.g. "pretty logs on a TTY"). */
export function optionalBoolean(name: string, o: Common): Variable<boolean | undefined> {
  const base = boolean(name, { ...o, default: false });
  return { ...base, defaultText: undefined, schema: base.schema };
}

/** Free text, optionally matching a pattern (described by `rule`). */
export function text(name: string, o: Common & { default: string; pattern?: RegExp; rule?: string }): Variable<string> {
  const rule = o.rule ?? 'any text';
  const schema = o.pattern ? v.pipe(v.string(), v.trim(), v.regex(o.pattern, `must be ${rule}`)) : v.pipe(v.string(), v.trim());
  return make(name, o.default, rule, o, schema);
}

/** Text that may be left unset (no default). */
export function optionalText(name: string, o: Common & { pattern?: RegExp; rule?: string }): Variable<string | undefined> {
  const rule = o.rule ?? 'any text';
  const schema = o.pattern
    ? v.pipe(v.string(), v.trim(), v.regex(o.pattern, `must be ${rule}`))
    : v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty when set'));
  return make(name, undefined, rule, o, schema);
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(name: string, options: readonly T[], o: Common & { default: T }): Variable<T> {
  const rule = `one of ${options.join(', ')}`;
  const schema = v.pipe(v.string(), v.trim(), v.picklist(options, `must be ${rule}`));
  return make(name, o.default, rule, o, schema);
}

function urlSchema(protocols: readonly string[], rule: string): v.GenericSchema<string, string> {
  return v.pipe(
    v.string(),
    v.trim(),
    v.check((s) => URL.canParse(s) && protocols.includes(new URL(s).protocol), `must be ${rule}`),
  );
}

/** A URL whose scheme is one of `protocols` (e.g. `['postgres:', 'postgresql:']`). */
export function url(name: string, o: Common & { default: string; protocols: readonly string[] }): Variable<string> {
  const rule = `a URL starting with ${o.protocols.map((p) => `${p}//`).join(' or ')}`;
  return make(name, o.default, rule, o, urlSchema(o.protocols, rule));
}

/** A URL that may be left unset. */
export function optionalUrl(name: string, o: Common & { protocols: readonly string[] }): Variable<string | undefined> {
  const rule = `a URL starting with ${o.protocols.map((p) => `${p}//`).join(' or ')}`;
  return make(name, undefined, rule, o, urlSchema(o.protocols, rule));
}

/** A comma-separated list of items matching `pattern`; empty text means an empty list. */
export function list(name: string, o: Common & { default: string; pattern: RegExp; rule: string }): Variable<readonly string[]> {
  const rule = `a comma-separated list of ${o.rule}`;
  const schema = v.pipe(
    v.string(),
    v.transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    ),
    v.check((items) => items.every((x) => o.pattern.test(x)), `must be ${rule}`),
  );
  return make(name, o.default, rule, o, schema);
}
