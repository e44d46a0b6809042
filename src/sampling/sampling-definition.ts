import * as v from 'valibot';
import { type DefinitionProblem, SamplingDefinitionError } from './sampling-error.ts';

/** Task ids are int4 in Postgres; `dataset.end` is exclusive and stored as int4 too. */
const TASK_ID_MAX = 2_147_483_646;
/** Upper bound of `list_size` (and so of `rotation.count`): a list is one Postgres array. */
const LIST_SIZE_MAX = 100_000;
/** Longest rotation interval: one year. */
const ROTATION_INTERVAL_MAX_SECONDS = 31_536_000;

/** `family/name-v1`: letters, digits, `_ . -`, segments separated by `/`, at most 128 characters. */
const ENV_ID = /^(?=.{1,128}$)[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/;

/**
 * A container image reference: `[host[:port]/]path[:tag][@sha256:digest]`, lowercase path
 * components, at most 255 characters (Docker's rules).
 */
const IMAGE =
  /^(?=.{1,255}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Environment families: how a worker runs the env. */
const FAMILIES = ['mujoco', 'container'] as const;
export type Family = (typeof FAMILIES)[number];

function int(min: number, max: number) {
  const rule = `must be an integer from ${min} to ${max}`;
  return v.pipe(v.number(rule), v.integer(rule), v.minValue(min, rule), v.maxValue(max, rule));
}

/** The JSON shape of `sampling-lists/<env>.json` (snake_case, as written by operators). */
export const SamplingDefinitionFileSchema = v.strictObject({
  env_id: v.pipe(
    v.string('must be a string'),
    v.regex(ENV_ID, 'must be like "mujoco/reach-v1": letters, digits, _ . - in segments separated by /, at most 128 characters'),
  ),
  family: v.picklist(FAMILIES, `must be one of ${FAMILIES.map((f) => `"${f}"`).join(', ')}`),
  description: v.optional(v.string('must be a string')),
  dataset: v.strictObject({ start: int(0, TASK_ID_MAX), end: int(1, TASK_ID_MAX + 1) }),
  list_size: int(1, LIST_SIZE_MAX),
  rotation: v.strictObject({ count: int(1, LIST_SIZE_MAX), interval_seconds: int(1, ROTATION_INTERVAL_MAX_SECONDS) }),
  scored: v.boolean('must be true or false'),
  initial_list: v.optional(v.array(int(0, TASK_ID_MAX), 'must be an array of task ids')),
  max_timesteps: v.optional(int(1, 100_000_000)),
  image: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(IMAGE, 'must be an image reference like "localhost/evalpool-env-mujoco:dev" or "registry:5000/team/env@sha256:<digest>"'),
    ),
  ),
  use_images: v.optional(v.boolean('must be true or false')),
  max_concurrency: v.optional(int(1, 1_024)),
  replicas: v.optional(int(1, 256)),
  memory_mb: v.optional(int(64, 1_048_576)),
  cpus: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.finite('must be a number'),
      v.minValue(0.01, 'must be at least 0.01'),
      v.maxValue(1_024, 'must be at most 1024'),
    ),
  ),
});

/** The fields of a `container` env that only the container family reads. */
const CONTAINER_FIELDS = ['image', 'use_images', 'max_concurrency', 'replicas', 'memory_mb', 'cpus'] as const;

/**
 * One environment's sampling: which task ids exist (`dataset`, `[start, end)`), how many are in
 * the list at a time, how the list rotates, and whether the env counts towards weights.
 */
export interface SamplingDefinition {
  readonly envId: string;
  readonly family: Family;
  readonly description?: string;
  readonly dataset: { readonly start: number; readonly end: number };
  readonly listSize: number;
  readonly rotation: { readonly count: number; readonly intervalSeconds: number };
  readonly scored: boolean;
  /** The list to start from (oldest first); otherwise a random draw. Used only at creation. */
  readonly initialList?: readonly number[];
  /** Episode length override for the env (read by workers; not stored with the list). */
  readonly maxTimesteps?: number;
  /** The image that serves a `container` env (required for that family, refused for others; read by workers). */
  readonly image?: string;
  /** `container` family, read by workers: whether the miner gets camera images (`use_images`, default false). */
  readonly useImages?: boolean;
  /** `container` family: episodes one container of the image serves at once (default 1: the Actors are not thread-safe). */
  readonly maxConcurrency?: number;
  /** `container` family: most containers of the image a worker runs (default: as many as its concurrency needs). */
  readonly replicas?: number;
  /** `container` family: memory limit of each container, in MiB. */
  readonly memoryMb?: number;
  /** `container` family: CPU limit of each container, in CPUs. */
  readonly cpus?: number;
  /** Where it came from, for messages. */
  readonly source: string;
}

