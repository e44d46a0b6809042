import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDatabase } from '../../src/db/database.ts';
import { getRotationHistory } from '../../src/db/tables/rotations.ts';
import { getSamplingList } from '../../src/db/tables/sampling-lists.ts';
import { getCurrentLists } from '../../src/sampling/current-list.ts';
import { ensureSamplingLists } from '../../src/sampling/ensure-sampling-lists.ts';
import { rotateDueLists } from '../../src/sampling/rotate-due-lists.ts';
import { rotateList } from '../../src/sampling/rotate-list.ts';
import { rotateNow } from '../../src/sampling/rotate-now.ts';
import { DatasetTooSmallError, UnknownSamplingListError } from '../../src/sampling/sampling-error.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';
import { buildDefinition } from './build-definition.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const INITIAL = [10, 11, 12, 13, 14, 15, 16, 17];

describe('rotation', () => {
  const t = useTestDatabase();

  async function create(envId: string, overrides: Record<string, unknown> = {}): Promise<void> {
    await ensureSamplingLists(t.db, [buildDefinition({ env_id: envId, initial_list: INITIAL, ...overrides })], testLogger(), { now: T0 });
  }

  test('FIFO: the count oldest leave, count new ids from the dataset minus the list are appended; recorded', async () => {
    await create('r/fifo');
    const rotation = await rotateNow(t.db, 'r/fifo', 'ops', at(5));
    assert.deepEqual(rotation.idsOut, [10, 11]);
    assert.equal(rotation.idsIn.length, 2);
    for (const id of rotation.idsIn) assert.ok(!INITIAL.includes(id) && id >= 0 && id < 1000);
    const row = await getSamplingList(t.db, 'r/fifo');
    assert.deepEqual(row?.task_ids, [12, 13, 14, 15, 16, 17, ...rotation.idsIn]);
    assert.equal(row?.version, 1);
    assert.equal(row?.last_rotated_at.getTime(), at(5).getTime());
    const record = (await getRotationHistory(t.db, 'r/fifo')).at(-1);
    assert.deepEqual(
      [record?.version, record?.reason, record?.ids_out, record?.ids_in, record?.rotated_at.getTime()],
      [1, 'ops', [10, 11], rotation.idsIn, at(5).getTime()],
    );
  });

  test('due logic: not before the interval; once at the interval; once even after many missed intervals', async () => {
    await create('r/due');
    const only = { envIds: ['r/due'] };
    assert.deepEqual(await rotateDueLists(t.db, at(599), testLogger(), only), []);
    const first = await rotateDueLists(t.db, at(600), testLogger(), only);
    assert.deepEqual(
      first.map((r) => [r.envId, r.version, r.reason]),
      [['r/due', 1, 'schedule']],
    );
    // A "restart": a new call at the same time finds nothing due.
    assert.deepEqual(await rotateDueLists(t.db, at(600), testLogger(), only), []);
    // Ten intervals missed: one rotation, and the schedule restarts from then.
    assert.equal((await rotateDueLists(t.db, at(600 + 6000), testLogger(), only)).length, 1);
    assert.deepEqual(await rotateDueLists(t.db, at(600 + 6000 + 599), testLogger(), only), []);
    assert.equal((await getSamplingList(t.db, 'r/due'))?.version, 2);
  });

  test('two leaders racing on two connections rotate a due list exactly once', async () => {
    const other = createDatabase({ url: t.url, poolSize: 2, logger: testLogger() });
    try {
      for (let round = 0; round < 5; round++) {
        const envId = `r/race-${round}`;
        await create(envId);
        const only = { envIds: [envId] };
        const [a, b] = await Promise.all([
          rotateDueLists(t.db, at(600), testLogger(), only),
          rotateDueLists(other, at(600), testLogger(), only),
        ]);
        assert.equal(a.length + b.length, 1, `round ${round}: ${a.length} + ${b.length} rotations`);
        const history = await getRotationHistory(t.db, envId);
        assert.deepEqual(
          history.map((h) => h.version),
          [0, 1],
        );
        assert.equal((await getSamplingList(t.db, envId))?.version, 1);
      }
    } finally {
      await other.destroy();
    }
  });

  test('two rotations of the same read version (two leaders, or a restart mid-tick): exactly one applies', async () => {
    await create('r/same-read');
    const [read] = await getCurrentLists(t.db, ['r/same-read']);
    assert.ok(read);
    const other = createDatabase({ url: t.url, poolSize: 2, logger: testLogger() });
    try {
      const results = await Promise.all([
        rotateList(t.db, read, at(600), 'schedule'),
        rotateList(other, read, at(600), 'schedule'),
        rotateList(other, read, at(601), 'schedule'),
      ]);
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.deepEqual(
        (await getRotationHistory(t.db, 'r/same-read')).map((h) => h.version),
        [0, 1],
      );
    } finally {
      await other.destroy();
    }
  });

  test('ops rotations racing each other both apply, one after the other', async () => {
    await create('r/ops-race');
    const other = createDatabase({ url: t.url, poolSize: 2, logger: testLogger() });
    try {
      const [a, b] = await Promise.all([rotateNow(t.db, 'r/ops-race'), rotateNow(other, 'r/ops-race')]);
      assert.deepEqual([a.version, b.version].sort(), [1, 2]);
      const row = await getSamplingList(t.db, 'r/ops-race');
      assert.equal(row?.task_ids.length, 8);
      assert.equal(new Set(row?.task_ids).size, 8);
    } finally {
      await other.destroy();
    }
  });

  test('a dataset with no free ids left refuses to rotate with a typed error; the due pass logs it and goes on', async () => {
    await create('r/small');
    // Shrink the dataset behind the definition's back: list of 8 in [10, 18) leaves nothing to draw.
    await t.db.updateTable('sampling_lists').set({ dataset_start: 10, dataset_end: 18 }).where('env_id', '=', 'r/small').execute();
    await assert.rejects(
      rotateNow(t.db, 'r/small'),
      (error: unknown) => error instanceof DatasetTooSmallError && /r\/small: the dataset is too small/.test(error.message),
    );
    await create('r/next-to-small');
    const { logger, lines } = capturingLogger();
    const done = await rotateDueLists(t.db, at(600), logger, { envIds: ['r/small', 'r/next-to-small'] });
    assert.deepEqual(
      done.map((r) => r.envId),
      ['r/next-to-small'],
    );
    assert.ok(lines.some((l) => l.msg === 'sampling list cannot rotate' && l.env === 'r/small'));
    assert.equal((await getSamplingList(t.db, 'r/small'))?.version, 0);
  });

  test('rotating an unknown env is a typed error naming the known ones', async () => {
    await assert.rejects(
      rotateNow(t.db, 'r/none'),
      (error: unknown) =>
        error instanceof UnknownSamplingListError && /no sampling list for "r\/none" \(known: .*r\/fifo/.test(error.message),
    );
  });

  test('getCurrentLists maps rows and filters by env', async () => {
    const lists = await getCurrentLists(t.db, ['r/fifo']);
    assert.equal(lists.length, 1);
    const list = lists[0]!;
    assert.deepEqual(
      [list.envId, list.family, list.listSize, list.rotation.count, list.rotation.intervalSeconds, list.scored, list.version],
      ['r/fifo', 'mujoco', 8, 2, 600, true, 1],
    );
    assert.deepEqual(list.dataset, { start: 0, end: 1000 });
  });
});
