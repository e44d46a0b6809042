import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { range, seedList, seedMiner, seedResults } from '../helpers/seed.ts';
import { runCli } from '../helpers/spawn-cli.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';

const database = useTestDatabase();
const env = () => ({ EVALPOOL_DATABASE_URL: database.url, EVALPOOL_LOG_LEVEL: 'silent' });

describe('evalpool weights show', () => {
  test('before any weights: exit 1 and a sentence', async () => {
    const result = await runCli(['weights', 'show'], env());
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no weights have been published yet/);
  });

  test('a bad --block is a usage error (exit 2)', async () => {
    const result = await runCli(['weights', 'show', '--block', '-5'], env());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--block block must be a whole number/);
  });

  test('prints uid, hotkey, weight, u16, points and eligibility; --block picks a past row', async () => {
    await seedList(database.db, 'a', range(0, 5));
    await seedMiner(database.db, { uid: 3, committedBlock: 1 });
    await seedMiner(database.db, { uid: 8, committedBlock: 2 });
    await seedResults(database.db, { uid: 3 }, 'a', range(0, 5), () => 0);
    await seedResults(database.db, { uid: 8 }, 'a', range(0, 5), () => 1);
    const publish = (block: number) =>
      computeAndPublishWeights({ db: database.db, config: testConfig(), logger: testLogger(), block: () => Promise.resolve(block) });
    assert.equal((await publish(900)).outcome, 'published');
    await seedMiner(database.db, { uid: 11, committedBlock: 3 });
    assert.equal((await publish(901)).outcome, 'published');

    const latest = await runCli(['weights', 'show'], env());
    assert.equal(latest.code, 0, latest.stderr);
    const lines = latest.stdout.trim().split('\n');
    assert.match(lines[0]!, /^weights of block 901 \(cycle 2\), published \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, 2 of 3 miners eligible$/);
    assert.match(lines[1]!, /^uid\s+hotkey\s+weight\s+u16\s+points\s+eligible$/);
    assert.match(lines[3]!, /^\s*3\s+hk3\s+0\.\d{6}\s+\d+\s+0\s+yes$/);
    assert.match(lines[4]!, /^\s*8\s+hk8\s+0\.\d{6}\s+\d+\s+1\s+yes$/);
    assert.match(lines[5]!, /^\s*11\s+hk11\s+0\s+0\s+0\s+no$/);
    const u16 = lines.slice(3).map((l) => Number(l.trim().split(/\s+/)[3]));
    assert.equal(
      u16.reduce((a, b) => a + b, 0),
      65_535,
    );

    const past = await runCli(['weights', 'show', '--block', '900'], env());
    assert.equal(past.code, 0, past.stderr);
    assert.match(past.stdout, /^weights of block 900 \(cycle 1\)/);
    assert.equal(past.stdout.trim().split('\n').length, 5, 'two miners then');

    const missing = await runCli(['weights', 'show', '--block', '899'], env());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no weights were published at block 899; the latest are at block 901/);
  });
});