/** The file name a definition must have: the env id with `/` replaced by `__`, plus `.json`. */
export function definitionFileName(envId: string): string {
  return `${envId.replaceAll('/', '__')}.json`;
}

function fieldOf(issue: v.BaseIssue<unknown>): string {
  const path = issue.path ?? [];
  if (path.length === 0) return '(file)';
  return path.map((item, i) => (item.type === 'array' ? `[${String(item.key)}]` : `${i > 0 ? '.' : ''}${String(item.key)}`)).join('');
}

function detailOf(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object') {
    // The object schema reports unknown keys ("expected never"), missing keys and non-objects.
    if (issue.expected === 'never') return 'is not a known field';
    if (issue.received === 'undefined') return 'is required';
    return 'must be an object';
  }
  if (issue.received === 'undefined') return `is required (${issue.message})`;
  return issue.message;
}

/** Cross-field rules that the schema cannot state per field. */
function crossFieldProblems(file: string, d: v.InferOutput<typeof SamplingDefinitionFileSchema>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (field: string, detail: string): void => void problems.push({ file, field, detail });
  const size = d.dataset.end - d.dataset.start;
  if (d.dataset.end <= d.dataset.start) add('dataset', `end (${d.dataset.end}) must be greater than start (${d.dataset.start})`);
  if (d.rotation.count > d.list_size) add('rotation.count', `must be at most list_size (${d.list_size})`);
  // A rotation draws `count` ids that are not in the list, so the dataset needs room for both.
  else if (size > 0 && size < d.list_size + d.rotation.count) {
    add(
      'dataset',
      `holds ${size} task ids, but list_size + rotation.count = ${d.list_size + d.rotation.count} are needed (the list plus one rotation's new ids)`,
    );
  }
  if (d.family === 'container') {
    // The env id is the one the image expects (`metaworld/reach-v3`): it is sent as `env_id`.
    if (d.image === undefined) add('image', 'is required when family is "container" (the image that serves the env)');
  } else {
    for (const field of CONTAINER_FIELDS)
      if (d[field] !== undefined) add(field, `is only for family "container" (this env's family is "${d.family}")`);
  }
  if (d.initial_list) {
    if (d.initial_list.length !== d.list_size) add('initial_list', `has ${d.initial_list.length} ids, but list_size is ${d.list_size}`);
    const seen = new Set<number>();
    d.initial_list.forEach((id, i) => {
      if (id < d.dataset.start || id >= d.dataset.end)
        add(`initial_list[${i}]`, `${id} is outside the dataset [${d.dataset.start}, ${d.dataset.end})`);
      if (seen.has(id)) add(`initial_list[${i}]`, `${id} appears twice`);
      seen.add(id);
    });
  }
  return problems;
}

/**
 * Validates one definition read from `source` (a file path, used in messages). When
 * `fileName` is given, it must agree with the env id (see {@link definitionFileName}).
 * Throws a {@link SamplingDefinitionError} naming the file and every bad field.
 */
export function parseSamplingDefinition(raw: unknown, source: string, fileName?: string): SamplingDefinition {
  const parsed = v.safeParse(SamplingDefinitionFileSchema, raw);
  if (!parsed.success) {
    throw new SamplingDefinitionError(parsed.issues.map((issue) => ({ file: source, field: fieldOf(issue), detail: detailOf(issue) })));
  }
  const d = parsed.output;
  const problems = crossFieldProblems(source, d);
  if (fileName !== undefined && fileName !== definitionFileName(d.env_id)) {
    problems.unshift({
      file: source,
      field: 'env_id',
      detail: `"${d.env_id}" belongs in a file named ${definitionFileName(d.env_id)}, not ${fileName}`,
    });
  }
  if (problems.length > 0) throw new SamplingDefinitionError(problems);
  return {
    envId: d.env_id,
    family: d.family,
    ...(d.description !== undefined && { description: d.description }),
    dataset: { start: d.dataset.start, end: d.dataset.end },
    listSize: d.list_size,
    rotation: { count: d.rotation.count, intervalSeconds: d.rotation.interval_seconds },
    scored: d.scored,
    ...(d.initial_list !== undefined && { initialList: d.initial_list }),
    ...(d.max_timesteps !== undefined && { maxTimesteps: d.max_timesteps }),
    ...(d.image !== undefined && { image: d.image }),
    ...(d.use_images !== undefined && { useImages: d.use_images }),
    ...(d.max_concurrency !== undefined && { maxConcurrency: d.max_concurrency }),
    ...(d.replicas !== undefined && { replicas: d.replicas }),
    ...(d.memory_mb !== undefined && { memoryMb: d.memory_mb }),
    ...(d.cpus !== undefined && { cpus: d.cpus }),
    source,
  };
}
