import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../runtime/error-message.ts';
import { parseSamplingDefinition, type SamplingDefinition } from './sampling-definition.ts';
import { type DefinitionProblem, SamplingDefinitionError } from './sampling-error.ts';

/**
 * Reads and validates every `*.json` file of `dir` (one environment per file, named after its
 * env id with `/` replaced by `__`), sorted by env id. All problems of all files are reported
 * together in one {@link SamplingDefinitionError}; a missing folder is an error too.
 */
export async function loadSamplingDefinitions(dir: string): Promise<SamplingDefinition[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new SamplingDefinitionError([{ file: dir, field: '(folder)', detail: `cannot be read (${errorMessage(error)})` }]);
  }
  const definitions: SamplingDefinition[] = [];
  const problems: DefinitionProblem[] = [];
  for (const name of names) {
    const source = join(dir, name);
    try {
      const text = await readFile(source, 'utf8');
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        problems.push({ file: source, field: '(file)', detail: `is not valid JSON (${errorMessage(error)})` });
        continue;
      }
      definitions.push(parseSamplingDefinition(raw, source, name));
    } catch (error) {
      if (!(error instanceof SamplingDefinitionError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new SamplingDefinitionError(problems);
  return definitions.sort((a, b) => (a.envId < b.envId ? -1 : a.envId > b.envId ? 1 : 0));
}
