import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/spawn-cli.ts';
import { NO_MINERS_FILE, testConfig } from '../helpers/test-config.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// `miners.json` in the checkout is the documented default location of the operator's miners file.
describe('a miners.json in the checkout', () => {
  test('is ignored by git (but the bundled demo file is not)', () => {
    const ignored = spawnSync('git', ['check-ignore', '-q', 'miners.json'], { cwd: ROOT });
    assert.equal(ignored.status, 0, 'miners.json is ignored');
    const demo = spawnSync('git', ['check-ignore', '-q', '--no-index', 'containers/demo/miners.json'], { cwd: ROOT });
    assert.equal(demo.status, 1, 'containers/demo/miners.json is not');
  });

  test('is never read by tests: the harness names a miners file of its own', async () => {
    assert.notEqual(resolve(ROOT, testConfig().chain.minersFile), resolve(ROOT, 'miners.json'));
    const check = await runCli(['config', 'check', '--json']);
    assert.equal((JSON.parse(check.stdout) as Record<string, unknown>).EVALPOOL_MINERS_FILE, NO_MINERS_FILE);
  });
});

describe('config check and the miners file', () => {
  test('a missing, unreadable or invalid miners file fails the check, naming the file and the problem; a chain endpoint needs none', async () => {
    const missing = await runCli(['config', 'check']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `evalpool: EVALPOOL_MINERS_FILE: ${NO_MINERS_FILE}: cannot read the miners file (ENOENT)\n`);
    assert.match(missing.stdout, /EVALPOOL_MINERS_FILE/, 'the values are printed all the same');
    await withTempDir(async (dir) => {
      const file = join(dir, 'miners.json');
      await writeFile(file, JSON.stringify({ miners: [{ uid: 1, hotkey: 'hk-1' }] }));
      const invalid = await runCli(['config', 'check', '--json'], { EVALPOOL_MINERS_FILE: file });
      assert.equal(invalid.code, 2);
      assert.equal(
        invalid.stderr,
        `evalpool: EVALPOOL_MINERS_FILE: ${file}: entry 0 (hotkey hk-1): exactly one of "endpoint" or "commitment" is required\n`,
      );
      const unreadable = await runCli(['config', 'check'], { EVALPOOL_MINERS_FILE: dir });
      assert.equal(unreadable.code, 2);
      assert.equal(unreadable.stderr, `evalpool: EVALPOOL_MINERS_FILE: ${dir}: cannot read the miners file (EISDIR)\n`);
      await writeFile(file, JSON.stringify({ miners: [{ uid: 1, hotkey: 'hk-1', endpoint: 'http://127.0.0.1:9' }] }));
      const good = await runCli(['config', 'check'], { EVALPOOL_MINERS_FILE: file });
      assert.equal(good.code, 0, good.stderr);
      assert.equal(good.stderr, '');
    });
    const chain = await runCli(['config', 'check'], { EVALPOOL_CHAIN_ENDPOINT: 'ws://127.0.0.1:9944', EVALPOOL_NETUID: '7' });
    assert.equal(chain.code, 0, chain.stderr);
  });
});
