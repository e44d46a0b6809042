// `node --import ./test/helpers/record-imports.js …`: appends the URL of every module the
// process resolves to the file named by EVALPOOL_TEST_IMPORTS_FILE, one a line (which modules a
// CLI command loads: test/cli/lazy-imports.test.ts).
import { register } from 'node:module';

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
  { data: { file: process.env.EVALPOOL_TEST_IMPORTS_FILE } },
);
