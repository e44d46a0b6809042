// Preloaded into every test file's process (see package.json "test"). After the file's last
// test it fails the file when something still keeps the process alive: a server, a socket, a
// timer, a child process. `--test-force-exit` then ends the process so a leak cannot hang CI.
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';

/** Resources that belong to the runner itself or are closing on their own. */
const HARMLESS = new Set(['PipeWrap', 'TTYWrap', 'FSReqCallback', 'FSReqPromise', 'CloseReq', 'FileHandle', 'FileHandleCloseReq', 'GetAddrInfoReqWrap', 'ShutdownWrap', 'WriteWrap']);

function leaks(): string[] {
  return process.getActiveResourcesInfo().filter((name) => !HARMLESS.has(name));
}

// The check must run after the file's own top-level `after` hooks (which close what the file
// opened): import the test file first (ESM caches it, so the runner's own import is a no-op),
// then register the check last.
const entry = process.argv[1];
if (entry) await import(pathToFileURL(entry).href);

after(async () => {
  // Sockets closed by the last test may take a few turns of the loop to disappear.
  for (let i = 0; i < 40 && leaks().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 25).unref());
  const open = leaks();
  if (open.length > 0) {
    const counts = [...new Set(open)].map((name) => `${name} ×${open.filter((x) => x === name).length}`);
    throw new Error(`this test file left resources open: ${counts.join(', ')} (close servers, connections, timers and child processes in after/afterEach)`);
  }
});
