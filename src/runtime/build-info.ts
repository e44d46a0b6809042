import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a running evalpool was built from: shown by `evalpool_build_info` and each worker's heartbeat. */
export interface BuildInfo {
  /** `version` of the package.json this code ships in. */
  readonly version: string;
  /** The Node.js running it (`v20.x.y`). */
  readonly node: string;
}

let cached: BuildInfo | undefined;

/**
 * Reads the version from the nearest package.json above this file (the same code runs from
 * `src/` and from a compiled copy, at different depths). Read once per process.
 */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  let version = 'unknown';
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'evalpool' && typeof pkg.version === 'string') {
        version = pkg.version;
        break;
      }
    }
    if (dirname(dir) === dir) break;
  }
  cached = { version, node: process.version };
  return cached;
}
