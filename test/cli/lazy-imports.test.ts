import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The packages `evalpool <args>` loads, run from the sources (where every module shows). */
async function packagesLoadedBy(args: readonly string[], variables: Record<string, string> = {}): Promise<Set<string>> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'imports.txt');
    const child = spawn(process.execPath, ['--import', './test/helpers/record-imports.js', '--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        RECORD_IMPORTS_FILE: file,
        EVALPOOL_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
        ...variables,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    // The command ran past its configuration (and failed to reach the services it uses, or not).
    assert.doesNotMatch(stderr, /invalid configuration/, stderr);
    const urls = (await readFile(file, 'utf8')).split('\n');
    const packages = urls.flatMap((url) => {
      const at = url.lastIndexOf('/node_modules/');
      if (at < 0) return [];
      const parts = url.slice(at + '/node_modules/'.length).split('/');
      return [parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!];
    });
    return new Set(packages);
  });
}

// What a command loads when it runs: the database, Redis, the queue, the chain client, the engine, the HTTP server.
const HEAVY = [
  'kysely',
  'pg',
  'ioredis',
  'bullmq',
  '@polkadot/api',
  'dockerode',
  'hono',
  'pino',
  'pino-pretty',
  'mujoco-js',
  'cli-progress',
];

describe("the CLI imports a command's modules only when it runs", () => {
  test('--help and --version load commander and nothing heavy', async () => {
    for (const args of [['--help'], ['--version'], ['slots', '--help']]) {
      const loaded = await packagesLoadedBy(args);
      assert.ok(loaded.has('commander'), 'the recorder works');
      assert.deepEqual(
        HEAVY.filter((p) => loaded.has(p)),
        [],
        args.join(' '),
      );
    }
  });

  test('read-only commands load what they use only', async () => {
    const config = await packagesLoadedBy(['config', 'check']);
    assert.deepEqual(
      ['kysely', 'pg', 'ioredis', 'bullmq', '@polkadot/api', 'dockerode'].filter((p) => config.has(p)),
      [],
    );
    const weights = await packagesLoadedBy(['weights', 'show']);
    assert.ok(weights.has('kysely') && weights.has('pg'));
    assert.deepEqual(
      ['ioredis', 'bullmq', '@polkadot/api', 'dockerode', 'mujoco-js'].filter((p) => weights.has(p)),
      [],
    );
    const slots = await packagesLoadedBy(['slots', 'show']);
    assert.ok(slots.has('kysely') && slots.has('pg'));
    assert.deepEqual(
      ['ioredis', 'bullmq', '@polkadot/api', 'dockerode', 'mujoco-js'].filter((p) => slots.has(p)),
      [],
    );
    // Counting tasks reads Redis directly: BullMQ is not loaded for it.
    const stats = await packagesLoadedBy(['tasks', 'stats'], { EVALPOOL_REDIS_URL: 'redis://127.0.0.1:1' });
    assert.ok(stats.has('ioredis') && stats.has('pg'));
    assert.deepEqual(
      ['bullmq', '@polkadot/api', 'dockerode', 'mujoco-js', 'hono'].filter((p) => stats.has(p)),
      [],
    );
  });

  test('pretty logs (a terminal) load pino-pretty at the first log line only', async () => {
    // EVALPOOL_LOG_PRETTY stands for the terminal the test has not got.
    const quiet = await packagesLoadedBy(['weights', 'show'], { EVALPOOL_LOG_PRETTY: 'true' });
    assert.ok(quiet.has('pino'), 'the logger was created');
    assert.equal(quiet.has('pino-pretty'), false);
    // The Redis connection error is logged (then the command gives up on Redis): a one-shot
    // command logs it only when EVALPOOL_LOG_LEVEL asks for warnings (context.ts).
    const logged = await packagesLoadedBy(['tasks', 'stats'], {
      EVALPOOL_LOG_PRETTY: 'true',
      EVALPOOL_LOG_LEVEL: 'warn',
      EVALPOOL_REDIS_URL: 'redis://127.0.0.1:1',
    });
    assert.ok(logged.has('pino-pretty'));
  });
});
