import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getMinerSlots } from '../../src/db/tables/miner-slots.ts';
import { getSamplingList } from '../../src/db/tables/sampling-lists.ts';
import { runCli } from '../helpers/spawn-cli.ts';
import { databaseExists, randomDatabaseUrl, useTestDatabase } from '../helpers/test-database.ts';

describe('evalpool sampling and slots commands', () => {
  const t = useTestDatabase();
  const cli = (...args: string[]) => runCli(args, { EVALPOOL_DATABASE_URL: t.url });

  test('against a missing database: a clear sentence, exit 1, and the database is not created', async () => {
    const url = randomDatabaseUrl();
    const result = await runCli(['sampling', 'show'], { EVALPOOL_DATABASE_URL: url });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /database "evalpool_test_\w+" does not exist; `evalpool migrate` creates it/);
    assert.equal(await databaseExists(url), false);
  });

  test('sampling sync creates the built-in lists; show lists them without ids; --ids shows them', async () => {
    const empty = await cli('sampling', 'show');
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /no sampling lists yet/);

    const sync = await cli('sampling', 'sync');
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /mujoco\/reach-v1\s+created/);

    const shown = await cli('sampling', 'show');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /env\s+family\s+size\s+scored\s+rotation\s+last_rotation\s+next_rotation\s+version/);
    assert.match(shown.stdout, /mujoco\/push-v1\s+mujoco\s+32\s+true\s+4 every 600s\s+never/);

    const row = await getSamplingList(t.db, 'mujoco/reach-v1');
    assert.ok(row);
    const one = await cli('sampling', 'show', 'mujoco/reach-v1');
    assert.match(one.stdout, /rotations, newest first/);
    assert.match(one.stdout, /0\s+\S+ \S+\s+created\s+0\s+32/);
    for (const id of row.task_ids) assert.doesNotMatch(one.stdout, new RegExp(`\\b${id}\\b`), 'ids are not shown without --ids');
    const withIds = await cli('sampling', 'show', 'mujoco/reach-v1', '--ids');
    assert.ok(withIds.stdout.includes(row.task_ids.join(' ')));
  });

  test('sampling rotate rotates now and prints the counts; an unknown env is refused with exit 1', async () => {
    const rotated = await cli('sampling', 'rotate', 'mujoco/reach-v1');
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /rotated mujoco\/reach-v1: version 0 → 1, 4 ids out, 4 ids in/);
    assert.equal((await getSamplingList(t.db, 'mujoco/reach-v1'))?.version, 1);
    const unknown = await cli('sampling', 'rotate', 'mujoco/nope-v1');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no sampling list for "mujoco\/nope-v1" \(known: mujoco\/balance-v1, mujoco\/push-v1, mujoco\/reach-v1\)/);
  });

  test('slots set pins and unpins; slots show lists the miner; a bad value exits 2', async () => {
    // A hotkey the scheduler has never seen is refused (a typo would be pinned silently); --new pins it.
    const unknown = await cli('slots', 'set', 'hk-ops', '8');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^evalpool: unknown hotkey hk-ops: the scheduler has never seen it .*--new pins it anyway/);
    assert.equal((await getMinerSlots(t.db)).get('hk-ops'), undefined);
    const pinned = await cli('slots', 'set', 'hk-ops', '8', '--new');
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stdout, /pinned hk-ops to 8 slots/);
    assert.equal((await getMinerSlots(t.db)).get('hk-ops')?.pinned, 8);

    const shown = await cli('slots', 'show');
    assert.match(shown.stdout, /hotkey\s+slots\s+adjusted\s+pinned\s+paused\s+last_change\s+reason/);
    assert.match(shown.stdout, /hk-ops\s+8\s+8\s+8\s+false\s+\S+ \S+\s+pin/);

    const auto = await cli('slots', 'set', 'hk-ops', 'auto');
    assert.match(auto.stdout, /unpinned hk-ops/);
    assert.equal((await getMinerSlots(t.db)).get('hk-ops')?.pinned, null);

    const bad = await cli('slots', 'set', 'hk-ops', 'lots');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"lots" must be an integer from 0 to 10000, or auto/);
  });

  test('--json on every command that prints: sampling sync and rotate, slots set, pause and resume (snake_case, as the API)', async () => {
    const sync = await cli('sampling', 'sync', '--json');
    assert.equal(sync.code, 0, sync.stderr);
    const rows = JSON.parse(sync.stdout) as { env: string; action: string; changes: string }[];
    assert.deepEqual(Object.keys(rows[0]!), ['env', 'action', 'changes']);
    assert.ok(rows.some((r) => r.env === 'mujoco/reach-v1'));

    const version = (await getSamplingList(t.db, 'mujoco/reach-v1'))!.version;
    const rotated = await cli('sampling', 'rotate', 'mujoco/reach-v1', '--json');
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.deepEqual(JSON.parse(rotated.stdout), {
      env: 'mujoco/reach-v1',
      from_version: version,
      version: version + 1,
      ids_out: 4,
      ids_in: 4,
    });

    const pinned = await cli('slots', 'set', 'hk-json', '3', '--new', '--json');
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.deepEqual(JSON.parse(pinned.stdout), { hotkey: 'hk-json', pinned: 3, slots: 3, was: null });
    const unpinned = await cli('slots', 'set', 'hk-json', 'auto', '--json');
    assert.deepEqual(JSON.parse(unpinned.stdout), { hotkey: 'hk-json', pinned: null, slots: 3, was: 3 });
    const paused = await cli('slots', 'pause', 'hk-json', '--json');
    assert.equal(paused.code, 0, paused.stderr);
    assert.deepEqual(JSON.parse(paused.stdout), { hotkey: 'hk-json', paused: true });
    assert.deepEqual(JSON.parse((await cli('slots', 'resume', 'hk-json', '--json')).stdout), { hotkey: 'hk-json', paused: false });
  });
});
