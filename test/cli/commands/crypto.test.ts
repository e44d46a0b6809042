import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadBackendPrivateKey } from '../../../src/chain/backend-key.ts';
import { resolveCommitment } from '../../../src/chain/commitment.ts';
import { register } from '../../../src/cli/commands/crypto.ts';
import { withTempDir } from '../../helpers/with-temp-dir.ts';
import { runCli } from './run-cli.ts';

const UUID = '95edf2b6-e18b-400a-8398-5573df10e5e4';

describe('evalpool crypto', () => {
  test('keygen writes the private key with mode 0600 and prints the public key; encrypt-endpoint output decrypts with it', async () => {
    await withTempDir(async (dir) => {
      const keyFile = path.join(dir, 'backend.key');
      const keygen = await runCli(register, ['crypto', 'keygen', '--out', keyFile]);
      assert.equal(keygen.exitCode, 0);
      assert.equal(keygen.out.length, 1);
      assert.match(keygen.out[0]!, /^[0-9a-f]{64}$/);
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      assert.match(await readFile(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
      const key = await loadBackendPrivateKey({ file: keyFile });
      assert.equal(key.publicKeyHex, keygen.out[0]);

      const encrypt = await runCli(register, [
        'crypto',
        'encrypt-endpoint',
        UUID,
        '--public-key',
        keygen.out[0]!,
        '--repo',
        'org/policy',
        '--rev',
        '1a2b3c4d',
      ]);
      assert.equal(encrypt.exitCode, 0);
      const blob = /^blob: (.{80})$/.exec(encrypt.out[0]!)?.[1];
      assert.ok(blob);
      // Quoted, so that pasting it into a shell passes it as one word, whatever it holds.
      assert.equal(encrypt.out[1], `commitment: 'org/policy:1a2b3c4d:e:${blob}'`);
      const resolved = resolveCommitment(encrypt.out[1].slice("commitment: '".length, -1), key.privateKey);
      assert.equal(resolved.endpoint, `https://${UUID}.deployments.basilica.ai`);

      const example = await runCli(register, ['crypto', 'encrypt-endpoint', UUID, '--public-key', keygen.out[0]!]);
      // `<` and `>` unquoted would be shell redirections.
      assert.match(example.out[1]!, /^example commitment: '<repo>:<rev8>:e:.{80}'$/);

      // The public key can be printed again from the key file.
      const again = await runCli(register, ['crypto', 'public-key', '--key-file', keyFile]);
      assert.equal(again.exitCode, 0, again.err.join('\n'));
      assert.deepEqual(again.out, [keygen.out[0]]);
      const json = await runCli(register, ['crypto', 'public-key', '--key-file', keyFile, '--json']);
      assert.deepEqual(JSON.parse(json.out[0]!), { public_key: keygen.out[0] });
      const missing = await runCli(register, ['crypto', 'public-key', '--key-file', path.join(dir, 'nope.key')]);
      assert.equal(missing.exitCode, 1);
      assert.match(missing.err.join('\n'), /^evalpool: .*nope\.key/);
    });
  });

  test('keygen refuses to overwrite without --force', async () => {
    await withTempDir(async (dir) => {
      const keyFile = path.join(dir, 'backend.key');
      await writeFile(keyFile, 'precious', { mode: 0o644 });
      const refused = await runCli(register, ['crypto', 'keygen', '--out', keyFile]);
      assert.equal(refused.exitCode, 1);
      assert.match(refused.err.join('\n'), /exists: refusing to overwrite a key \(use --force\)/);
      assert.equal(await readFile(keyFile, 'utf8'), 'precious');
      const forced = await runCli(register, ['crypto', 'keygen', '--out', keyFile, '--force']);
      assert.equal(forced.exitCode, 0);
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    });
  });

  test('encrypt-endpoint refuses a bad public key, a bad uuid or a bad repo, clearly', async () => {
    const bad = await runCli(register, ['crypto', 'encrypt-endpoint', UUID, '--public-key', 'abcd']);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.err.join('\n'), /--public-key: expected 64 hex characters/);
    const badUuid = await runCli(register, ['crypto', 'encrypt-endpoint', 'nope', '--public-key', '11'.repeat(32)]);
    assert.match(badUuid.err.join('\n'), /not a UUID/);
    const badRepo = await runCli(register, [
      'crypto',
      'encrypt-endpoint',
      UUID,
      '--public-key',
      '11'.repeat(32),
      '--repo',
      'a b',
      '--rev',
      'x',
    ]);
    assert.match(badRepo.err.join('\n'), /bad repo/);
  });
});
