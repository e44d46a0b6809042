import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultDemoName, demoVariables } from '../../src/demo/demo-defaults.ts';
import { moveDemoMinerPorts } from '../../src/demo/demo-miner-ports.ts';
import { runCli } from '../helpers/spawn-cli.ts';

describe('two demos on one host', () => {
  test('two checkouts keep apart (database and Redis prefix); the same checkout resumes its own; --name chooses', () => {
    const a = demoVariables('/home/ann/evalpool');
    const b = demoVariables('/home/bob/evalpool');
    assert.notEqual(a.EVALPOOL_DATABASE_URL, b.EVALPOOL_DATABASE_URL);
    assert.notEqual(a.EVALPOOL_QUEUE_PREFIX, b.EVALPOOL_QUEUE_PREFIX);
    assert.deepEqual(demoVariables('/home/ann/evalpool'), a);
    assert.match(a.EVALPOOL_DATABASE_URL!, new RegExp(`/evalpool_demo_${defaultDemoName('/home/ann/evalpool')}$`));
    // Sharing is asked for by name.
    const shared = [demoVariables('/home/ann/evalpool', 'team'), demoVariables('/home/bob/evalpool', 'team')];
    assert.equal(shared[0]!.EVALPOOL_DATABASE_URL, shared[1]!.EVALPOOL_DATABASE_URL);
    assert.equal(shared[0]!.EVALPOOL_QUEUE_PREFIX, 'evalpool-demo-team');
  });

  test("--miner-ports moves the demo's own miners, in file order, and leaves other entries alone", () => {
    const entries = [
      { uid: 0, hotkey: 'demo-random', endpoint: 'http://127.0.0.1:9101' },
      { uid: 1, hotkey: 'someone', endpoint: 'http://10.0.0.7:9102' },
      { uid: 2, hotkey: 'demo-expert', endpoint: 'http://localhost:9103/' },
    ];
    assert.deepEqual(
      moveDemoMinerPorts(entries, 9201).map((e) => e.endpoint),
      ['http://127.0.0.1:9201', 'http://10.0.0.7:9102', 'http://localhost:9202'],
    );
  });

  test('a bad --name or --miner-ports is a usage error before anything starts', async () => {
    const name = await runCli(['demo', '--name', 'Not Ok']);
    assert.equal(name.code, 2);
    assert.match(name.stderr, /^evalpool: --name "Not Ok" must be 1 to 32 lowercase letters, digits or underscores/);
    const ports = await runCli(['demo', '--miner-ports', 'x']);
    assert.equal(ports.code, 2);
    assert.match(ports.stderr, /^evalpool: --miner-ports "x" must be a port/);
  });
});
