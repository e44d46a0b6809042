import type { Command } from 'commander';
import type { ChainCommandDeps } from './chain-command-deps.ts';
import type { EncryptOptions, KeygenOptions } from './crypto-actions.ts';

/**
 * `evalpool crypto keygen --out <file> [--force]`: a new backend key pair for encrypted endpoint
 * commitments; the private key (64 hex characters) goes to the file with mode 0600, the public
 * key (64 hex characters) to stdout. `crypto public-key --key-file <file>` prints it again.
 * `evalpool crypto encrypt-endpoint <uuid> --public-key <hex> [--repo <repo> --rev <rev>]`: what a
 * miner runs to hide its Basilica deployment id; prints the blob and a commitment string.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  const crypto = program.command('crypto').description('keys and encrypted endpoint commitments');
  const actions = () => import('./crypto-actions.ts');

  crypto
    .command('keygen')
    .description('create the backend key pair that miners encrypt their endpoints to')
    .requiredOption('--out <file>', 'where to write the private key (hex, mode 0600)')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'print JSON instead of text')
    .action(async (options: KeygenOptions) => (await actions()).keygen(options, overrides));

  crypto
    .command('public-key')
    .description('print the public key of a backend private key file (to publish it again)')
    .requiredOption('--key-file <file>', 'the private key file written by `crypto keygen`')
    .option('--json', 'print JSON instead of text')
    .action(async (options: { keyFile: string; json?: boolean }) => (await actions()).publicKey(options, overrides));

  crypto
    .command('encrypt-endpoint')
    .description('encrypt a Basilica deployment id to the backend public key (run by miners)')
    .argument('<uuid>', 'the deployment id')
    .requiredOption('--public-key <hex>', "the backend's public key (64 hex characters)")
    .option('--repo <repo>', 'model repository, for the full commitment string')
    .option('--rev <rev>', 'model revision (8 characters of the commit), for the full commitment string')
    .option('--json', 'print JSON instead of text')
    .action(async (uuid: string, options: EncryptOptions) => (await actions()).encryptEndpoint(uuid, options, overrides));
}
