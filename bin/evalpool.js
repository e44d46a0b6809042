#!/usr/bin/env node
// Runs the compiled CLI in dist/ when it is fresh (built by `npm ci`, see scripts/build-dist.js):
// compiling TypeScript at start costs 0.3-3 s per call. Without dist/, or after an edit or a
// `git pull` made it stale, runs the sources through tsx, so that a clone works without a build.
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './dist-freshness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
if (distIsFresh(root)) {
  await import('../dist/src/cli/main.js');
} else {
  if (process.stderr.isTTY && process.env.EVALPOOL_QUIET_STALE_DIST === undefined) {
    process.stderr.write(
      'evalpool: running from the TypeScript sources (dist/ is missing or older than src/); `npm run build` makes every call start faster\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
