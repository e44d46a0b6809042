// `evalpool eval --image`: a miner's local check with an env image, through the container
// family, on the real engine (podman's Docker API), with no database or Redis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocalEvalStats } from '../../../src/cli/local-eval/local-eval.ts';
import { LABELS } from '../../../src/envs/container/container-labels.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { freePort } from '../../../src/envs/container/free-port.ts';

/** `evalpool eval --json`: the stats with snake_case keys. */
type Json = Pick<LocalEvalStats, 'episodes' | 'successes' | 'scored' | 'messages'> & {
  env_id: string;
  errors_by_class: LocalEvalStats['errorsByClass'];
};

import {
  requireEngineAndImage,
  SKIP_CONTAINER_TESTS,
  TEST_AFFINETES_DOUBLE_IMAGE,
  TEST_DOCKER_SOCKET,
} from '../../helpers/container-engine.ts';
import { startReachMiner } from '../../helpers/reach-miner.ts';
import { runCli } from '../../helpers/spawn-cli.ts';

// No database or Redis: addresses where nothing answers.
const settings = {
  EVALPOOL_DOCKER_SOCKET: TEST_DOCKER_SOCKET,
  EVALPOOL_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  EVALPOOL_REDIS_URL: 'redis://127.0.0.1:1',
  EVALPOOL_ACTION_TIMEOUT_MS: '5000',
};

void describe('evalpool eval --image (real engine, the affinetes double)', { skip: SKIP_CONTAINER_TESTS }, () => {
  void test('runs episodes of the image’s own env id against the miner, prints the table (and JSON), leaves no container', async () => {
    await requireEngineAndImage(TEST_AFFINETES_DOUBLE_IMAGE);
    const miner = await startReachMiner();
    const engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    try {
      const args = [
        'eval',
        '--image',
        TEST_AFFINETES_DOUBLE_IMAGE,
        '--env',
        'metaworld/reach-v3',
        '--endpoint',
        miner.url,
        '--episodes',
        '4',
        '--concurrency',
        '2',
        '--seed-start',
        '0',
        '--max-timesteps',
        '50',
      ];
      const json = await runCli([...args, '--json'], settings);
      assert.equal(json.code, 0, json.stderr);
      // --json prints snake_case keys, as the API does.
      const stats = JSON.parse(json.stdout) as Json;
      assert.deepEqual([stats.env_id, stats.episodes, stats.successes, stats.errors_by_class.success], ['metaworld/reach-v3', 4, 4, 4]);
      assert.deepEqual(new Set(miner.resetEnvIds), new Set(['metaworld/reach-v3']));

      const table = await runCli(args, settings);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /env\s+metaworld\/reach-v3/);
      assert.match(table.stdout, /success rate\s+100\.0%/);
      assert.match(table.stdout, /class env_error\s+0/);

      // A dead miner: every episode miner_unavailable, nothing scored, exit code 1.
      const dead = await runCli(
        [
          'eval',
          '--image',
          TEST_AFFINETES_DOUBLE_IMAGE,
          '--env',
          'metaworld/reach-v3',
          '--endpoint',
          `http://127.0.0.1:${await freePort()}`,
          '--episodes',
          '2',
          '--json',
        ],
        settings,
      );
      assert.equal(dead.code, 1, dead.stderr);
      const deadStats = JSON.parse(dead.stdout) as Json;
      assert.deepEqual([deadStats.scored, deadStats.errors_by_class.miner_unavailable], [0, 2]);
      assert.match(deadStats.messages[0]?.message ?? '', /^Miner reset failed: ConnectError/);

      const left = await engine.list([`${LABELS.managed}=true`]);
      assert.deepEqual(
        left.filter((c) => c.labels[LABELS.worker]?.startsWith('eval-')),
        [],
        'eval removes its containers',
      );
    } finally {
      engine.close();
      await miner.close();
    }
  });
});
