/**
 * The validator's hotkey (`EVALPOOL_VALIDATOR_SEED` or `EVALPOOL_VALIDATOR_SEED_FILE`): a mnemonic,
 * a secret URI (`//Alice`, `<mnemonic>//hard/soft`, `0x<32-byte seed>`), or a Bittensor hotkey
 * file (JSON with `secretPhrase` or `secretSeed`). The secret never appears in an error or a log.
 */
import { readFile } from 'node:fs/promises';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** A seed that cannot be used; the message names the source, never the secret. */
export class ValidatorSeedError extends Error {
  override readonly name = 'ValidatorSeedError';
}

/** Where the seed comes from: the value itself, or a file holding it. */
export type ValidatorSeedSource = { readonly seed: string; readonly source?: string } | { readonly file: string };

function secretFromText(text: string, source: string): { secret: string; expectedAddress?: string } {
  const trimmed = text.trim();
  if (trimmed === '') throw new ValidatorSeedError(`${source}: empty`);
  if (!trimmed.startsWith('{')) return { secret: trimmed };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new ValidatorSeedError(`${source}: looks like JSON but does not parse`);
  }
  const wallet = json as { secretPhrase?: unknown; secretSeed?: unknown; ss58Address?: unknown };
  const secret =
    typeof wallet.secretPhrase === 'string' ? wallet.secretPhrase : typeof wallet.secretSeed === 'string' ? wallet.secretSeed : undefined;
  if (secret === undefined)
    throw new ValidatorSeedError(
      `${source}: a hotkey file needs "secretPhrase" or "secretSeed" (encrypted hotkey files are not supported)`,
    );
  return typeof wallet.ss58Address === 'string' ? { secret, expectedAddress: wallet.ss58Address } : { secret };
}

/** Builds the sr25519 key pair of the validator's hotkey (SS58 format 42). */
export async function loadValidatorKeypair(from: ValidatorSeedSource): Promise<KeyringPair> {
  let text: string;
  let source: string;
  if ('seed' in from) {
    text = from.seed;
    source = from.source ?? 'validator seed';
  } else {
    source = `validator seed file ${from.file}`;
    try {
      text = await readFile(from.file, 'utf8');
    } catch (error) {
      throw new ValidatorSeedError(`${source}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, {
        cause: error,
      });
    }
  }
  const { secret, expectedAddress } = secretFromText(text, source);
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  let pair: KeyringPair;
  try {
    pair = keyring.addFromUri(secret);
  } catch {
    // polkadot-js errors may quote the input: say what is wrong without it.
    throw new ValidatorSeedError(`${source}: not a valid mnemonic, secret URI or 0x-prefixed 32-byte seed`);
  }
  if (expectedAddress !== undefined && expectedAddress !== pair.address) {
    throw new ValidatorSeedError(`${source}: the secret gives ${pair.address}, but the file says ss58Address ${expectedAddress}`);
  }
  return pair;
}
