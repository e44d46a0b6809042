import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The bundled miners file of the demo, relative to the package folder. */
export const DEMO_MINERS_FILE = 'containers/demo/miners.json';
/** Inline worker concurrency per environment queue: the demo needs no separate worker. */
export const DEMO_INLINE_WORKERS = 2;
/** A fast scheduler tick, so that freed slots are refilled within half a second. */
export const DEMO_SCHEDULER_TICK_MS = 500;
/** A short weights period, so that the first weights follow the first full coverage closely. */
export const DEMO_WEIGHTS_INTERVAL_SECONDS = 15;
/** Quiet logs: the terminal shows the demo's own progress (warnings such as "no weights yet" are expected there). */
export const DEMO_LOG_LEVEL = 'error';
/**
 * A database of its own (`evalpool_demo_<name>`): demo miners, results and clock-numbered weights
 * must not end up in a deployment's database (a real chain's blocks would be lower than the
 * demo's weights' blocks), nor in another demo's.
 */
export const DEMO_DATABASE_URL_BASE = 'postgres://postgres@127.0.0.1:5432/';
/** A demo's name: it becomes part of a database name and of a Redis prefix. */
export const DEMO_NAME_PATTERN = /^[a-z0-9_]{1,32}$/;

/**
 * The default name of a checkout's demo: a hash of its folder, so that two clones on one host
 * keep apart (each its own database and Redis keys) while a second `npm start` of the same
 * checkout resumes where the first stopped. `--name` chooses one (two demos share state only so).
 */
export function defaultDemoName(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 8);
}

/** Where demo `name` keeps its state: the database and the Redis prefix. */
export function demoState(name: string): { databaseUrl: string; queuePrefix: string } {
  return { databaseUrl: `${DEMO_DATABASE_URL_BASE}evalpool_demo_${name}`, queuePrefix: `evalpool-demo-${name}` };
}

/**
 * The demo's defaults for `EVALPOOL_*` variables (the user's own variables and flags override
 * them). Paths are resolved against `root`, the package folder, so the demo runs from any
 * working directory; the state is demo `name`'s.
 */
export function demoVariables(root: string, name: string = defaultDemoName(root)): Record<string, string> {
  const state = demoState(name);
  return {
    EVALPOOL_MINERS_FILE: join(root, DEMO_MINERS_FILE),
    EVALPOOL_SAMPLING_LISTS_DIR: join(root, 'sampling-lists'),
    EVALPOOL_DATABASE_URL: state.databaseUrl,
    EVALPOOL_QUEUE_PREFIX: state.queuePrefix,
    EVALPOOL_INLINE_WORKERS: String(DEMO_INLINE_WORKERS),
    EVALPOOL_SCHEDULER_TICK_MS: String(DEMO_SCHEDULER_TICK_MS),
    EVALPOOL_WEIGHTS_INTERVAL_SECONDS: String(DEMO_WEIGHTS_INTERVAL_SECONDS),
    EVALPOOL_LOG_LEVEL: DEMO_LOG_LEVEL,
    EVALPOOL_LOG_PRETTY: 'true',
  };
}
