import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/spawn-cli.ts';
import { NO_MINERS_FILE, testConfig } from '../helpers/test-config.ts';

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
    assert.equal(check.code, 0, check.stderr);
    assert.equal((JSON.parse(check.stdout) as Record<string, unknown>).EVALPOOL_MINERS_FILE, NO_MINERS_FILE);
  });
});
