import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CONTAINER_DEFAULT_MAX_TIMESTEPS } from '../../src/config/constants.ts';
import { loadContainerEnvs } from '../../src/service/container-envs.ts';
import { WorkerSetupError } from '../../src/service/worker-setup-error.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { makeTempDir, removeTempDir, withTempDir } from '../helpers/with-temp-dir.ts';
import { definitionJson } from '../sampling/build-definition.ts';

let dir = '';
before(() => {
  dir = makeTempDir('container-envs');
});
after(() => removeTempDir(dir));

async function write(folder: string, overrides: Record<string, unknown>): Promise<void> {
  const json = definitionJson(overrides);
  await writeFile(join(folder, `${String(json.env_id).replaceAll('/', '__')}.json`), JSON.stringify(json));
}

test('the container envs of the definitions, with their image and episode length', async () => {
  await write(dir, { env_id: 'mujoco/reach-v1' });
  await write(dir, { env_id: 'container/a-v1', family: 'container', image: 'localhost/a:dev', max_timesteps: 50 });
  await write(dir, { env_id: 'container/b-v1', family: 'container', image: 'localhost/b:dev' });
  await write(dir, {
    env_id: 'metaworld/reach-v3',
    family: 'container',
    image: 'localhost/mw:dev',
    use_images: true,
    max_concurrency: 2,
    replicas: 3,
    memory_mb: 2048,
    cpus: 1,
  });
  assert.deepEqual(await loadContainerEnvs(dir, testLogger()), [
    { envId: 'container/a-v1', image: 'localhost/a:dev', maxTimesteps: 50 },
    { envId: 'container/b-v1', image: 'localhost/b:dev', maxTimesteps: CONTAINER_DEFAULT_MAX_TIMESTEPS },
    {
      envId: 'metaworld/reach-v3',
      image: 'localhost/mw:dev',
      maxTimesteps: CONTAINER_DEFAULT_MAX_TIMESTEPS,
      useImages: true,
      maxConcurrency: 2,
      replicas: 3,
      memoryMb: 2048,
      cpus: 1,
    },
  ]);
  assert.deepEqual(
    await loadContainerEnvs(new URL('../../sampling-lists', import.meta.url).pathname, testLogger()),
    [],
    'the shipped lists are built-in envs only',
  );
});

test('envs of one image that disagree on its container settings: a setup error naming both', () =>
  withTempDir(async (folder) => {
    await write(folder, { env_id: 'metaworld/reach-v3', family: 'container', image: 'localhost/mw:dev', replicas: 2 });
    await write(folder, { env_id: 'metaworld/push-v3', family: 'container', image: 'localhost/mw:dev', replicas: 3 });
    await assert.rejects(
      loadContainerEnvs(folder, testLogger()),
      (error: unknown) =>
        error instanceof WorkerSetupError &&
        /metaworld\/reach-v3 and metaworld\/push-v3 share the image localhost\/mw:dev but differ in replicas/.test(error.message),
    );
  }));

test('no folder: no container envs; an invalid definition: a setup error naming it', async () => {
  assert.deepEqual(await loadContainerEnvs(join(dir, 'missing'), testLogger()), []);
  await write(dir, { env_id: 'container/c-v1', family: 'container' });
  await assert.rejects(
    loadContainerEnvs(dir, testLogger()),
    (error: unknown) => error instanceof WorkerSetupError && /container__c-v1\.json: image: is required/.test(error.message),
  );
});
