import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectiveSlots, ensureMinerSlots, getMinerSlots, pinSlots, setSchedulingPaused } from '../../../src/db/tables/miner-slots.ts';
import { getLastSlotChanges, getSlotHistory } from '../../../src/db/tables/slot-history.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const T0 = new Date('2026-01-01T00:00:00Z');

describe('miner_slots queries', () => {
  const t = useTestDatabase();

  test('ensureMinerSlots gives new hotkeys the default once, with history; known hotkeys keep theirs', async () => {
    assert.deepEqual(await ensureMinerSlots(t.db, [], 4), []);
    assert.deepEqual((await ensureMinerSlots(t.db, ['hk-a', 'hk-b', 'hk-a'], 4, T0)).sort(), ['hk-a', 'hk-b']);
    await t.db.updateTable('miner_slots').set({ slots: 9 }).where('hotkey', '=', 'hk-a').execute();
    const [one, two] = await Promise.all([ensureMinerSlots(t.db, ['hk-a', 'hk-c'], 4), ensureMinerSlots(t.db, ['hk-c'], 4)]);
    assert.deepEqual([...one, ...two], ['hk-c']);
    const slots = await getMinerSlots(t.db);
    assert.deepEqual([slots.get('hk-a')?.slots, slots.get('hk-b')?.slots, slots.get('hk-c')?.slots], [9, 4, 4]);
    const history = await getSlotHistory(t.db, { hotkey: 'hk-b', limit: 10 });
    assert.deepEqual(
      history.map((h) => [h.old_slots, h.new_slots, h.reason, h.created_at.getTime()]),
      [[null, 4, 'new', T0.getTime()]],
    );
  });

  test('pinSlots pins and unpins (history records effective values); pinning an unknown hotkey creates it', async () => {
    await ensureMinerSlots(t.db, ['hk-pin'], 4);
    assert.deepEqual(await pinSlots(t.db, 'hk-pin', 12), { hotkey: 'hk-pin', before: 4, after: 12, pinned: 12 });
    let row = (await getMinerSlots(t.db)).get('hk-pin');
    assert.equal(effectiveSlots(row, 0), 12);
    assert.equal(row?.slots, 4);
    assert.deepEqual(await pinSlots(t.db, 'hk-pin', null), { hotkey: 'hk-pin', before: 12, after: 4, pinned: null });
    row = (await getMinerSlots(t.db)).get('hk-pin');
    assert.equal(effectiveSlots(row, 0), 4);
    const history = await getSlotHistory(t.db, { hotkey: 'hk-pin', limit: 10 });
    assert.deepEqual(
      history.map((h) => [h.reason, h.old_slots, h.new_slots]),
      [
        ['unpin', 12, 4],
        ['pin', 4, 12],
        ['new', null, 4],
      ],
    );

    assert.deepEqual(await pinSlots(t.db, 'hk-unknown', 0), { hotkey: 'hk-unknown', before: null, after: 0, pinned: 0 });
    assert.equal(await pinSlots(t.db, 'hk-never-seen', null), undefined);
  });

  test('setSchedulingPaused flips the flag, records the change once, and says whether the hotkey exists', async () => {
    await ensureMinerSlots(t.db, ['hk-pause'], 4);
    assert.deepEqual(await setSchedulingPaused(t.db, 'hk-pause', true), { hotkey: 'hk-pause', before: false, after: true });
    assert.deepEqual(await setSchedulingPaused(t.db, 'hk-pause', true), { hotkey: 'hk-pause', before: true, after: true });
    assert.equal((await getMinerSlots(t.db)).get('hk-pause')?.scheduling_paused, true);
    assert.deepEqual(await setSchedulingPaused(t.db, 'hk-pause', false), { hotkey: 'hk-pause', before: true, after: false });
    assert.equal(await setSchedulingPaused(t.db, 'hk-nobody', true), undefined);
    const reasons = (await getSlotHistory(t.db, { hotkey: 'hk-pause', limit: 10 })).map((h) => h.reason);
    assert.deepEqual(reasons, ['resumed', 'paused', 'new']);
    assert.equal((await getLastSlotChanges(t.db)).get('hk-pause')?.reason, 'resumed');
  });
});
