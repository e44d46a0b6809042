/**
 * The static miners file (`EVALPOOL_MINERS_FILE`): the embedded default source of miners when no
 * chain endpoint is configured.
 *
 * Format (JSON):
 * ```json
 * {
 *   "miners": [
 *     { "uid": 0, "hotkey": "demo-miner-0", "endpoint": "http://127.0.0.1:9100" },
 *     { "uid": 1, "hotkey": "5F3sa2TJ...", "endpoint": "http://10.0.0.7:8000", "revision": "v2", "committed_block": 120 },
 *     { "uid": 2, "hotkey": "5HGjWAeF...", "commitment": "org/policy:1a2b3c4d:95edf2b6-e18b-400a-8398-5573df10e5e4" }
 *   ]
 * }
 * ```
 * Per entry: `uid` (integer 0-65535, unique), `hotkey` (1-128 of letters, digits, `.` `_` `-`;
 * unique), exactly one of `endpoint` (an http(s) URL) or `commitment` (any form accepted on chain,
 * see commitment.ts), optional `revision` (1-64 of letters, digits, `.` `_` `-`) and optional
 * `committed_block` (integer ≥ 0, default 0). Unknown fields are refused (they are usually typos).
 *
 * Revision: `<revision or "static">-<12 hex of SHA-256("\n" + endpoint)>` for an `endpoint`
 * entry; for a `commitment` entry, the commitment's revision, or `<revision>-<hash>` as above when
 * `revision` is given. Either way it changes when the endpoint changes.
 */
import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import { HOTKEY_PATTERN, REVISION_PATTERN } from '../config/constants.ts';
import { errorMessage } from '../runtime/error-message.ts';

// strictObject reports three kinds of issue with one message: pick the words per kind.
function objectMessage(what: string, allowed: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => {
    if (issue.expected === 'never') return `unknown field (allowed: ${allowed})`;
    return issue.input === undefined && issue.expected?.startsWith('"')
      ? `required field ${issue.expected} is missing`
      : `expected ${what}`;
  };
}

const EntrySchema = v.pipe(
  v.strictObject(
    {
      uid: v.pipe(
        v.number('expected a number'),
        v.integer('expected an integer'),
        v.minValue(0, 'must be ≥ 0'),
        v.maxValue(65_535, 'must be ≤ 65535'),
      ),
      hotkey: v.pipe(v.string('expected a string'), v.regex(HOTKEY_PATTERN, 'expected 1-128 of letters, digits, "." "_" "-"')),
      endpoint: v.optional(
        v.pipe(v.string('expected a string'), v.url('expected a URL'), v.regex(/^https?:\/\//i, 'expected an http:// or https:// URL')),
      ),
      commitment: v.optional(v.pipe(v.string('expected a string'), v.nonEmpty('must not be empty'))),
      revision: v.optional(
        v.pipe(v.string('expected a string'), v.regex(REVISION_PATTERN, 'expected 1-64 of letters, digits, "." "_" "-"')),
      ),
      committed_block: v.optional(v.pipe(v.number('expected a number'), v.integer('expected an integer'), v.minValue(0, 'must be ≥ 0'))),
    },
    objectMessage('an object', 'uid, hotkey, endpoint, commitment, revision, committed_block'),
  ),
  v.check(
    (entry) => (entry.endpoint === undefined) !== (entry.commitment === undefined),
    'exactly one of "endpoint" or "commitment" is required',
  ),
);

const FileSchema = v.strictObject(
  { miners: v.array(EntrySchema, 'expected an array of miners') },
  objectMessage('an object with a "miners" array', 'miners'),
);

/** One entry of the static miners file, validated. */
export type StaticMinerEntry = v.InferOutput<typeof EntrySchema>;

/** A static miners file that cannot be used; the message names the file, the entry and the field. */
export class StaticMinersFileError extends Error {
  override readonly name = 'StaticMinersFileError';
}

/**
 * The file cannot be read (missing, a folder, no permission): the file and the reason's code, e.g.
 * `miners.json: cannot read the miners file (ENOENT)`. Without the system error as `cause`, whose
 * message would only repeat it in a log line ("…(ENOENT): ENOENT: no such file or directory, …").
 */
export function unreadableMinersFile(file: string, error: unknown): StaticMinersFileError {
  return new StaticMinersFileError(
    `${file}: cannot read the miners file (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
  );
}

function describe(file: string, input: unknown, issue: v.BaseIssue<unknown>): string {
  const keys = (issue.path ?? []).map((item) => item.key);
  if (keys[0] !== 'miners' || typeof keys[1] !== 'number') {
    const where = keys.length === 0 ? '' : ` field ${JSON.stringify(keys.join('.'))}:`;
    return `${file}:${where} ${issue.message}`;
  }
  const index = keys[1];
  const entry: unknown = (input as { miners: unknown[] }).miners[index];
  const hotkey =
    typeof entry === 'object' && entry !== null && typeof (entry as { hotkey?: unknown }).hotkey === 'string'
      ? ` (hotkey ${(entry as { hotkey: string }).hotkey})`
      : '';
  const field = keys.slice(2).join('.');
  return `${file}: entry ${index}${hotkey}:${field === '' ? '' : ` field "${field}":`} ${issue.message}`;
}

function duplicates(file: string, entries: readonly StaticMinerEntry[]): string[] {
  const problems: string[] = [];
  const uids = new Map<number, number>();
  const hotkeys = new Map<string, number>();
  entries.forEach((entry, index) => {
    const uidAt = uids.get(entry.uid);
    if (uidAt !== undefined)
      problems.push(`${file}: entry ${index} (hotkey ${entry.hotkey}): field "uid": ${entry.uid} is already used by entry ${uidAt}`);
    else uids.set(entry.uid, index);
    const hotkeyAt = hotkeys.get(entry.hotkey);
    if (hotkeyAt !== undefined)
      problems.push(`${file}: entry ${index} (hotkey ${entry.hotkey}): field "hotkey": already used by entry ${hotkeyAt}`);
    else hotkeys.set(entry.hotkey, index);
  });
  return problems;
}

/**
 * Validates the text of a static miners file. Throws {@link StaticMinersFileError} listing every
 * problem, each naming `file`, the entry (index and hotkey when present) and the field.
 */
export function parseStaticMinersFile(file: string, text: string): StaticMinerEntry[] {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new StaticMinersFileError(`${file}: not valid JSON: ${errorMessage(error)}`);
  }
  if (Array.isArray(input)) throw new StaticMinersFileError(`${file}: expected an object with a "miners" array, got an array`);
  const result = v.safeParse(FileSchema, input);
  if (!result.success) throw new StaticMinersFileError(result.issues.map((issue) => describe(file, input, issue)).join('\n'));
  const problems = duplicates(file, result.output.miners);
  if (problems.length > 0) throw new StaticMinersFileError(problems.join('\n'));
  return result.output.miners;
}

/**
 * Reads and validates the static miners file. A file that cannot be read is a
 * {@link StaticMinersFileError} naming it and the reason (`ENOENT`, `EACCES`, ...).
 */
export async function readStaticMinersFile(file: string): Promise<StaticMinerEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw unreadableMinersFile(file, error);
  }
  return parseStaticMinersFile(file, text);
}
