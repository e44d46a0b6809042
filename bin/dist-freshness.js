// Whether dist/ (the compiled CLI, built by `npm ci` through the prepare script) still matches
// the sources. Plain JavaScript: it runs before anything could compile TypeScript.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the build compiles (scripts/build-dist.js); a change to any of them makes dist/ stale. */
export const SOURCE_DIRS = ['src', 'migrations'];
export const SOURCE_FILES = ['package.json', 'package-lock.json', 'scripts/build-dist.js'];
/** Written by scripts/build-dist.js when a build finished: the time it started, in ms. */
export const STAMP = join('dist', '.built-at');

function newestChange(path) {
  const stat = statSync(path);
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) {
    // A directory's own mtime covers files added, removed or renamed in it. Paths are joined by
    // hand: path.join, cold, costs as much as the stat calls (every command runs this walk).
    for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(`${path}/${entry}`));
  }
  return newest;
}

/**
 * True when dist/ was built after the last change to any source (an edit, a `git pull` or
 * checkout, which write the files they change); a few ms for a few hundred files.
 */
export function distIsFresh(root) {
  let builtAt;
  try {
    builtAt = Number(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isFinite(builtAt)) return false;
  try {
    for (const path of [...SOURCE_DIRS, ...SOURCE_FILES]) if (newestChange(`${root}/${path}`) > builtAt) return false;
  } catch {
    return false;
  }
  return true;
}
