import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../runtime/package-root.ts';

/** One static file of the dashboard, read into memory. */
export interface DashboardAsset {
  readonly name: string;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

/** The dashboard's static files and the hash of all of them together. */
export interface DashboardAssets {
  /** 12 hex digits of a SHA-256 over every file's name and content: changes with any of them. */
  readonly version: string;
  readonly files: ReadonlyMap<string, DashboardAsset>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The browser code shipped in the package, beside this file's source (also when it runs compiled from dist/). */
export const DASHBOARD_CLIENT_DIR = join(PACKAGE_ROOT, 'src/api/dashboard/client/');

/**
 * Reads the dashboard's files (`.js`, `.css`, `.svg`; anything else is ignored) from `dir`.
 * Synchronous and done once per app: a dozen small files, and a missing one should stop the
 * service at start rather than at the first page view.
 */
export function loadDashboardAssets(dir: string = DASHBOARD_CLIENT_DIR): DashboardAssets {
  const hash = createHash('sha256');
  const files = new Map<string, DashboardAsset>();
  for (const name of readdirSync(dir).sort()) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const body = new Uint8Array(readFileSync(join(dir, name)));
    hash.update(name).update('\0').update(body).update('\0');
    files.set(name, { name, body, contentType });
  }
  if (!files.has('dashboard.js')) throw new Error(`the dashboard's dashboard.js is missing from ${dir}`);
  return { version: hash.digest('hex').slice(0, 12), files };
}
