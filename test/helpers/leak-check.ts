// Preloaded into every test file's process (see package.json "test"). After the file's last
// test it fails the file when something still keeps the process alive: a server, a socket, a
// timer, a child process. `--test-force-exit` then ends the process so a leak cannot hang CI.
import { createHook } from 'node:async_hooks';
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';

/** Resources that belong to the runner itself or are closing on their own. */
const HARMLESS = new Set([
  'PipeWrap',
  'TTYWrap',
  'FSReqCallback',
  'FSReqPromise',
  'CloseReq',
  'FileHandle',
  'FileHandleCloseReq',
  'GetAddrInfoReqWrap',
  'ShutdownWrap',
  'WriteWrap',
]);

// EVALPOOL_TEST_LEAK_TRACE=1 records where each timer/socket was created, to find a leak's origin.
const origins = new Map<number, { type: string; stack: string }>();
if (process.env.EVALPOOL_TEST_LEAK_TRACE === '1') {
  createHook({
    init(id, type) {
      if (type === 'Timeout' || type.startsWith('TCP'))
        origins.set(id, { type, stack: new Error().stack?.split('\n').slice(3, 12).join('\n') ?? '' });
    },
    destroy(id) {
      origins.delete(id);
    },
  }).enable();
}

function leaks(): string[] {
  return process.getActiveResourcesInfo().filter((name) => !HARMLESS.has(name));
}

// The check must run after the file's own top-level `after` hooks (which close what the file
// opened): import the test file first (ESM caches it, so the runner's own import is a no-op),
// then register the check last.
const entry = process.argv[1];
if (entry) await import(pathToFileURL(entry).href);

after(async () => {
  // Sockets closed by the last test may take a few turns of the loop to disappear, and some
  // libraries (polkadot-js via rxjs) keep short timers for up to ~2 s after disconnecting.
  for (let i = 0; i < 200 && leaks().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25).unref());
  const open = leaks();
  if (open.length > 0) {
    const counts = [...new Set(open)].map((name) => `${name} ×${open.filter((x) => x === name).length}`);
    if (origins.size > 0) for (const { type, stack } of origins.values()) process.stderr.write(`leak trace: ${type} created\n${stack}\n`);
    throw new Error(
      `this test file left resources open: ${counts.join(', ')} (close servers, connections, timers and child processes in after/afterEach)`,
    );
  }
});
