import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { register as registerDemoMiner } from '../../../src/cli/commands/demo-miner.ts';
import { register } from '../../../src/cli/commands/eval.ts';
import { renderStats } from '../../../src/cli/commands/eval-action.ts';
import type { LocalEvalStats } from '../../../src/cli/local-eval/local-eval.ts';
import { DEMO_MINER_MAX_CONCURRENT_EPISODES } from '../../../src/config/constants.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { runCli, spawnCli } from '../../helpers/spawn-cli.ts';

const stats: LocalEvalStats = {
  envId: 'mujoco/reach-v1',
  endpoint: 'http://127.0.0.1:8080',
  seeds: [0, 1, 2, 3],
  episodes: 4,
  scored: 3,
  successes: 2,
  successRate: 2 / 3,
  meanReward: -4.5,
  meanTimesteps: 50,
  latencyP50Ms: 0.4,
  latencyP99Ms: 2.25,
  errorsByClass: { success: 2, failure: 1, miner_unavailable: 1, env_error: 0, worker_error: 0 },
  messages: [{ message: 'reset http://127.0.0.1:8080: HTTP 500', count: 1 }],
  durationMs: 1000,
  episodesPerSecond: 4,
};

void describe('evalpool eval', () => {
  void test('renders the stats as a table with the error classes and messages', () => {
    const text = renderStats(stats);
    assert.match(text, /success rate\s+66\.7%/);
    assert.match(text, /task ids\s+0\.\.3/);
    assert.match(text, /act latency p99 \(ms\)\s+2\.25/);
    assert.match(text, /class miner_unavailable\s+1/);
    assert.match(text, /1 × reset http:\/\/127\.0\.0\.1:8080: HTTP 500/);
  });

  void test('registers eval and demo-miner with their options, and refuses bad values', async () => {
    const program = new Command('evalpool').exitOverride();
    register(program);
    registerDemoMiner(program);
    const names = program.commands.map((c) => c.name());
    assert.deepEqual(names, ['eval', 'demo-miner']);
    const evalOptions = program.commands[0]!.options.map((o) => o.long);
    for (const option of ['--endpoint', '--env', '--episodes', '--concurrency', '--seed-start'])
      assert.ok(evalOptions.includes(option), option);
    const demoOptions = program.commands[1]!.options.map((o) => o.long);
    for (const option of ['--policy', '--port', '--misbehave']) assert.ok(demoOptions.includes(option), option);

    let errorOutput = '';
    for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: (text) => (errorOutput += text) });
    await assert.rejects(program.parseAsync(['eval', '--endpoint', 'http://127.0.0.1:1', '--env', 'mujoco/nope'], { from: 'user' }));
    assert.match(errorOutput, /unknown env "mujoco\/nope"/);
    await assert.rejects(program.parseAsync(['demo-miner', '--policy', 'genius'], { from: 'user' }));
    assert.match(errorOutput, /--policy must be one of expert, noisy, random/);
  });
});

void describe('evalpool eval and demo-miner as processes', () => {
  void test('eval runs episodes against a demo miner and prints JSON figures; timeouts come from the config, flags override', async () => {
    const miner = await startDemoMiner({ policy: 'expert' });
    try {
      const result = await runCli([
        'eval',
        '--endpoint',
        miner.url,
        '--env',
        'mujoco/reach-v1',
        '--episodes',
        '4',
        '--seed-start',
        '10',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      // snake_case keys, as the API spells them.
      const stats = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.deepEqual(stats.seeds, [10, 11, 12, 13]);
      assert.equal(stats.success_rate, 1);
      assert.equal(stats.successRate, undefined);
      assert.equal(miner.counts.reset, 4);

      // A flag is checked as the variable it overrides; so is the variable itself.
      const badFlag = await runCli(['eval', '--endpoint', miner.url, '--env', 'mujoco/reach-v1', '--action-timeout-ms', '5']);
      assert.equal(badFlag.code, 2);
      assert.match(badFlag.stderr, /EVALPOOL_ACTION_TIMEOUT_MS/);
      // A miner slower than the configured /act timeout fails every episode; the flag overrides the variable.
      miner.setMisbehaviour({ mode: 'slow', on: 'act', delayMs: 30 });
      const args = ['eval', '--endpoint', miner.url, '--env', 'mujoco/reach-v1', '--episodes', '2', '--seed-start', '0', '--json'];
      type Figures = { errors_by_class: LocalEvalStats['errorsByClass']; successes: number };
      const strict = JSON.parse((await runCli(args, { EVALPOOL_ACTION_TIMEOUT_MS: '10' })).stdout) as Figures;
      assert.deepEqual([strict.errors_by_class.failure, strict.successes], [2, 0]);
      const lenient = JSON.parse(
        (await runCli([...args, '--action-timeout-ms', '2000'], { EVALPOOL_ACTION_TIMEOUT_MS: '10' })).stdout,
      ) as Figures;
      assert.equal(lenient.successes, 2);
    } finally {
      await miner.close();
    }
  });

  void test('demo-miner serves the contract until SIGTERM', async () => {
    const cli = spawnCli(['demo-miner', '--policy', 'random', '--port', '0']);
    try {
      const url = (await cli.waitForOutput(/listening on (http:\/\/\S+)/))[1];
      assert.ok(url, cli.stdout() + cli.stderr());
      const health = await fetch(`${url}/health`);
      assert.deepEqual(await health.json(), {
        status: 'ok',
        policy: 'random',
        max_concurrent_episodes: DEMO_MINER_MAX_CONCURRENT_EPISODES,
      });
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited(), 0);
    } finally {
      await cli.kill();
    }
  });
});
