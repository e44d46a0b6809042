import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DemoProgress, DemoWeights } from '../../../src/demo/demo-progress.ts';
import { formatElapsed, leaderOf, progressLine, weightsReport } from '../../../src/demo/view/demo-format.ts';

const progress: DemoProgress = {
  envs: [
    { envId: 'mujoco/push-v1', listSize: 4 },
    { envId: 'mujoco/reach-v1', listSize: 4 },
  ],
  miners: [
    {
      uid: 0,
      hotkey: 'demo-random',
      envs: [
        { envId: 'mujoco/push-v1', done: 4, successRate: 0 },
        { envId: 'mujoco/reach-v1', done: 1, successRate: 0 },
      ],
    },
    {
      uid: 2,
      hotkey: 'demo-expert',
      envs: [
        { envId: 'mujoco/push-v1', done: 2, successRate: 1 },
        { envId: 'mujoco/reach-v1', done: 0, successRate: null },
      ],
    },
  ],
  weights: null,
};

const weights: DemoWeights = {
  id: 1,
  blockNumber: 42,
  createdAt: new Date(0),
  byUid: new Map([
    [0, 0.25],
    [2, 0.75],
  ]),
  eligibleUids: [2],
};

describe('demo output', () => {
  test('elapsed times read as seconds, minutes or hours', () => {
    assert.deepEqual([formatElapsed(9.4), formatElapsed(65), formatElapsed(3_720)], ['9s', '1m05s', '1h02m']);
  });

  test('the plain progress line counts episodes per miner and in all', () => {
    assert.equal(progressLine(progress, 12), '[12s] episodes 7/16 · demo-random 5/8 · demo-expert 2/8');
  });

  test('the weights report names the leader and its policy', () => {
    assert.equal(leaderOf(progress, weights)?.uid, 2);
    const text = weightsReport(progress, weights, new Map([['demo-expert', 'expert']]));
    assert.match(text, /push-v1 success\s+reach-v1 success\s+eligible\s+weight/);
    assert.match(text, /2\s+demo-expert\s+1\.00\s+-\s+yes\s+0\.75000/);
    assert.match(text, /0\s+demo-random\s+0\.00\s+0\.00\s+no\s+0\.25000/);
    assert.match(text, /→ demo-expert \(uid 2, the expert policy\) leads with 75\.000% of the weight\.$/);
  });
});
