import { hostname } from 'node:os';
import type { Config } from '../config/schema.ts';

/** The name a worker process records with its results and writes on its containers: `EVALPOOL_WORKER_ID`, or `<hostname>-<pid>`. */
export function resolveWorkerId(config: Pick<Config, 'worker'>): string {
  return config.worker.workerId ?? `${hostname()}-${process.pid}`;
}
