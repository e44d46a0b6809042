import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `fn` with a new empty folder, removed afterwards whatever `fn` did. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, label = 'test'): Promise<T> {
  const dir = makeTempDir(label);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

/**
 * A new empty folder named after `label`, for a fixture that outlives one function (a hook's, a
 * spawned server's): its owner calls {@link removeTempDir}. Synchronous so that a `describe` body
 * can make one.
 */
export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `evalpool-${label}-`));
}

/** Removes a folder from {@link makeTempDir} and everything in it; a missing one is fine. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
