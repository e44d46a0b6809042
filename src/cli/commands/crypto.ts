import { generateKeyPairSync } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseX25519PublicKeyHex, x25519PrivateKeyToRaw, x25519PublicKeyToRaw } from '../../chain/backend-key.ts';
import { parseCommitment } from '../../chain/commitment.ts';
import { encryptDeploymentId } from '../../chain/endpoint-crypto.ts';
import { chainCommandDeps, runChainCommand, type ChainCommandDeps } from './chain-command-deps.ts';

// A Raw field of Commitments.set_commitment holds at most 128 bytes.
const RAW_FIELD_MAX_BYTES = 128;

/**
 * `evalpool crypto keygen --out <file> [--force]`: a new backend key pair for encrypted endpoint
 * commitments; the private key (64 hex characters) goes to the file with mode 0600, the public
 * key (64 hex characters) to stdout.
 * `evalpool crypto encrypt-endpoint <uuid> --public-key <hex> [--repo <repo> --rev <rev>]`: what a
 * miner runs to hide its Basilica deployment id; prints the blob and a commitment string.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  const deps = chainCommandDeps(overrides);
  const crypto = program.command('crypto').description('keys and encrypted endpoint commitments');

  crypto.command('keygen')
    .description('create the backend key pair that miners encrypt their endpoints to')
    .requiredOption('--out <file>', 'where to write the private key (hex, mode 0600)')
    .option('--force', 'overwrite an existing file')
    .action(async (options: { out: string; force?: boolean }) => {
      await runChainCommand(deps, async () => {
        const { privateKey, publicKey } = generateKeyPairSync('x25519');
        try {
          await writeFile(options.out, `${x25519PrivateKeyToRaw(privateKey).toString('hex')}\n`, { mode: 0o600, flag: options.force === true ? 'w' : 'wx' });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${options.out} exists: refusing to overwrite a key (use --force)`, { cause: error });
          throw error;
        }
        // `mode` applies only when the file is created; an overwritten file may have been wider.
        await chmod(options.out, 0o600);
        deps.out(x25519PublicKeyToRaw(publicKey).toString('hex'));
        deps.err(`private key written to ${options.out} (mode 0600): set EVALPOOL_BACKEND_PRIVATE_KEY_FILE to it; publish the public key above for miners`);
      });
    });

  crypto.command('encrypt-endpoint')
    .description('encrypt a Basilica deployment id to the backend public key (run by miners)')
    .argument('<uuid>', 'the deployment id')
    .requiredOption('--public-key <hex>', "the backend's public key (64 hex characters)")
    .option('--repo <repo>', 'model repository, for the full commitment string')
    .option('--rev <rev>', 'model revision (8 characters of the commit), for the full commitment string')
    .action(async (uuid: string, options: { publicKey: string; repo?: string; rev?: string }) => {
      await runChainCommand(deps, () => {
        const blob = encryptDeploymentId(uuid, parseX25519PublicKeyHex(options.publicKey, '--public-key'));
        deps.out(`blob: ${blob}`);
        if (options.repo === undefined || options.rev === undefined) {
          deps.out(`example commitment: <repo>:<rev8>:e:${blob}`);
          return Promise.resolve();
        }
        const commitment = `${options.repo}:${options.rev}:e:${blob}`;
        // Refuse a repo or rev that would make the commitment unparseable on the backend.
        parseCommitment(commitment);
        deps.out(`commitment: ${commitment}`);
        const bytes = Buffer.byteLength(commitment);
        if (bytes > RAW_FIELD_MAX_BYTES) deps.err(`warning: the commitment is ${bytes} bytes, more than a Raw field holds (${RAW_FIELD_MAX_BYTES})`);
        return Promise.resolve();
      });
    });
}
