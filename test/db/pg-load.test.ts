import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Whether Node's fetch implementation (undici) is loaded after `code` ran, and what `Response` is then. */
function afterLoading(code: string): { undici: boolean; response: string } {
  const probe = `${code}; console.log(JSON.stringify({ undici: process.moduleLoadList.some((m) => m.includes('undici')), response: typeof Response }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as { undici: boolean; response: string };
}

test("src/db/pg.ts loads pg without Node's fetch implementation, and leaves Response as it was", () => {
  const plain = afterLoading("import { createRequire } from 'node:module'; createRequire(import.meta.url)('pg')");
  const ours = afterLoading(
    "const { default: pg } = await import('./src/db/pg.ts'); if (typeof pg.Pool !== 'function') throw new Error('no pg.Pool')",
  );
  // `typeof Response` in the probe runs after the check: it must still be the real class.
  assert.deepEqual(ours, { undici: false, response: 'function' });
  // The control: on Node 20 plain pg loads undici (its Cloudflare probe); Node 21+ has `navigator` and does not.
  if (process.versions.node.startsWith('20.')) assert.equal(plain.undici, true, 'plain pg loads undici on Node 20');
});
