import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { migrationStatus } from '../../src/db/migrator.ts';
import { publishHeartbeat, type WorkerHeartbeatRecord } from '../../src/pool/worker-registry.ts';
import { TABLE_MAX_WIDTH } from '../../src/runtime/format-table.ts';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { freePort } from '../helpers/free-port.ts';
import { range, seedList, seedMiner, seedResults } from '../helpers/seed.ts';
import { runCli } from '../helpers/spawn-cli.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
// Logs at info: a log line in the middle of a table is what this file looks for.
const env = () => ({ EVALPOOL_DATABASE_URL: database.url, EVALPOOL_LOG_LEVEL: 'info' });
const HOTKEYS = ['5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'];
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function assertFits(text: string): void {
  for (const line of text.split('\n')) assert.ok(line.length <= TABLE_MAX_WIDTH, `${line.length} columns: ${line}`);
}

describe('evalpool output', () => {
  test("--version prints the package version; one error prefix, also for commander's own errors", async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), VERSION);
    const unknown = await runCli(['weights', 'shwo']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /^evalpool: unknown command 'shwo'/);
    const badFlag = await runCli(['weights', 'show', '--blok', '1']);
    assert.match(badFlag.stderr, /^evalpool: unknown option '--blok'/);
  });

  test('weights and slots of 48-character hotkeys fit 100 columns; --wide prints them whole; --json is snake_case; no log line on stdout', async () => {
    await seedList(database.db, 'a', range(0, 5));
    for (const [i, hotkey] of HOTKEYS.entries()) {
      await seedMiner(database.db, { uid: i + 1, hotkey, committedBlock: i + 1 });
      await seedResults(database.db, { uid: i + 1, hotkey }, 'a', range(0, 5), () => i);
    }
    const published = await computeAndPublishWeights({
      db: database.db,
      config: testConfig(),
      logger: testLogger(),
      block: () => Promise.resolve(700),
    });
    assert.equal(published.outcome, 'published');
    for (const hotkey of HOTKEYS) assert.equal((await runCli(['slots', 'set', hotkey, '5'], env())).code, 0);

    for (const command of [
      ['weights', 'show'],
      ['slots', 'show'],
    ]) {
      const table = await runCli(command, env());
      assert.equal(table.code, 0, table.stderr);
      assertFits(table.stdout);
      assert.doesNotMatch(table.stdout, /^\{/m, 'no JSON log line among the rows');
      // slots show is wider than 100 columns with whole keys; weights show is not.
      if (command[0] === 'slots') {
        for (const hotkey of HOTKEYS) {
          assert.ok(!table.stdout.includes(hotkey), `${command.join(' ')}: the key is elided`);
          assert.ok(
            table.stdout.includes(`${hotkey.slice(0, 7)}`) && table.stdout.includes(`${hotkey.slice(-7)}`),
            `${command.join(' ')}: both ends show`,
          );
        }
      }
      const wide = await runCli([...command, '--wide'], env());
      for (const hotkey of HOTKEYS) assert.ok(wide.stdout.includes(hotkey), `${command.join(' ')} --wide`);
    }

    const weights = JSON.parse((await runCli(['weights', 'show', '--json'], env())).stdout) as {
      block_number: number;
      created_at: string;
      weights: Record<string, unknown>[];
    };
    assert.equal(weights.block_number, 700);
    assert.match(weights.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(new Set(weights.weights.map((w) => w.hotkey)), new Set(HOTKEYS));
    assert.deepEqual(Object.keys(weights.weights[0]!), ['uid', 'hotkey', 'weight', 'u16', 'points', 'eligible']);
    const slots = JSON.parse((await runCli(['slots', 'show', '--json'], env())).stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(slots[0]!), ['hotkey', 'slots', 'adjusted', 'pinned', 'paused', 'last_change', 'reason']);
    const one = JSON.parse((await runCli(['slots', 'show', HOTKEYS[0]!, '--json'], env())).stdout) as {
      hotkey: string;
      history: unknown[];
    };
    assert.equal(one.hotkey, HOTKEYS[0]);
    assert.equal(one.history.length, 1);
    const config = JSON.parse((await runCli(['config', 'check', '--json'], env())).stdout) as Record<string, unknown>;
    assert.equal(config.EVALPOOL_PORT, 8000);
  });

  test('one-shot commands print no log line around their output: a failure is one sentence, a table stands alone', async () => {
    // EVALPOOL_LOG_LEVEL unset, as an operator runs them (the helper sets info by default).
    const unset = { EVALPOOL_LOG_LEVEL: undefined as unknown as string };
    const closed = await freePort();
    const stats = await runCli(['tasks', 'stats'], { ...env(), ...unset, EVALPOOL_REDIS_URL: `redis://127.0.0.1:${closed}` });
    assert.equal(stats.code, 1);
    assert.equal(stats.stdout, '');
    assert.match(stats.stderr, /^evalpool: [^\n]*\n$/, 'one line, no "redis connection error" log line before it');
    assert.doesNotMatch(stats.stderr, /redis connection error|"level"/);

    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      await writeFile(file, JSON.stringify({ miners: [{ uid: 0, hotkey: HOTKEYS[0], endpoint: 'http://127.0.0.1:9100' }] }));
      const shown = await runCli(['miners', 'show'], { ...env(), ...unset, EVALPOOL_MINERS_FILE: file });
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(shown.stderr, '', 'no "miners file loaded" log line');
      assert.match(shown.stdout, /^source: static/);
      // Asked for: EVALPOOL_LOG_LEVEL is honoured by miners show as by every other command.
      const verbose = await runCli(['miners', 'show'], { ...env(), EVALPOOL_LOG_LEVEL: 'info', EVALPOOL_MINERS_FILE: file });
      assert.equal(verbose.code, 0, verbose.stderr);
      assert.match(verbose.stderr, /miners file loaded/);
      assert.equal(verbose.stdout, shown.stdout, 'the log stays on stderr');
    });
  });

  test('config table --json: one object per variable, as the markdown table has them', async () => {
    const table = await runCli(['config', 'table', '--json']);
    assert.equal(table.code, 0, table.stderr);
    const rows = JSON.parse(table.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(rows[0]!), ['variable', 'file_variable', 'default', 'rule', 'meaning', 'secret']);
    const port = rows.find((r) => r.variable === 'EVALPOOL_PORT');
    assert.equal(port?.default, '8000');
    const markdown = await runCli(['config', 'table']);
    assert.equal(rows.length, markdown.stdout.trim().split('\n').length - 2, 'a row per line of the markdown table');
    const both = await runCli(['config', 'table', '--json', '--write', 'docs/configuration.md']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^evalpool: --json prints the rows; it does not go with --write\n$/);
  });

  test('workers: episodes by class in a column when every env and class fit; else on lines under each row, never cut', async () => {
    const vars = { EVALPOOL_QUEUE_PREFIX: redisHandle.prefix, EVALPOOL_REDIS_URL: redisHandle.url };
    const now = Date.now();
    const worker = (id: string, envs: string[]): WorkerHeartbeatRecord => ({
      id,
      host: 'gpu-node-3',
      pid: 4711,
      envs,
      concurrency: 4,
      version: VERSION,
      kind: 'worker',
      startedAt: now - 60_000,
      lastSeenAt: now,
      heartbeatMs: 60_000,
      episodes: { success: 150, failure: 30, miner_unavailable: 4 },
      inFlight: 1,
    });
    await publishHeartbeat(redisHandle.redis, redisHandle.prefix, worker('gpu-node-3-4711', ['mujoco/reach-v1']));
    const one = await runCli(['workers'], vars);
    assert.equal(one.code, 0, one.stderr);
    assertFits(one.stdout);
    // ("last seen" may sit on two lines to make room.)
    assert.match(one.stdout, /^worker\s+state\s+(last )?seen\s+envs\s+conc\s+busy\s+episodes\s+version$/m);
    assert.match(one.stdout, /^gpu-node-3-4711\s+live\s+.*mujoco\/reach-v1\s+4\s+1\s+ok 150 · fail 30 · unavail 4\s+\S+$/m);

    const envs = ['mujoco/balance-v1', 'mujoco/reach-v1', 'mujoco/push-v1'];
    await publishHeartbeat(redisHandle.redis, redisHandle.prefix, worker(HOTKEYS[0]!, envs));
    const two = await runCli(['workers'], vars);
    assert.equal(two.code, 0, two.stderr);
    assertFits(two.stdout);
    assert.match(two.stdout, /^worker\s+state\s+(last )?seen\s+conc\s+busy\s+version$/m);
    assert.ok(two.stdout.includes(`\n  envs:     ${envs.join(', ')}\n`), two.stdout);
    assert.equal(two.stdout.split('\n  episodes: ok 150 · fail 30 · unavail 4').length - 1, 2, two.stdout);
  });

  test('migrate down asks first: without a terminal it needs --yes, and reverts nothing without it', async () => {
    const applied = async () => (await migrationStatus(database.db)).filter((m) => m.executedAt).length;
    const before = await applied();
    const refused = await runCli(['migrate', 'down'], env());
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^evalpool: revert migration \S+ of database "evalpool_test_\w+" .*: refusing without a confirmation \(no terminal to ask on\); run again with --yes/,
    );
    assert.equal(await applied(), before);
    const confirmed = await runCli(['migrate', 'down', '--yes'], env());
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.equal(await applied(), before - 1);
    assert.equal((await runCli(['migrate', 'up'], env())).code, 0);
    assert.equal(await applied(), before);
  });
});
