import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DemoProgress } from '../../../src/demo/demo-progress.ts';
import { everyStartedMinerEligible } from '../../../src/demo/view/demo-monitor.ts';

const progress = (done: readonly number[], eligibleUids: readonly number[]): DemoProgress => ({
  envs: [{ envId: 'mujoco/reach-v1', listSize: 10 }],
  miners: done.map((d, uid) => ({
    uid,
    hotkey: `hk${uid}`,
    envs: [{ envId: 'mujoco/reach-v1', done: d, successRate: d > 0 ? 0.5 : null }],
  })),
  weights: {
    id: 1,
    blockNumber: 7,
    createdAt: new Date(0),
    byUid: new Map(eligibleUids.map((uid) => [uid, 1 / eligibleUids.length])),
    eligibleUids,
  },
});

test('the demo shows the first weights only once they rank every miner that has results', () => {
  assert.equal(everyStartedMinerEligible(progress([10, 7, 9], [0])), false, 'a fast miner eligible alone');
  assert.equal(everyStartedMinerEligible(progress([10, 9, 8], [0, 1, 2])), true);
  assert.equal(
    everyStartedMinerEligible(progress([10, 9, 0], [0, 1])),
    true,
    'a miner without any result (not running) does not hold it back',
  );
});
