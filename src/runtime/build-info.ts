import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.ts';

/** What a running evalpool was built from: `--version`, `evalpool_build_info` and each worker's heartbeat. */
export interface BuildInfo {
  /** `version` of the package.json this code ships in. */
  readonly version: string;
  /** The Node.js running it (`v20.x.y`). */
  readonly node: string;
}

let cached: BuildInfo | undefined;

/** Reads the version from the package's package.json (see PACKAGE_ROOT), once per process. */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // An unreadable package.json leaves 'unknown': the version is information, never a reason to stop.
  }
  cached = { version, node: process.version };
  return cached;
}
