import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import { register as registerCrypto } from '../../../src/cli/commands/crypto.ts';
import { register } from '../../../src/cli/commands/miners.ts';
import { FakeSubtensorNode } from '../../chain/fake-subtensor-provider.ts';
import { loadSubtensorMetadata } from '../../chain/fixture-path.ts';
import { withTempDir } from '../../helpers/with-temp-dir.ts';
import { runCli } from './run-cli.ts';

const fixture = loadSubtensorMetadata();
const UUID = '95edf2b6-e18b-400a-8398-5573df10e5e4';

/** keygen + encrypt-endpoint through the CLI, as an operator and a miner would. */
async function encryptedCommitment(dir: string): Promise<{ keyFile: string; commitment: string }> {
  const keyFile = path.join(dir, 'backend.key');
  const publicKey = (await runCli(registerCrypto, ['crypto', 'keygen', '--out', keyFile])).out[0]!;
  const line = (
    await runCli(registerCrypto, [
      'crypto',
      'encrypt-endpoint',
      UUID,
      '--public-key',
      publicKey,
      '--repo',
      'org/policy',
      '--rev',
      '1a2b3c4d',
    ])
  ).out[1]!;
  // The commitment is printed quoted for the shell.
  return { keyFile, commitment: line.slice("commitment: '".length, -1) };
}

describe('evalpool miners show', () => {
  test('static file: a table with the miners and the excluded ones with their reason', async () => {
    await withTempDir(async (dir) => {
      const { keyFile, commitment } = await encryptedCommitment(dir);
      const file = path.join(dir, 'miners.json');
      await writeFile(
        file,
        JSON.stringify({
          miners: [
            { uid: 0, hotkey: 'alpha', endpoint: 'http://127.0.0.1:9100' },
            { uid: 1, hotkey: 'beta', commitment },
            { uid: 2, hotkey: 'gamma', commitment: 'org/policy:1a2b3c4d:e:!!!' },
          ],
        }),
      );
      // Fitted to 100 columns by default; --wide for whole values.
      const fitted = await runCli(register, ['miners', 'show', '--miners-file', file, '--backend-key-file', keyFile]);
      for (const line of fitted.out[2]!.split('\n')) assert.ok(line.length <= 100, line);
      const json = await runCli(register, ['miners', 'show', '--miners-file', file, '--backend-key-file', keyFile, '--json']);
      const parsed = JSON.parse(json.out[0]!) as {
        source: string;
        miners: { uid: number; hotkey: string; committed_block: number | null }[];
      };
      assert.equal(parsed.source, 'static');
      assert.deepEqual(
        parsed.miners.map((m) => [m.uid, m.hotkey]),
        [
          [0, 'alpha'],
          [1, 'beta'],
          [2, 'gamma'],
        ],
      );
      const result = await runCli(register, ['miners', 'show', '--miners-file', file, '--backend-key-file', keyFile, '--wide']);
      assert.equal(result.exitCode, 0, result.err.join('\n'));
      assert.match(result.out[0]!, /^source: static, block \d+, read at /);
      assert.equal(result.out[1], '2 miners, 1 excluded');
      const lines = result.out[2]!.split('\n');
      assert.match(lines[0]!, /^uid\s+hotkey\s+revision\s+endpoint\s+committed_block\s+form\s+status$/);
      assert.match(lines[2]!, /^\s*0\s+alpha\s+static-[0-9a-f]{12}\s+http:\/\/127\.0\.0\.1:9100\s+0\s+static\s+ok$/);
      assert.match(
        lines[3]!,
        new RegExp(`^\\s*1\\s+beta\\s+1a2b3c4d-[0-9a-f]{12}\\s+https://${UUID}\\.deployments\\.basilica\\.ai\\s+0\\s+encrypted\\s+ok$`),
      );
      assert.match(lines[4]!, /^\s*2\s+gamma\s+-\s+-\s+-\s+-\s+excluded: wrong_length: /);
    });
  });

  test('a broken static file names the file, the entry and the field', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      await writeFile(file, JSON.stringify({ miners: [{ uid: 0, hotkey: 'alpha', endpont: 'http://x' }] }));
      const result = await runCli(register, ['miners', 'show', '--miners-file', file]);
      assert.equal(result.exitCode, 1);
      assert.match(result.err.join('\n'), /miners\.json: entry 0 \(hotkey alpha\): field "endpont": unknown field/);
      const none = await runCli(register, ['miners', 'show']);
      // Without flags the configured file is read (EVALPOOL_MINERS_FILE, default miners.json).
      assert.match(none.err.join('\n'), /miners\.json: cannot read the miners file/);
    });
  });

  test('chain: a commitment made with encrypt-endpoint decrypts through the subtensor source', { skip: fixture.skip }, async () => {
    await withTempDir(async (dir) => {
      const { keyFile, commitment } = await encryptedCommitment(dir);
      const node = new FakeSubtensorNode(fixture.bytes!);
      const hotkeys = [1, 2].map((i) => encodeAddress(new Uint8Array(32).fill(i), 42));
      node.addSubnet(3, hotkeys);
      node.setCommitment(3, hotkeys[1]!, 321, [{ raw: commitment }]);
      const result = await runCli(
        register,
        ['miners', 'show', '--chain-endpoint', 'ws://fake', '--netuid', '3', '--backend-key-file', keyFile, '--wide'],
        {
          createProvider: () => node.provider(),
        },
      );
      assert.equal(result.exitCode, 0, result.err.join('\n'));
      assert.match(result.out[0]!, new RegExp(`^source: subtensor, block ${node.bestNumber}, `));
      assert.equal(result.out[1], '1 miners, 0 excluded');
      assert.match(
        result.out[2]!.split('\n')[2]!,
        new RegExp(
          `^\\s*1\\s+${hotkeys[1]}\\s+1a2b3c4d-[0-9a-f]{12}\\s+https://${UUID}\\.deployments\\.basilica\\.ai\\s+321\\s+encrypted\\s+ok$`,
        ),
      );
      const missing = await runCli(register, ['miners', 'show', '--chain-endpoint', 'ws://fake']);
      assert.match(missing.err.join('\n'), /--netuid is required/);
    });
  });
});
