import { parseSamplingDefinition, type SamplingDefinition } from '../../src/sampling/sampling-definition.ts';

/** The JSON of a valid definition file, with `overrides` merged at the top level. */
export function definitionJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    env_id: 'test/env-v1',
    family: 'mujoco',
    dataset: { start: 0, end: 1_000 },
    list_size: 8,
    rotation: { count: 2, interval_seconds: 600 },
    scored: true,
    ...overrides,
  };
}

/** A validated definition built from {@link definitionJson}. */
export function buildDefinition(overrides: Record<string, unknown> = {}): SamplingDefinition {
  return parseSamplingDefinition(definitionJson(overrides), 'test');
}
