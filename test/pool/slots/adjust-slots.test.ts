import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { ErrorClass } from '../../../src/db/schema.ts';
import { ensureMinerSlots, getMinerSlots, pinSlots } from '../../../src/db/tables/miner-slots.ts';
import { getSlotHistory } from '../../../src/db/tables/slot-history.ts';
import { adjustSlots } from '../../../src/pool/slots/adjust-slots.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../../helpers/test-logger.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const CREATED = new Date(T0 - 3 * 3_600_000);
const NOW = new Date(T0);
const settings = { min: 1, max: 32, minSamples: 20, adjustIntervalSeconds: 300 };

describe('adjustSlots', () => {
  const t = useTestDatabase();

  /** Inserts `n` attempts of `hotkey` with `cls`, `secondsAgo` before NOW. */
  async function attempts(hotkey: string, cls: ErrorClass, n: number, secondsAgo = 60): Promise<void> {
    if (n === 0) return;
    const rows = Array.from({ length: n }, (_, i) => ({
      task_uuid: randomUUID(),
      attempt: 1,
      env_id: 'mujoco/reach-v1',
      task_id: i,
      uid: 1,
      hotkey,
      revision: 'r1',
      error_class: cls,
      worker_id: 'w',
      created_at: new Date(T0 - secondsAgo * 1000),
    }));
    await t.db.insertInto('attempts').values(rows).execute();
  }

  /** A miner with `slots`, created long ago, and the given attempts in the last minute. */
  async function miner(hotkey: string, slots: number, counts: Partial<Record<ErrorClass, number>>): Promise<void> {
    await ensureMinerSlots(t.db, [hotkey], slots, CREATED);
    for (const [cls, n] of Object.entries(counts)) await attempts(hotkey, cls as ErrorClass, n);
  }

  test('tiers, min samples, pins, clamping, history; one pass for all miners', async () => {
    await miner('healthy', 10, { success: 15, failure: 5 }); // health 1 → +2
    await miner('fine', 10, { success: 16, miner_unavailable: 4 }); // 0.8 → hold
    await miner('shaky', 10, { failure: 12, miner_unavailable: 8 }); // 0.6 → −3
    await miner('poor', 10, { success: 8, miner_unavailable: 12 }); // 0.4 → ×0.7
    await miner('down', 10, { success: 2, miner_unavailable: 18 }); // 0.1 → ×0.5
    await miner('few', 10, { miner_unavailable: 19 }); // 19 < 20 samples → untouched
    await miner('infra', 10, { success: 20, env_error: 50, worker_error: 50 }); // infra faults not counted: health 1
    await miner('infra-only', 10, { miner_unavailable: 1, env_error: 100 }); // 1 counted sample → untouched
    await miner('at-max', 31, { success: 20 }); // +2 clamped to 32
    await miner('at-min', 1, { miner_unavailable: 20 }); // ×0.5 clamped to 1
    await miner('pinned', 10, { miner_unavailable: 40 });
    await pinSlots(t.db, 'pinned', 6, CREATED);
    await miner('old-news', 10, {});
    await attempts('old-news', 'miner_unavailable', 30, 3_601); // outside the hour

    const { logger, lines } = capturingLogger();
    const changes = await adjustSlots(t.db, settings, NOW, logger);
    const byHotkey = Object.fromEntries(changes.map((c) => [c.hotkey, [c.oldSlots, c.newSlots, c.health, c.samples]]));
    assert.deepEqual(byHotkey, {
      healthy: [10, 12, 1, 20],
      shaky: [10, 7, 0.6, 20],
      poor: [10, 7, 0.4, 20],
      down: [10, 5, 0.1, 20],
      infra: [10, 12, 1, 20],
      'at-max': [31, 32, 1, 20],
    });
    assert.equal(lines.filter((l) => l.msg === 'adjusted miner slots').length, 6);

    const slots = await getMinerSlots(t.db);
    const now = (h: string): number | undefined => slots.get(h)?.slots;
    assert.deepEqual(['fine', 'few', 'infra-only', 'at-min', 'old-news'].map(now), [10, 10, 10, 1, 10]);
    assert.deepEqual([slots.get('pinned')?.slots, slots.get('pinned')?.pinned], [10, 6]);

    const history = await getSlotHistory(t.db, { hotkey: 'shaky', limit: 5 });
    assert.deepEqual(
      history.map((h) => [h.reason, h.old_slots, h.new_slots, h.health, h.samples, h.created_at.getTime()]),
      [
        ['health', 10, 7, 0.6, 20, NOW.getTime()],
        ['new', null, 10, null, null, CREATED.getTime()],
      ],
    );
  });

  test('a second pass at the same time (restart, second leader) changes nothing; a pass an interval later does', async () => {
    await miner('again', 10, { success: 20 });
    const first = await adjustSlots(t.db, settings, NOW, testLogger());
    assert.ok(first.some((c) => c.hotkey === 'again'));
    const second = await Promise.all([
      adjustSlots(t.db, settings, NOW, testLogger()),
      adjustSlots(t.db, settings, new Date(T0 + 60_000), testLogger()),
    ]);
    assert.equal(second.flat().filter((c) => c.hotkey === 'again').length, 0);
    const later = await adjustSlots(t.db, settings, new Date(T0 + 300_000), testLogger());
    assert.deepEqual(
      later.filter((c) => c.hotkey === 'again').map((c) => [c.oldSlots, c.newSlots]),
      [[12, 14]],
    );
  });

  test('a miner created recently waits for its first adjustment', async () => {
    await ensureMinerSlots(t.db, ['fresh'], 4, new Date(T0 - 10_000));
    await attempts('fresh', 'success', 30, 5);
    assert.equal((await adjustSlots(t.db, settings, NOW, testLogger())).filter((c) => c.hotkey === 'fresh').length, 0);
  });
});
