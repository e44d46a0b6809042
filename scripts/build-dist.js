// `npm run build`, and `prepare` (run by `npm ci`): bundles the CLI (src/cli/main.ts, each
// command's code split into its own chunk, loaded when the command runs) and the migrations into
// dist/ with esbuild, so that bin/evalpool.js starts without compiling TypeScript. kysely,
// valibot, commander and ioredis are bundled (kysely alone is ~1,000 small files, a third of a
// second to load; ioredis's ~50 files cost as much to find and load as to run); every other
// package is loaded from node_modules as it is. BullMQ takes our ioredis connections as they
// are (it checks their shape, never their class), so the bundled copy is the only one loaded. Types are not checked here
// (`npm run typecheck`). A failed build is not an error of the install: the CLI then runs its
// sources through tsx, only slower.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP } from '../bin/dist-freshness.js';

const BUNDLED = new Set(['kysely', 'valibot', 'commander', 'ioredis']);

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist');
const startedAt = Date.now();
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

try {
  const esbuild = await import('esbuild');
  rmSync(outdir, { recursive: true, force: true });
  const migrations = readdirSync(join(root, 'migrations'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'migrations', f));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src/cli/main.ts'), ...migrations],
    outbase: root,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    // commander is CommonJS: its require('node:events') needs a require in an ES module.
    banner: {
      js: "import { createRequire as __evalpoolCreateRequire } from 'node:module'; const require = __evalpoolCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-packages',
        setup(build) {
          // A bundled package's own dependencies are bundled with it (an importer under
          // node_modules is part of a bundled package): loaded from dist/, a package nested
          // under its parent's node_modules would not be found.
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            BUNDLED.has(packageName(args.path)) || /[\\/]node_modules[\\/]/.test(args.importer)
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  if (!existsSync(join(outdir, 'src/cli/main.js'))) throw new Error('dist/src/cli/main.js was not written');
  mkdirSync(outdir, { recursive: true });
  // The time the build started: a source changed during the build leaves dist/ stale.
  writeFileSync(join(root, STAMP), String(startedAt));
  process.stderr.write(`evalpool build: dist/ bundled in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
} catch (error) {
  rmSync(outdir, { recursive: true, force: true });
  process.stderr.write(
    `evalpool build: failed (${error instanceof Error ? error.message : String(error)}); the CLI runs its sources through tsx\n`,
  );
  process.exitCode = process.env.npm_lifecycle_event === 'prepare' ? 0 : 1;
}
