import assert from 'node:assert/strict';
import { cpSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DASHBOARD_CLIENT_DIR, loadDashboardAssets } from '../../../src/api/dashboard/dashboard-assets.ts';
import { makeTempDir, removeTempDir } from '../../helpers/with-temp-dir.ts';

describe('loadDashboardAssets', () => {
  const dir = makeTempDir('dashboard-assets');
  after(() => removeTempDir(dir));
  cpSync(DASHBOARD_CLIENT_DIR, dir, { recursive: true });

  test('the hash covers every file: stable for the same files, new when one changes', () => {
    const first = loadDashboardAssets(dir);
    assert.match(first.version, /^[0-9a-f]{12}$/);
    assert.equal(loadDashboardAssets(dir).version, first.version);
    assert.equal(loadDashboardAssets(DASHBOARD_CLIENT_DIR).version, first.version);
    writeFileSync(join(dir, 'dashboard.css'), '/* changed */\n', { flag: 'a' });
    assert.notEqual(loadDashboardAssets(dir).version, first.version);
  });

  test('only .js, .css and .svg files are served; dashboard.js must be there', () => {
    writeFileSync(join(dir, 'notes.txt'), 'not an asset');
    assert.equal(loadDashboardAssets(dir).files.has('notes.txt'), false);
    unlinkSync(join(dir, 'dashboard.js'));
    assert.throws(() => loadDashboardAssets(dir), new RegExp(`dashboard\\.js is missing from ${dir.replace(/[/.]/g, '\\$&')}`));
  });
});
