import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CurrentList } from '../../src/sampling/current-list.ts';
import { isRotationDue, nextRotationAt } from '../../src/sampling/rotation-due.ts';

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

test('due when now − last rotation ≥ interval; nextRotationAt says when', () => {
  assert.equal(isRotationDue(list, new Date('2026-01-01T01:09:59.999Z')), false);
  assert.equal(isRotationDue(list, new Date('2026-01-01T01:10:00Z')), true);
  assert.equal(nextRotationAt(list).toISOString(), '2026-01-01T01:10:00.000Z');
});
