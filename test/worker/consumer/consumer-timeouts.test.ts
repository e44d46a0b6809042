import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EPISODE_TIMEOUT_MARGIN_MS, HARD_TIMEOUT_MARGIN_MS, SHUTDOWN_RELEASE_RESERVE_MS } from '../../../src/config/constants.ts';
import { listBuiltinEnvs } from '../../../src/envs/builtin-registry.ts';
import { drainMs, hardTimeoutMs } from '../../../src/worker/consumer/consumer-timeouts.ts';
import { testConfig } from '../../helpers/test-config.ts';

const config = testConfig({ EVALPOOL_MINER_RESET_TIMEOUT_MS: '3000', EVALPOOL_ACTION_TIMEOUT_MS: '200' });

test('hard timeout: the longest episode budget, plus the longest setup, plus the margin', () => {
  const limits = (env: string) => (env === 'a/x' ? { maxTimesteps: 100, setupMs: 5_000 } : { maxTimesteps: 400, setupMs: 1_000 });
  assert.equal(
    hardTimeoutMs(config, ['a/x', 'b/y'], limits),
    3_000 + 400 * 200 + EPISODE_TIMEOUT_MARGIN_MS + 5_000 + HARD_TIMEOUT_MARGIN_MS,
  );
});

test('hard timeout: a configured episode budget replaces the worst case of the calls', () => {
  const withBudget = testConfig({ EVALPOOL_EPISODE_TIMEOUT_MS: '60000' });
  assert.equal(
    hardTimeoutMs(withBudget, ['a/x'], () => ({ maxTimesteps: 1_000, setupMs: 2_000 })),
    60_000 + 2_000 + HARD_TIMEOUT_MARGIN_MS,
  );
});

test("hard timeout: without limits, a built-in env's steps and no setup; an unknown env counts as no steps", () => {
  const builtin = listBuiltinEnvs()[0]!;
  assert.equal(
    hardTimeoutMs(config, [builtin.id]),
    3_000 + builtin.maxTimesteps * 200 + EPISODE_TIMEOUT_MARGIN_MS + HARD_TIMEOUT_MARGIN_MS,
  );
  assert.equal(hardTimeoutMs(config, ['nowhere/none']), 3_000 + EPISODE_TIMEOUT_MARGIN_MS + HARD_TIMEOUT_MARGIN_MS);
  assert.equal(hardTimeoutMs(config, []), 3_000 + EPISODE_TIMEOUT_MARGIN_MS + HARD_TIMEOUT_MARGIN_MS);
});

test('drain time: the grace less the release reserve, which takes at most half of it', () => {
  assert.equal(drainMs(30_000), 30_000 - SHUTDOWN_RELEASE_RESERVE_MS);
  assert.equal(drainMs(SHUTDOWN_RELEASE_RESERVE_MS), SHUTDOWN_RELEASE_RESERVE_MS / 2);
  assert.equal(drainMs(1), 1);
  assert.equal(drainMs(0), 0);
});
