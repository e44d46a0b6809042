import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DiscoveredMinerRow, getActiveMiners, syncMiners } from '../../src/db/tables/miners.ts';
import { useTestDatabase } from '../helpers/test-database.ts';

const database = useTestDatabase();
const miner = (uid: number, hotkey: string, revision: string, endpoint = `http://127.0.0.1:9/${hotkey}`): DiscoveredMinerRow => ({
  uid,
  hotkey,
  revision,
  endpoint,
  committed_block: 100 + uid,
});
const names = (list: readonly { hotkey: string; revision: string }[]): string[] => list.map((m) => `${m.hotkey}@${m.revision}`).sort();

describe('syncMiners: the miners table follows discovery', () => {
  test('activates new identities, retires the undiscovered, reports updates, and survives an empty discovery', async () => {
    const db = database.db;
    const t0 = new Date('2026-01-01T00:00:00Z');
    let changes = await syncMiners(db, [miner(1, 'a', 'r1'), miner(2, 'b', 'r1')], t0);
    assert.deepEqual(names(changes.activated), ['a@r1', 'b@r1']);
    assert.equal(changes.active, 2);

    // Same discovery: nothing changes.
    changes = await syncMiners(db, [miner(1, 'a', 'r1'), miner(2, 'b', 'r1')], t0);
    assert.deepEqual([changes.activated.length, changes.deactivated.length, changes.updated.length], [0, 0, 0]);

    // a changes revision, b moves uid, c appears (twice: the lowest uid wins).
    changes = await syncMiners(
      db,
      [miner(1, 'a', 'r2'), miner(5, 'b', 'r1'), miner(4, 'c', 'r1'), miner(3, 'c', 'rX')],
      new Date('2026-01-02T00:00:00Z'),
    );
    assert.deepEqual(names(changes.activated), ['a@r2', 'c@rX']);
    assert.deepEqual(names(changes.deactivated), ['a@r1']);
    assert.deepEqual(names(changes.updated), ['b@r1']);
    assert.deepEqual(names(await getActiveMiners(db)), ['a@r2', 'b@r1', 'c@rX']);
    const b = await db.selectFrom('miners').selectAll().where('hotkey', '=', 'b').executeTakeFirstOrThrow();
    assert.equal(b.uid, 5);
    assert.equal(b.first_seen_at.toISOString(), t0.toISOString(), 'first seen is kept');

    // An old identity coming back is active again; an empty discovery retires everyone.
    changes = await syncMiners(db, [miner(1, 'a', 'r1')], new Date());
    assert.deepEqual(names(changes.activated), ['a@r1']);
    assert.deepEqual(names(changes.deactivated), ['a@r2', 'b@r1', 'c@rX']);
    changes = await syncMiners(db, [], new Date());
    assert.deepEqual(names(changes.deactivated), ['a@r1']);
    assert.deepEqual(await getActiveMiners(db), []);
  });

  test('two syncs at once (a leader handover) leave a new hotkey active under one revision only', async () => {
    const db = database.db;
    for (let round = 0; round < 20; round++) {
      const hotkey = `race${round}`;
      await Promise.all([syncMiners(db, [miner(1, hotkey, 'r1')], new Date()), syncMiners(db, [miner(1, hotkey, 'r2')], new Date())]);
      const active = await db.selectFrom('miners').select('revision').where('hotkey', '=', hotkey).where('active', '=', true).execute();
      assert.equal(active.length, 1, `round ${round}: ${JSON.stringify(active)}`);
    }
  });

  test('the table refuses a second active revision of a hotkey', async () => {
    const db = database.db;
    await syncMiners(db, [miner(1, 'solo', 'r1')], new Date());
    await assert.rejects(
      db
        .insertInto('miners')
        .values({ uid: 2, hotkey: 'solo', revision: 'r2', endpoint: 'http://127.0.0.1:9/solo', committed_block: 1, active: true })
        .execute(),
      /miners_active_hotkey/,
    );
  });
});
