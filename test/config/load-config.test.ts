import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import { describeConfig, loadConfig } from '../../src/config/load-config.ts';
import { allVariables } from '../../src/config/schema.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';

function problemsOf(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  test('defaults give the documented core values', () => {
    const config = loadConfig({});
    assert.equal(config.storage.databaseUrl, 'postgres://postgres@127.0.0.1:5432/evalpool');
    assert.equal(config.storage.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.storage.queuePrefix, 'evalpool');
    assert.equal(config.server.port, 8000);
    assert.equal(config.scheduler.enabled, true);
    assert.equal(config.scheduler.pausedTtlSeconds, 14_400);
    assert.equal(config.logging.pretty, undefined);
  });

  test('parses values and freezes the result deeply', () => {
    const config = loadConfig({
      EVALPOOL_PORT: '9001',
      EVALPOOL_SCHEDULER_ENABLED: 'no',
      EVALPOOL_WORKER_ENVS: 'mujoco/reach-v1, mujoco/push-v1',
    });
    assert.equal(config.server.port, 9001);
    assert.equal(config.scheduler.enabled, false);
    assert.deepEqual(config.worker.envs, ['mujoco/reach-v1', 'mujoco/push-v1']);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server) && Object.isFrozen(config.worker.envs));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
  });

  test('reports every bad variable at once, with its value and rule', () => {
    const problems = problemsOf({
      EVALPOOL_DATABASE_URL: 'not-a-url',
      EVALPOOL_PORT: '70000',
      EVALPOOL_LOG_LEVEL: 'loud',
      EVALPOOL_PARETO_TEMPERATURE: '0',
    });
    const byName = new Map(problems.map((p) => [p.name, p]));
    assert.equal(byName.get('EVALPOOL_DATABASE_URL')?.value, 'not-a-url');
    assert.match(byName.get('EVALPOOL_DATABASE_URL')!.message, /postgres:\/\//);
    assert.match(byName.get('EVALPOOL_PORT')!.message, /integer from 0 to 65535/);
    assert.match(byName.get('EVALPOOL_LOG_LEVEL')!.message, /one of fatal, error/);
    assert.match(byName.get('EVALPOOL_PARETO_TEMPERATURE')!.message, /greater than 0/);
    assert.equal(problems.length, 4);
  });

  test('never shows a password or a secret in an error', () => {
    const error = (() => {
      try {
        loadConfig({
          EVALPOOL_DATABASE_URL: 'mysql://admin:hunter2@db/x',
          EVALPOOL_ADMIN_TOKEN: 'short secret',
          EVALPOOL_BACKEND_PRIVATE_KEY: 'zz',
        });
      } catch (e) {
        return e as ConfigError;
      }
      assert.fail('expected a ConfigError');
    })();
    assert.doesNotMatch(error.message, /hunter2|short secret|\bzz\b/);
    assert.match(error.message, /admin:\*\*\*@db/);
    assert.equal(error.problems.find((p) => p.name === 'EVALPOOL_ADMIN_TOKEN')?.value, '***');
  });

  test('an unknown EVALPOOL_ name is an error (typos must not fall back to defaults)', () => {
    const problems = problemsOf({ EVALPOOL_SCHEDULER_TICKMS: '100' });
    assert.equal(problems[0]?.name, 'EVALPOOL_SCHEDULER_TICKMS');
    assert.match(problems[0].message, /not a known evalpool variable/);
  });

  test('cross-field rules name both variables', () => {
    const problems = problemsOf({ EVALPOOL_SLOTS_MIN: '10', EVALPOOL_SLOTS_MAX: '5', EVALPOOL_SLOTS_DEFAULT: '7' });
    assert.deepEqual(problems.map((p) => p.name).sort(), ['EVALPOOL_SLOTS_DEFAULT', 'EVALPOOL_SLOTS_MIN']);
    assert.match(problems.find((p) => p.name === 'EVALPOOL_SLOTS_MIN')!.message, /EVALPOOL_SLOTS_MAX/);
  });

  test("more slots than connections to a miner is refused: a miner's /act would wait in our own pool", () => {
    const problems = problemsOf({ EVALPOOL_SLOTS_MAX: '65' });
    assert.deepEqual(
      problems.map((p) => p.name),
      ['EVALPOOL_SLOTS_MAX'],
    );
    assert.match(problems[0]!.message, /must not exceed EVALPOOL_MINER_MAX_CONNECTIONS \(64\)/);
    const raised = loadConfig({ EVALPOOL_SLOTS_MAX: '100', EVALPOOL_MINER_MAX_CONNECTIONS: '100' });
    assert.deepEqual([raised.slots.max, raised.worker.minerMaxConnections], [100, 100]);
  });

  describe('secrets from files', () => {
    const dir = makeTempDir('config');
    after(() => removeTempDir(dir));

    test('<NAME>_FILE is read and trimmed', () => {
      const file = path.join(dir, 'token');
      writeFileSync(file, 'a-very-long-admin-token-1234\n');
      assert.equal(loadConfig({ EVALPOOL_ADMIN_TOKEN_FILE: file }).server.adminToken, 'a-very-long-admin-token-1234');
    });

    test('a missing file and a conflict are both errors', () => {
      const problems = problemsOf({
        EVALPOOL_ADMIN_TOKEN_FILE: path.join(dir, 'missing'),
        EVALPOOL_VALIDATOR_SEED: 'x',
        EVALPOOL_VALIDATOR_SEED_FILE: path.join(dir, 'missing'),
      });
      assert.match(problems.find((p) => p.name === 'EVALPOOL_ADMIN_TOKEN_FILE')!.message, /cannot read the file/);
      assert.match(problems.find((p) => p.name === 'EVALPOOL_VALIDATOR_SEED_FILE')!.message, /set only one/);
    });
  });

  test('an empty value means unset', () => {
    assert.equal(loadConfig({ EVALPOOL_PORT: '' }).server.port, 8000);
  });

  test('describeConfig masks secrets and URL passwords', () => {
    const described = describeConfig(
      loadConfig({ EVALPOOL_DATABASE_URL: 'postgres://u:pw@h/db', EVALPOOL_ADMIN_TOKEN: 'a-very-long-admin-token-1234' }),
    );
    assert.equal(described.EVALPOOL_DATABASE_URL, 'postgres://u:***@h/db');
    assert.equal(described.EVALPOOL_ADMIN_TOKEN, '***');
    assert.equal(Object.keys(described).length, allVariables().length);
  });

  test('every variable has a name with the prefix, a doc and a rule, and its default parses', () => {
    const names = new Set<string>();
    for (const variable of allVariables()) {
      assert.match(variable.name, /^EVALPOOL_[A-Z0-9_]+$/);
      assert.ok(!names.has(variable.name), `${variable.name} is defined twice`);
      names.add(variable.name);
      assert.ok(variable.doc.length > 10, `${variable.name} needs a doc`);
      assert.ok(variable.rule.length > 0);
    }
  });
});
