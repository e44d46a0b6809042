import * as v from 'valibot';
import { chain } from './sections/chain.ts';
import { logging } from './sections/logging.ts';
import { scheduler } from './sections/scheduler.ts';
import { scoring } from './sections/scoring.ts';
import { server } from './sections/server.ts';
import { slots } from './sections/slots.ts';
import { storage } from './sections/storage.ts';
import { worker } from './sections/worker.ts';
import type { Variable } from './variable.ts';

/** Every `EVALPOOL_*` variable, grouped the way the config object is. */
export const sections = { server, storage, logging, scheduler, slots, worker, scoring, chain } as const;

type Sections = typeof sections;
type SectionValues<S> = { readonly [K in keyof S]: S[K] extends Variable<infer T> ? T : never };

/** The parsed, frozen configuration handed to every part of evalpool. */
export type Config = { readonly [K in keyof Sections]: SectionValues<Sections[K]> };

/** All variables in one flat list (docs, masking, unknown-name detection). */
export function allVariables(): Variable<unknown>[] {
  return Object.values(sections).flatMap((section) => Object.values(section) as Variable<unknown>[]);
}

/**
 * The one valibot schema of the environment: an object keyed by variable name whose entries
 * apply the default and parse the text. Issues carry the variable name as their path key.
 */
export function environmentSchema() {
  const entries: Record<string, v.GenericSchema<string | undefined, unknown>> = {};
  for (const variable of allVariables()) {
    entries[variable.name] =
      variable.defaultText === undefined ? v.optional(variable.schema) : v.optional(variable.schema, variable.defaultText);
  }
  return v.object(entries);
}
