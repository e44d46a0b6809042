// `node --import ./test/helpers/record-imports.js …`: appends the URL of every module the
// process resolves to the file named by RECORD_IMPORTS_FILE, one a line (which modules a
// CLI command loads: test/cli/lazy-imports.test.ts). Both loaders: ES modules through a resolve
// hook, and CommonJS `require` (e.g. `createRequire(…)('pg')`, which the hook does not see on Node 20).
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.RECORD_IMPORTS_FILE;

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      let file;
      export function initialize(data) { file = data.file; }
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        appendFileSync(file, resolved.url + '\\n');
        return resolved;
      }
    `),
  { data: { file } },
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  appendFileSync(file, `${resolved.startsWith('/') ? pathToFileURL(resolved).href : resolved}\n`);
  return resolved;
};
