import { generateKeyPairSync } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { loadBackendPrivateKey, parseX25519PublicKeyHex, x25519PrivateKeyToRaw, x25519PublicKeyToRaw } from '../../chain/backend-key.ts';
import { parseCommitment } from '../../chain/commitment.ts';
import { encryptDeploymentId } from '../../chain/endpoint-crypto.ts';
import { shellQuote } from '../shell-quote.ts';
import { type ChainCommandDeps, chainCommandDeps, runChainCommand } from './chain-command-deps.ts';

/** Flags of `crypto encrypt-endpoint`. */
export interface EncryptOptions {
  publicKey: string;
  repo?: string;
  rev?: string;
  json?: boolean;
}

/** Flags of `crypto keygen`. */
export interface KeygenOptions {
  out: string;
  force?: boolean;
  json?: boolean;
}

// A Raw field of Commitments.set_commitment holds at most 128 bytes.
const RAW_FIELD_MAX_BYTES = 128;

/** `crypto keygen` (loaded when it runs: see main.ts). */
export async function keygen(options: KeygenOptions, overrides: Partial<ChainCommandDeps>): Promise<void> {
  const deps = chainCommandDeps(overrides, true);
  await runChainCommand(deps, async () => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    try {
      await writeFile(options.out, `${x25519PrivateKeyToRaw(privateKey).toString('hex')}\n`, {
        mode: 0o600,
        flag: options.force === true ? 'w' : 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Error(`${options.out} exists: refusing to overwrite a key (use --force)`, { cause: error });
      throw error;
    }
    // `mode` applies only when the file is created; an overwritten file may have been wider.
    await chmod(options.out, 0o600);
    const hex = x25519PublicKeyToRaw(publicKey).toString('hex');
    deps.out(options.json === true ? JSON.stringify({ public_key: hex, private_key_file: options.out }) : hex);
    deps.err(
      `private key written to ${options.out} (mode 0600): set EVALPOOL_BACKEND_PRIVATE_KEY_FILE to it; publish the public key above for miners ` +
        `(\`evalpool crypto public-key --key-file ${shellQuote(options.out)}\` prints it again)`,
    );
  });
}

/** `crypto public-key` (loaded when it runs: see main.ts). */
export async function publicKey(options: { keyFile: string; json?: boolean }, overrides: Partial<ChainCommandDeps>): Promise<void> {
  const deps = chainCommandDeps(overrides, true);
  await runChainCommand(deps, async () => {
    const key = await loadBackendPrivateKey({ file: options.keyFile });
    deps.out(options.json === true ? JSON.stringify({ public_key: key.publicKeyHex }) : key.publicKeyHex);
  });
}

/** `crypto encrypt-endpoint` (loaded when it runs: see main.ts). */
export async function encryptEndpoint(uuid: string, options: EncryptOptions, overrides: Partial<ChainCommandDeps>): Promise<void> {
  const deps = chainCommandDeps(overrides, true);
  await runChainCommand(deps, () => {
    const blob = encryptDeploymentId(uuid, parseX25519PublicKeyHex(options.publicKey, '--public-key'));
    if (options.repo === undefined || options.rev === undefined) {
      // A placeholder: `<` and `>` would be redirections if pasted unquoted into a shell.
      const example = `<repo>:<rev8>:e:${blob}`;
      if (options.json === true) deps.out(JSON.stringify({ blob, commitment: null, example_commitment: example }));
      else for (const line of [`blob: ${blob}`, `example commitment: ${shellQuote(example)}`]) deps.out(line);
      return Promise.resolve();
    }
    const commitment = `${options.repo}:${options.rev}:e:${blob}`;
    // Refuse a repo or rev that would make the commitment unparseable on the backend.
    parseCommitment(commitment);
    if (options.json === true) deps.out(JSON.stringify({ blob, commitment }));
    else for (const line of [`blob: ${blob}`, `commitment: ${shellQuote(commitment)}`]) deps.out(line);
    const bytes = Buffer.byteLength(commitment);
    if (bytes > RAW_FIELD_MAX_BYTES)
      deps.err(`warning: the commitment is ${bytes} bytes, more than a Raw field holds (${RAW_FIELD_MAX_BYTES})`);
    return Promise.resolve();
  });
}
