import assert from 'node:assert/strict';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseBackendPrivateKey } from '../../src/chain/backend-key.ts';
import { BlockClock } from '../../src/chain/block-clock.ts';
import { encryptDeploymentId } from '../../src/chain/endpoint-crypto.ts';
import { StaticMinerSource } from '../../src/chain/static-miner-source.ts';
import { StaticMinersFileError } from '../../src/chain/static-miners-file.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const KEY = parseBackendPrivateKey('11'.repeat(32), 'test');
const UUID = '95edf2b6-e18b-400a-8398-5573df10e5e4';
const GENESIS = Date.UTC(2024, 0, 1);

// Writes through a rename so that every version is a new inode, as editors and deploy tools do.
async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(value));
  await rename(`${file}.tmp`, file);
}

describe('static miner source', () => {
  test('reads endpoints and all commitment forms, excludes what cannot be used, blocks from the clock', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      await writeJson(file, {
        miners: [
          { uid: 3, hotkey: 'miner-c', commitment: `org/p:1a2b3c4d:e:${encryptDeploymentId(UUID, KEY.publicKey)}`, committed_block: 30 },
          { uid: 0, hotkey: 'miner-a', endpoint: 'http://127.0.0.1:9100/' },
          { uid: 1, hotkey: 'miner-b', commitment: `org/p:1a2b3c4d:${UUID}`, revision: 'v7' },
          { uid: 2, hotkey: 'miner-bad', commitment: 'nonsense' },
          { uid: 4, hotkey: 'miner-url', commitment: 'https://policy.example.org' },
        ],
      });
      let now = GENESIS + 12_000 * 100 + 5;
      const { logger, lines: records } = capturingLogger();
      const source = new StaticMinerSource({ file, logger, backendKey: KEY.privateKey, clock: new BlockClock({ now: () => now }) });
      const snapshot = await source.refresh();
      assert.equal(snapshot.source, 'static');
      assert.equal(snapshot.block, 100);
      assert.equal(snapshot.stale, undefined);
      assert.deepEqual(
        snapshot.miners.map((m) => [m.uid, m.hotkey, m.endpoint, m.form, m.committed_block]),
        [
          [0, 'miner-a', 'http://127.0.0.1:9100', 'static', 0],
          [1, 'miner-b', `https://${UUID}.deployments.basilica.ai`, 'deployment', 0],
          [3, 'miner-c', `https://${UUID}.deployments.basilica.ai`, 'encrypted', 30],
          [4, 'miner-url', 'https://policy.example.org', 'url', 0],
        ],
      );
      assert.match(snapshot.miners[0]!.revision, /^static-[0-9a-f]{12}$/);
      assert.match(snapshot.miners[1]!.revision, /^v7-[0-9a-f]{12}$/);
      assert.deepEqual(
        snapshot.excluded.map((e) => [e.uid, e.hotkey]),
        [[2, 'miner-bad']],
      );
      assert.match(snapshot.excluded[0]!.reason, /^bad_form: /);
      assert.ok(records.some((r) => r.msg === 'miner excluded: unusable commitment' && r.hotkey === 'miner-bad'));
      now += 12_000 * 3;
      assert.equal((await source.refresh()).block, 103);
      await source.close();
      await source.close();
      await assert.rejects(source.refresh(), /closed/);
    });
  });

  test('an encrypted commitment without a backend key excludes that miner only', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      await writeJson(file, {
        miners: [
          { uid: 0, hotkey: 'a', endpoint: 'http://127.0.0.1:1' },
          { uid: 1, hotkey: 'b', commitment: `org/p:1a2b3c4d:e:${encryptDeploymentId(UUID, KEY.publicKey)}` },
        ],
      });
      const source = new StaticMinerSource({ file, logger: capturingLogger().logger });
      const snapshot = await source.refresh();
      assert.deepEqual(
        snapshot.miners.map((m) => m.uid),
        [0],
      );
      assert.match(snapshot.excluded[0]!.reason, /^no_key: /);
    });
  });

  test('reloads when the file changes; a broken file keeps the last miners, marked stale', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      await writeJson(file, { miners: [{ uid: 0, hotkey: 'a', endpoint: 'http://127.0.0.1:1' }] });
      const { logger } = capturingLogger();
      const source = new StaticMinerSource({ file, logger });
      const first = await source.refresh();
      await writeJson(file, {
        miners: [
          { uid: 0, hotkey: 'a', endpoint: 'http://127.0.0.1:2' },
          { uid: 1, hotkey: 'b', endpoint: 'http://127.0.0.1:3' },
        ],
      });
      const second = await source.refresh();
      assert.deepEqual(
        second.miners.map((m) => m.endpoint),
        ['http://127.0.0.1:2', 'http://127.0.0.1:3'],
      );
      assert.notEqual(second.miners[0]!.revision, first.miners[0]!.revision, 'a new endpoint is a new identity');

      await writeJson(file, { miners: [{ uid: 0, hotkey: 'a', endpoint: 'ftp://nope' }] });
      const broken = await source.refresh();
      assert.deepEqual(broken.miners, second.miners);
      assert.ok(broken.stale);
      assert.match(broken.stale.error, /entry 0 \(hotkey a\): field "endpoint"/);

      await rm(file);
      const missing = await source.refresh();
      assert.equal(missing.miners.length, 2);
      assert.equal(missing.stale?.since.getTime(), broken.stale.since.getTime(), 'stale since the first failure');

      await writeJson(file, { miners: [] });
      const healed = await source.refresh();
      assert.equal(healed.stale, undefined);
      assert.equal(healed.miners.length, 0, 'an operator may empty the file on purpose');
    });
  });

  test('a bad file on the first load is an error naming the file, the entry and the field', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      await writeJson(file, {
        miners: [
          { uid: 0, hotkey: 'a', endpoint: 'http://127.0.0.1:1' },
          { uid: 'one', hotkey: 'b', endpoint: 'http://x' },
        ],
      });
      const source = new StaticMinerSource({ file, logger: capturingLogger().logger });
      await assert.rejects(
        source.refresh(),
        (error: unknown) =>
          error instanceof StaticMinersFileError && error.message === `${file}: entry 1 (hotkey b): field "uid": expected a number`,
      );
      await assert.rejects(
        new StaticMinerSource({ file: path.join(dir, 'absent.json'), logger: capturingLogger().logger }).refresh(),
        /absent\.json: cannot read the miners file \(ENOENT\)/,
      );
    });
  });
});
