import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { loadValidatorKeypair, ValidatorSeedError } from '../../src/chain/validator-seed.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

describe('validator seed', () => {
  test('a secret URI, a mnemonic, a 0x seed', async () => {
    assert.equal((await loadValidatorKeypair({ seed: '//Alice' })).address, ALICE);
    const mnemonic = mnemonicGenerate();
    const fromMnemonic = await loadValidatorKeypair({ seed: `  ${mnemonic}\n` });
    assert.equal(fromMnemonic.type, 'sr25519');
    assert.notEqual((await loadValidatorKeypair({ seed: `${mnemonic}//hot` })).address, fromMnemonic.address);
    assert.equal((await loadValidatorKeypair({ seed: `0x${'01'.repeat(32)}` })).address.length, 48);
  });

  test('a file with the secret, or a Bittensor hotkey file; a wrong ss58Address is caught', async () => {
    await withTempDir(async (dir) => {
      const plain = path.join(dir, 'seed');
      await writeFile(plain, '//Alice\n', { mode: 0o600 });
      assert.equal((await loadValidatorKeypair({ file: plain })).address, ALICE);
      const wallet = path.join(dir, 'hotkey.json');
      await writeFile(wallet, JSON.stringify({ secretPhrase: '//Alice', ss58Address: ALICE }));
      assert.equal((await loadValidatorKeypair({ file: wallet })).address, ALICE);
      await writeFile(wallet, JSON.stringify({ secretSeed: '//Alice', ss58Address: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty' }));
      await assert.rejects(loadValidatorKeypair({ file: wallet }), /the secret gives 5Grw.*but the file says ss58Address 5FHn/);
      await writeFile(wallet, JSON.stringify({ ss58Address: ALICE }));
      await assert.rejects(loadValidatorKeypair({ file: wallet }), /needs "secretPhrase" or "secretSeed"/);
      await assert.rejects(
        loadValidatorKeypair({ file: path.join(dir, 'missing') }),
        /validator seed file .*missing: cannot read it \(ENOENT\)/,
      );
    });
  });

  test('a bad seed is refused without ever quoting it', async () => {
    const secret = 'correct horse battery staple not a real mnemonic at all';
    await assert.rejects(
      loadValidatorKeypair({ seed: secret, source: 'EVALPOOL_VALIDATOR_SEED' }),
      (error: unknown) =>
        error instanceof ValidatorSeedError &&
        error.message.startsWith('EVALPOOL_VALIDATOR_SEED: not a valid') &&
        !error.message.includes('horse'),
    );
    await assert.rejects(loadValidatorKeypair({ seed: '   ' }), /validator seed: empty/);
  });
});
