/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it throws,
 * naming the line, on anything a Prometheus server would refuse or that breaks the format's
 * rules (HELP/TYPE before the samples, one TYPE per family, families contiguous, no duplicate
 * series, valid names, escapes and numbers, consistent histograms).
 */

/** One sample line. */
export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, ... for a histogram family `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A metric family: its HELP, TYPE and samples. */
export interface Family {
  readonly name: string;
  help: string | undefined;
  type: MetricType;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

class ParseError extends Error {
  constructor(line: number, text: string, message: string) {
    super(`line ${line}: ${message}: ${JSON.stringify(text)}`);
  }
}

/** A float as Prometheus (Go's ParseFloat) reads it: NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return Number.NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return FLOAT.test(text) ? Number(text) : undefined;
}

/** The family a sample name belongs to, given the declared families. */
function familyOf(name: string, families: ReadonlyMap<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const family = families.get(name.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) return family;
  }
  return undefined;
}

/** Parses `{a="x",b="y"}` starting at `text[start] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, fail: (message: string) => never): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0) fail('label without "="');
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(`invalid label name ${JSON.stringify(name)}`);
    if (name.startsWith('__')) fail(`reserved label name ${name}`);
    if (Object.hasOwn(labels, name)) fail(`duplicate label ${name}`);
    if (text[eq + 1] !== '"') fail(`label ${name}: value must be quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const ch = text[j];
      if (ch === undefined) fail(`label ${name}: unterminated value`);
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[j + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else fail(`label ${name}: invalid escape \\${next ?? ''}`);
        j += 2;
        continue;
      }
      value += ch;
      j++;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(`expected "," or "}" after label ${name}`);
  }
}

/** Parses a whole exposition; throws on the first violation. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  const typed = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const fail = (message: string): never => {
      throw new ParseError(index + 1, line, message);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, kind, name, rest = ''] = match as unknown as [string, 'HELP' | 'TYPE', string, string | undefined];
      if (!METRIC_NAME.test(name)) fail(`invalid metric name ${name}`);
      if (closed.has(name)) fail(`family ${name} declared again after other families`);
      let family = families.get(name);
      if (family && family.samples.length > 0) fail(`${kind} of ${name} after its samples`);
      if (!family) {
        family = { name, help: undefined, type: 'untyped', samples: [] };
        families.set(name, family);
      }
      if (current && current !== family) closed.add(current.name);
      current = family;
      if (kind === 'HELP') {
        if (family.help !== undefined) fail(`second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replaceAll('\\\\', ''))) fail('invalid escape in HELP');
        family.help = rest.replaceAll('\\n', '\n').replaceAll('\\\\', '\\');
      } else {
        if (!TYPES.has(rest as MetricType)) fail(`unknown type ${rest}`);
        if (typed.has(name)) fail(`second TYPE for ${name}`);
        family.type = rest as MetricType;
        typed.add(name);
      }
      return;
    }

    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) fail('expected a sample: name [labels] value');
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) fail(`invalid metric name ${name}`);
    let labels: Record<string, string> = {};
    let restStart = nameEnd;
    if (line[nameEnd] === '{') ({ labels, end: restStart } = parseLabels(line, nameEnd, fail));
    if (line[restStart] !== ' ') fail('expected a space before the value');
    const parts = line.slice(restStart + 1).split(' ');
    if (parts.length < 1 || parts.length > 2 || parts.some((p) => p === '')) fail('expected "value [timestamp]"');
    const value = parseValue(parts[0]!);
    if (value === undefined) fail(`invalid value ${parts[0]}`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail(`invalid timestamp ${parts[1]}`);

    let family = familyOf(name, families);
    if (!family) {
      // A sample without HELP/TYPE: an untyped family of its own.
      family = { name, help: undefined, type: 'untyped', samples: [] };
      families.set(name, family);
    }
    if (closed.has(family.name)) fail(`samples of ${family.name} are not contiguous`);
    if (current && current !== family) closed.add(current.name);
    current = family;
    if (family.type === 'histogram' && name === family.name) fail(`histogram ${name} has a sample without _bucket/_sum/_count`);
    if (name.endsWith('_bucket') && family.type === 'histogram') {
      const le = labels.le;
      if (le === undefined) fail('histogram bucket without "le"');
      else if (parseValue(le) === undefined) fail(`invalid le ${le}`);
    }
    const key = `${name}{${Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seen.has(key)) fail(`duplicate series ${key}`);
    seen.add(key);
    family.samples.push({ name, labels, value: value! });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Buckets cumulative and non-decreasing, `+Inf` present and equal to `_count`, per label set. */
function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { buckets: [] }));
    if (s.name.endsWith('_bucket')) group.buckets.push([parseValue(le!)!, s.value]);
    else if (s.name.endsWith('_count')) group.count = s.value;
    else group.sum = s.value;
  }
  for (const [key, group] of groups) {
    const where = `histogram ${family.name} ${key}`;
    if (group.count === undefined || group.sum === undefined) throw new Error(`${where}: missing _count or _sum`);
    const sorted = group.buckets.toSorted((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no le="+Inf" bucket`);
    for (let i = 1; i < sorted.length; i++) if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`${where}: buckets are not cumulative`);
    if (sorted.at(-1)![1] !== group.count) throw new Error(`${where}: +Inf bucket ${sorted.at(-1)![1]} differs from _count ${group.count}`);
  }
}

/** The samples of a family whose labels include `match`. */
export function samplesOf(
  families: ReadonlyMap<string, Family>,
  family: string,
  match: Readonly<Record<string, string>> = {},
  sampleName: string = family,
): Sample[] {
  const f = families.get(family);
  if (!f) return [];
  return f.samples.filter((s) => s.name === sampleName && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The value of exactly one sample; throws when there is none or more than one. */
export function valueOf(
  families: ReadonlyMap<string, Family>,
  family: string,
  match: Readonly<Record<string, string>> = {},
  sampleName: string = family,
): number {
  const found = samplesOf(families, family, match, sampleName);
  if (found.length !== 1) throw new Error(`expected one sample of ${sampleName} with ${JSON.stringify(match)}, found ${found.length}`);
  return found[0]!.value;
}
