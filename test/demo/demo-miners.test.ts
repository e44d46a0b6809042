import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { planDemoMiners, readDemoMinersFile, startDemoMiners } from '../../src/demo/demo-miners.ts';
import { DemoSetupError } from '../../src/demo/demo-setup-error.ts';
import { startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import { probeDeclaredConcurrency } from '../../src/miners/declared-concurrency.ts';
import { Lifecycle } from '../../src/runtime/lifecycle.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const inRepo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

describe('demo miners plan', () => {
  test('local entries whose hotkey names a policy are served; the rest are left alone', () => {
    const plan = planDemoMiners([
      { uid: 0, hotkey: 'demo-expert', endpoint: 'http://127.0.0.1:9101' },
      { uid: 1, hotkey: 'demo-noisy-2', endpoint: 'http://localhost:9102' },
      { uid: 2, hotkey: 'demo-random', endpoint: 'http://[::1]:9103' },
      { uid: 3, hotkey: 'demo-expert-remote', endpoint: 'http://10.0.0.7:9101' },
      { uid: 4, hotkey: 'my-miner', endpoint: 'http://127.0.0.1:9104' },
      { uid: 5, hotkey: 'demo-experts', endpoint: 'http://127.0.0.1:9105' },
      { uid: 6, hotkey: 'demo-noisy', commitment: 'http://127.0.0.1:9106' },
    ]);
    assert.deepEqual(plan.local, [
      { uid: 0, hotkey: 'demo-expert', policy: 'expert', host: '127.0.0.1', port: 9101 },
      { uid: 1, hotkey: 'demo-noisy-2', policy: 'noisy', host: '127.0.0.1', port: 9102 },
      { uid: 2, hotkey: 'demo-random', policy: 'random', host: '::1', port: 9103 },
    ]);
    assert.deepEqual(
      plan.others.map((e) => e.uid),
      [3, 4, 5, 6],
    );
  });

  test('the bundled miners file has the three demo miners, the expert committed last', async () => {
    const plan = planDemoMiners(await readDemoMinersFile(inRepo('containers/demo/miners.json')));
    assert.deepEqual(
      plan.local.map((m) => [m.uid, m.policy]),
      [
        [0, 'random'],
        [1, 'noisy'],
        [2, 'expert'],
      ],
    );
    assert.equal(plan.others.length, 0);
  });

  test("the compose miners file is valid and names compose.yaml's demo miner services", async () => {
    const entries = await readDemoMinersFile(inRepo('containers/demo/miners.compose.json'));
    assert.equal(planDemoMiners(entries).local.length, 0);
    const compose = await readFile(inRepo('compose.yaml'), 'utf8');
    for (const entry of entries) {
      const url = new URL(entry.endpoint ?? '');
      assert.match(
        compose,
        new RegExp(`\\n  ${url.hostname}:\\n[^]*?"--port", "${url.port}"`),
        `compose.yaml has no service ${url.hostname} on port ${url.port}`,
      );
    }
    assert.match(compose, /EVALPOOL_MINERS_FILE: containers\/demo\/miners\.compose\.json/);
  });

  test('a missing or invalid miners file is one sentence naming the file', async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(
        readDemoMinersFile(join(dir, 'nope.json')),
        (e: Error) => e instanceof DemoSetupError && /nope\.json \(ENOENT\).*EVALPOOL_MINERS_FILE/.test(e.message),
      );
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ miners: [{ uid: 0, hotkey: 'demo-expert' }] }));
      await assert.rejects(
        readDemoMinersFile(bad),
        (e: Error) => e instanceof DemoSetupError && e.message.includes('bad.json: entry 0 (hotkey demo-expert)'),
      );
    });
  });

  test("the demo's miners declare what the backend accepts: the leader's probe finds no problem to warn about", async () => {
    const plans = planDemoMiners([
      { uid: 0, hotkey: 'demo-random', endpoint: 'http://127.0.0.1:0' },
      { uid: 1, hotkey: 'demo-expert', endpoint: 'http://127.0.0.1:0' },
    ]).local;
    // The default cap, and an operator's lower one: the demo declares the cap it runs with.
    for (const config of [testConfig(), testConfig({ EVALPOOL_SLOTS_MAX: '8' })]) {
      const lifecycle = new Lifecycle(testLogger());
      try {
        const miners = await startDemoMiners(
          plans,
          { ports: { file: 'miners.json' }, maxConcurrentEpisodes: config.slots.max },
          lifecycle,
          testLogger(),
        );
        for (const miner of miners) {
          const declared = await probeDeclaredConcurrency(miner.url, { max: config.slots.max });
          assert.deepEqual(declared, { episodes: config.slots.max }, `${miner.hotkey} at EVALPOOL_SLOTS_MAX ${config.slots.max}`);
        }
      } finally {
        await lifecycle.stopAll(5_000);
      }
    }
    // `evalpool demo-miner` on its own declares the default cap.
    const alone = await startDemoMiner({ policy: 'expert' });
    try {
      assert.deepEqual(await probeDeclaredConcurrency(alone.url, { max: testConfig().slots.max }), { episodes: testConfig().slots.max });
    } finally {
      await alone.close();
    }
  });
});
