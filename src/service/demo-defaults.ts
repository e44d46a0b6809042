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
 * A database of its own: demo miners, results and clock-numbered weights must not end up in a
 * deployment's database (a real chain's blocks would be lower than the demo's weights' blocks).
 */
export const DEMO_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/evalpool_demo';
/** Redis keys of their own, for the same reason. */
export const DEMO_QUEUE_PREFIX = 'evalpool-demo';

/**
 * The demo's defaults for `EVALPOOL_*` variables (the user's own variables and flags override
 * them). Paths are resolved against `root`, the package folder, so the demo runs from any
 * working directory.
 */
export function demoVariables(root: string): Record<string, string> {
  return {
    EVALPOOL_MINERS_FILE: join(root, DEMO_MINERS_FILE),
    EVALPOOL_SAMPLING_LISTS_DIR: join(root, 'sampling-lists'),
    EVALPOOL_DATABASE_URL: DEMO_DATABASE_URL,
    EVALPOOL_QUEUE_PREFIX: DEMO_QUEUE_PREFIX,
    EVALPOOL_INLINE_WORKERS: String(DEMO_INLINE_WORKERS),
    EVALPOOL_SCHEDULER_TICK_MS: String(DEMO_SCHEDULER_TICK_MS),
    EVALPOOL_WEIGHTS_INTERVAL_SECONDS: String(DEMO_WEIGHTS_INTERVAL_SECONDS),
    EVALPOOL_LOG_LEVEL: DEMO_LOG_LEVEL,
    EVALPOOL_LOG_PRETTY: 'true',
  };
}
