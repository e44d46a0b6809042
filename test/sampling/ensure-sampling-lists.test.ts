import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getRotationHistory } from '../../src/db/tables/rotations.ts';
import { getSamplingList } from '../../src/db/tables/sampling-lists.ts';
import { ensureSamplingLists } from '../../src/sampling/ensure-sampling-lists.ts';
import { DatasetTooSmallError } from '../../src/sampling/sampling-error.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';
import { buildDefinition } from './build-definition.ts';

const T0 = new Date('2026-01-01T00:00:00Z');

describe('ensureSamplingLists', () => {
  const t = useTestDatabase();

  test('creates a list from initial_list, in order, recorded as version 0', async () => {
    const initial = [9, 3, 7, 1, 100, 42, 5, 8];
    const def = buildDefinition({ env_id: 'a/initial', initial_list: initial });
    const sync = await ensureSamplingLists(t.db, [def], testLogger(), { now: T0 });
    assert.deepEqual(sync.created, ['a/initial']);
    const row = await getSamplingList(t.db, 'a/initial');
    assert.ok(row);
    assert.deepEqual(row.task_ids, initial);
    assert.equal(row.version, 0);
    assert.equal(row.last_rotated_at.getTime(), T0.getTime());
    const history = await getRotationHistory(t.db, 'a/initial');
    assert.equal(history.length, 1);
    assert.deepEqual([history[0]?.version, history[0]?.reason, history[0]?.ids_out, history[0]?.ids_in], [0, 'created', [], initial]);
  });

  test('creates a list by a random draw: list_size unique ids inside the dataset', async () => {
    const def = buildDefinition({
      env_id: 'a/random',
      dataset: { start: 500, end: 600 },
      list_size: 40,
      rotation: { count: 10, interval_seconds: 60 },
    });
    await ensureSamplingLists(t.db, [def], testLogger(), { now: T0 });
    const row = await getSamplingList(t.db, 'a/random');
    assert.ok(row);
    assert.equal(row.task_ids.length, 40);
    assert.equal(new Set(row.task_ids).size, 40);
    for (const id of row.task_ids) assert.ok(id >= 500 && id < 600);
    assert.deepEqual(
      [row.dataset_start, row.dataset_end, row.list_size, row.rotation_count, row.rotation_interval_seconds, row.scored],
      [500, 600, 40, 10, 60, true],
    );
  });

  test('a second run changes nothing; concurrent first runs create one list', async () => {
    const def = buildDefinition({ env_id: 'a/race' });
    const [one, two] = await Promise.all([ensureSamplingLists(t.db, [def], testLogger()), ensureSamplingLists(t.db, [def], testLogger())]);
    assert.equal(one.created.length + two.created.length, 1);
    assert.equal((await getRotationHistory(t.db, 'a/race')).length, 1);
    const again = await ensureSamplingLists(t.db, [def], testLogger());
    assert.deepEqual(again.unchanged, ['a/race']);
  });

  test('rotation, scored and family changes are applied; ids and version stay', async () => {
    const def = buildDefinition({ env_id: 'container/settings' });
    await ensureSamplingLists(t.db, [def], testLogger());
    const before = await getSamplingList(t.db, 'container/settings');
    const changed = buildDefinition({
      env_id: 'container/settings',
      family: 'container',
      image: 'localhost/settings:dev',
      scored: false,
      rotation: { count: 3, interval_seconds: 120 },
    });
    const sync = await ensureSamplingLists(t.db, [changed], testLogger());
    assert.deepEqual(sync.updated[0]?.changes, [
      'family mujoco → container',
      'rotation.count 2 → 3',
      'rotation.interval_seconds 600 → 120',
      'scored true → false',
    ]);
    const after = await getSamplingList(t.db, 'container/settings');
    assert.deepEqual(after?.task_ids, before?.task_ids);
    assert.equal(after?.version, before?.version);
    assert.deepEqual([after?.family, after?.rotation_count, after?.rotation_interval_seconds, after?.scored], ['container', 3, 120, false]);
  });

  test('a dataset or size change is refused (logged, nothing applied) unless forced, which replaces the list', async () => {
    const def = buildDefinition({ env_id: 'a/structure' });
    await ensureSamplingLists(t.db, [def], testLogger());
    const before = await getSamplingList(t.db, 'a/structure');
    const changed = buildDefinition({ env_id: 'a/structure', dataset: { start: 0, end: 50 }, list_size: 10, scored: false });

    const { logger, lines } = capturingLogger();
    const refused = await ensureSamplingLists(t.db, [changed], logger);
    assert.equal(refused.refused.length, 1);
    assert.match(refused.refused[0]?.message ?? '', /dataset \[0, 1000\) → \[0, 50\) and list_size 8 → 10.*evalpool sampling sync --force/);
    assert.ok(lines.some((l) => l.level === 50 && l.env === 'a/structure'));
    const unchanged = await getSamplingList(t.db, 'a/structure');
    assert.deepEqual(unchanged, before);

    const forced = await ensureSamplingLists(t.db, [changed], testLogger(), { force: true, now: T0 });
    assert.equal(forced.replaced[0]?.envId, 'a/structure');
    const after = await getSamplingList(t.db, 'a/structure');
    assert.ok(after && before);
    assert.equal(after.task_ids.length, 10);
    for (const id of after.task_ids) assert.ok(id < 50);
    assert.deepEqual([after.dataset_end, after.list_size, after.scored, after.version], [50, 10, false, before.version + 1]);
    const last = (await getRotationHistory(t.db, 'a/structure')).at(-1);
    assert.deepEqual(
      [last?.reason, last?.ids_out, last?.ids_in, last?.version],
      ['definition', before.task_ids, after.task_ids, after.version],
    );
  });

  test('a dataset too small for the list plus one rotation is refused before anything is written', async () => {
    const ok = buildDefinition({ env_id: 'a/fine-but-not-written' });
    const tooSmall = { ...buildDefinition({ env_id: 'a/small' }), dataset: { start: 0, end: 9 } };
    await assert.rejects(ensureSamplingLists(t.db, [ok, tooSmall], testLogger()), (error: unknown) => {
      assert.ok(error instanceof DatasetTooSmallError);
      assert.match(
        error.message,
        /a\/small: the dataset is too small: a list of 8 plus one rotation of 2 new ids needs 10 free task ids, but the dataset has 9/,
      );
      return true;
    });
    assert.equal(await getSamplingList(t.db, 'a/fine-but-not-written'), undefined);
  });

  test('stored lists without a definition are reported, not deleted', async () => {
    const sync = await ensureSamplingLists(
      t.db,
      [buildDefinition({ env_id: 'a/initial', initial_list: [9, 3, 7, 1, 100, 42, 5, 8] })],
      testLogger(),
    );
    assert.ok(sync.withoutDefinition.includes('a/random'));
    assert.ok(await getSamplingList(t.db, 'a/random'));
  });
});
