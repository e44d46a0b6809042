import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CurrentList } from '../../src/sampling/current-list.ts';
import { isRotationDue, rotationOutlooks, rotationRanks, rotationRatePerHour } from '../../src/sampling/rotation-outlook.ts';

const list: CurrentList = {
  envId: 'o/env',
  family: 'mujoco',
  taskIds: [40, 10, 30, 20],
  dataset: { start: 0, end: 100 },
  listSize: 4,
  rotation: { count: 2, intervalSeconds: 600 },
  scored: true,
  version: 3,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  lastRotatedAt: new Date('2026-01-01T01:00:00Z'),
};

test('rank = position in the FIFO, 0 leaves first', () => {
  assert.deepEqual([...rotationRanks(list.taskIds)], [[40, 0], [10, 1], [30, 2], [20, 3]]);
});

test('rate per hour = count × 3600 / interval', () => {
  assert.equal(rotationRatePerHour({ count: 4, intervalSeconds: 600 }), 24);
  assert.equal(rotationRatePerHour({ count: 1, intervalSeconds: 7200 }), 0.5);
});

test('due when now − last rotation ≥ interval; the outlook says when', () => {
  assert.equal(isRotationDue(list, new Date('2026-01-01T01:09:59.999Z')), false);
  assert.equal(isRotationDue(list, new Date('2026-01-01T01:10:00Z')), true);
  const outlook = rotationOutlooks([list]).get('o/env');
  assert.equal(outlook?.nextRotationAt.toISOString(), '2026-01-01T01:10:00.000Z');
  assert.equal(outlook?.ratePerHour, 12);
  assert.equal(outlook?.ranks.get(20), 3);
});
