import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Extrinsic } from '@polkadot/types/interfaces';
import { encodeAddress } from '@polkadot/util-crypto';
import { SubtensorConnection } from '../../../src/chain/subtensor-connection.ts';
import { loadValidatorKeypair } from '../../../src/chain/validator-seed.ts';
import { register } from '../../../src/cli/commands/validator.ts';
import { FakeSubtensorNode } from '../../chain/fake-subtensor-provider.ts';
import { loadSubtensorMetadata } from '../../chain/fixture-path.ts';
import { startWeightsServer, weightsBody } from '../../chain/weights-server.ts';
import { capturingLogger } from '../../helpers/test-logger.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { withTempDir } from '../../helpers/with-temp-dir.ts';
import { runCli } from './run-cli.ts';

const fixture = loadSubtensorMetadata();
const NETUID = 4;

describe('evalpool validator', { skip: fixture.skip }, () => {
  test('--dry-run --once prints the uids and u16 values of /v1/weights/latest and the signed extrinsic, and submits nothing', () =>
    withTempDir(async (dir) => {
      const body = weightsBody(5_120, [0, 2, 3], [21_845, 21_845, 21_845]);
      const server = await startWeightsServer(
        (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      );
      const node = new FakeSubtensorNode(fixture.bytes!);
      try {
        const seedFile = path.join(dir, 'hotkey');
        await writeFile(seedFile, '//EvalpoolValidator\n', { mode: 0o600 });
        const pair = await loadValidatorKeypair({ file: seedFile });
        node.addSubnet(NETUID, [...[1, 2, 3].map((i) => encodeAddress(new Uint8Array(32).fill(i), 42)), pair.address], { versionKey: 3 });

        const result = await runCli(
          register,
          [
            'validator',
            '--backend',
            server.url,
            '--chain-endpoint',
            'ws://fake',
            '--netuid',
            String(NETUID),
            '--seed-file',
            seedFile,
            '--dry-run',
            '--once',
          ],
          {
            createProvider: () => node.provider(),
          },
        );
        assert.equal(result.exitCode, 0, result.err.join('\n'));
        assert.deepEqual(node.submitted, []);
        assert.match(
          result.out[0]!,
          new RegExp(
            `^backend weights of block 5120 → set_weights on netuid ${NETUID}, version_key 3, signer ${pair.address}, nonce 7, mortal from block ${node.bestNumber}$`,
          ),
        );
        const table = result.out[1]!.split('\n')
          .slice(2)
          .map((line) => line.trim().split(/\s+/).map(Number));
        assert.deepEqual(table, [
          [0, 21_845],
          [2, 21_845],
          [3, 21_845],
        ]);
        const match = /^extrinsic \((\d+) bytes\): (0x[0-9a-f]+)$/.exec(result.out[2]!);
        assert.ok(match);
        assert.equal(Number(match[1]), (match[2]!.length - 2) / 2);

        const connection = new SubtensorConnection({
          createProvider: () => node.provider(),
          label: 'ws://fake',
          logger: capturingLogger().logger,
        });
        try {
          const api = await connection.api();
          const decoded = api.createType<Extrinsic>('Extrinsic', match[2]);
          assert.equal(decoded.signer.toString(), pair.address);
          assert.deepEqual(
            decoded.method.args.map((arg) => arg.toJSON()),
            [NETUID, body.weights_u16.uids, body.weights_u16.values, 3],
          );
        } finally {
          await connection.close();
        }
        assert.ok(!JSON.stringify(result.log).includes('EvalpoolValidator'), 'the seed is never logged');
      } finally {
        await server.close();
      }
    }));

  test('--dry-run keeps signing the same weights at its cadence as the chain advances, and submits nothing', () =>
    withTempDir(async (dir) => {
      const body = weightsBody(777, [0, 1], [40_000, 25_535]);
      const server = await startWeightsServer((_req, res) => void res.writeHead(200).end(JSON.stringify(body)));
      const node = new FakeSubtensorNode(fixture.bytes!);
      const out: string[] = [];
      try {
        const seedFile = path.join(dir, 'hotkey');
        await writeFile(seedFile, '//EvalpoolValidator');
        node.addSubnet(NETUID, [encodeAddress(new Uint8Array(32).fill(9), 42), (await loadValidatorKeypair({ file: seedFile })).address], {
          weightsSetRateLimit: 100,
        });
        const run = runCli(
          register,
          [
            'validator',
            '--backend',
            server.url,
            '--chain-endpoint',
            'ws://fake',
            '--netuid',
            String(NETUID),
            '--seed-file',
            seedFile,
            '--poll-interval',
            '0.02',
            '--resubmit-blocks',
            '120',
            '--dry-run',
          ],
          {
            createProvider: () => node.provider(),
            out: (line) => void out.push(line),
          },
        );
        const signedAt = (): number[] =>
          out.filter((l) => l.startsWith('backend weights of block 777')).map((l) => Number(/mortal from block (\d+)$/.exec(l)![1]));
        const pollsFrom = async (n: number): Promise<void> => {
          const from = server.requests.length;
          await waitFor(`${n} more polls`, () => server.requests.length >= from + n);
        };
        await waitFor('the first signature', () => signedAt().length === 1);
        await pollsFrom(3);
        node.advance(119);
        await pollsFrom(3);
        assert.deepEqual(signedAt(), [4_000], 'the backend block did not grow and the last setting is 119 blocks old');
        node.advance(1);
        await waitFor('a second signature, 120 blocks later', () => signedAt().length === 2);
        node.advance(200);
        await waitFor('a third one', () => signedAt().length === 3);
        assert.deepEqual(signedAt(), [4_000, 4_120, 4_320]);
        process.emit('SIGTERM');
        const result = await run;
        assert.equal(result.exitCode, 0, result.err.join('\n'));
        assert.deepEqual(node.submitted, [], 'a dry run submits nothing');
      } finally {
        await server.close();
      }
    }));

  test('commit-reveal on: --dry-run --once signs a timelocked commit; an unsupported version stops with a clear message', () =>
    withTempDir(async (dir) => {
      const server = await startWeightsServer((_req, res) => void res.writeHead(200).end(JSON.stringify(weightsBody(1, [0], [65_535]))));
      try {
        const seedFile = path.join(dir, 'hotkey');
        await writeFile(seedFile, '//EvalpoolValidator');
        const address = (await loadValidatorKeypair({ file: seedFile })).address;
        const args = [
          'validator',
          '--backend',
          server.url,
          '--chain-endpoint',
          'ws://fake',
          '--netuid',
          String(NETUID),
          '--seed-file',
          seedFile,
        ];

        const v4 = new FakeSubtensorNode(fixture.bytes!);
        v4.addSubnet(NETUID, [address], { commitReveal: true });
        const dry = await runCli(register, [...args, '--dry-run', '--once'], { createProvider: () => v4.provider() });
        assert.equal(dry.exitCode, 0, dry.err.join('\n'));
        assert.match(
          dry.out[0]!,
          /→ commit_timelocked_weights on netuid 4, .* \(commit-reveal v4: \d+-byte commit timelocked to drand round \d+\)$/,
        );
        assert.deepEqual(v4.submitted, []);

        const v5 = new FakeSubtensorNode(fixture.bytes!);
        v5.addSubnet(NETUID, [address], { commitReveal: true, commitRevealVersion: 5 });
        const result = await runCli(register, [...args, '--poll-interval', '0.01'], { createProvider: () => v5.provider() });
        assert.equal(result.exitCode, 1);
        assert.match(
          result.err.join('\n'),
          /^evalpool: commit-reveal is on for netuid 4: plain set_weights would be refused, and the chain's CommitRevealWeightsVersion is 5, while this client builds version 4 commits only/,
        );
        assert.deepEqual(v5.submitted, []);
      } finally {
        await server.close();
      }
    }));

  test('runs until the weights are on chain, then keeps polling; a new block number is submitted again', () =>
    withTempDir(async (dir) => {
      let block = 10;
      const server = await startWeightsServer(
        (_req, res) => void res.writeHead(200).end(JSON.stringify(weightsBody(block, [0], [65_535]))),
      );
      const node = new FakeSubtensorNode(fixture.bytes!);
      try {
        const seedFile = path.join(dir, 'hotkey');
        await writeFile(seedFile, '//EvalpoolValidator');
        node.addSubnet(NETUID, [(await loadValidatorKeypair({ file: seedFile })).address]);
        const run = runCli(
          register,
          [
            'validator',
            '--backend',
            server.url,
            '--chain-endpoint',
            'ws://fake',
            '--netuid',
            String(NETUID),
            '--seed-file',
            seedFile,
            '--poll-interval',
            '0.02',
          ],
          {
            createProvider: () => node.provider(),
          },
        );
        await waitFor('the first submission', () => node.submitted.length >= 1);
        const polled = server.requests.length;
        await waitFor('two more polls', () => server.requests.length >= polled + 2);
        assert.equal(node.submitted.length, 1, 'same block number: nothing new to submit');
        block = 11;
        node.nonce += 1;
        await waitFor('the second submission', () => node.submitted.length >= 2);
        // Polls run one after the other: two more polls mean the second submission completed.
        const after = server.requests.length;
        await waitFor('two polls after the second submission', () => server.requests.length >= after + 2);
        process.emit('SIGTERM');
        const result = await run;
        assert.equal(result.exitCode, 0, result.err.join('\n'));
        assert.equal(result.log.filter((r) => r.msg === 'weights set on chain').length, 2);
      } finally {
        await server.close();
      }
    }));
});
