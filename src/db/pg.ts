import { createRequire } from 'node:module';
import type Pg from 'pg';

/**
 * The `pg` package, loaded without its Cloudflare Workers probe. On Node 20 (no global
 * `navigator`) pg's lib/stream.js tells Node from a Worker by constructing a `Response` when it
 * loads, and the first touch of `Response` loads Node's whole fetch implementation (undici, with
 * http and http2): the largest single cost of starting a CLI command that reads Postgres. `Response`
 * is hidden for the synchronous require only, so pg takes the Node.js branch it would take anyway;
 * nothing else runs meanwhile. Node 21+ has `navigator`, and pg never gets to the probe.
 */
function loadPg(): typeof Pg {
  const response = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  if (response?.configurable !== true) return createRequire(import.meta.url)('pg') as typeof Pg;
  Object.defineProperty(globalThis, 'Response', { value: undefined, configurable: true, writable: true });
  try {
    return createRequire(import.meta.url)('pg') as typeof Pg;
  } finally {
    Object.defineProperty(globalThis, 'Response', response);
  }
}

/** Import `pg` from here, never from 'pg' (types only: `import type … from 'pg'`). */
const pg = loadPg();
export default pg;
