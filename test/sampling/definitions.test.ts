import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadSamplingDefinitions } from '../../src/sampling/definitions.ts';
import { definitionFileName, parseSamplingDefinition } from '../../src/sampling/sampling-definition.ts';
import { SamplingDefinitionError } from '../../src/sampling/sampling-error.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';
import { definitionJson } from './build-definition.ts';

function problemsOf(fn: () => unknown): { file: string; field: string; detail: string }[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SamplingDefinitionError, String(error));
    return [...error.problems];
  }
  assert.fail('expected a SamplingDefinitionError');
}

describe('parseSamplingDefinition', () => {
  test('a valid file becomes a camelCase definition', () => {
    const d = parseSamplingDefinition(
      definitionJson({ initial_list: [1, 2, 3, 4, 5, 6, 7, 8], max_timesteps: 200, description: 'x' }),
      'f.json',
    );
    assert.equal(d.envId, 'test/env-v1');
    assert.deepEqual(d.rotation, { count: 2, intervalSeconds: 600 });
    assert.equal(d.listSize, 8);
    assert.deepEqual(d.initialList, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(d.maxTimesteps, 200);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['unknown family', { family: 'docker' }, 'family', /one of "mujoco", "container"/],
    ['missing list_size', { list_size: undefined }, 'list_size', /required/],
    ['fractional list_size', { list_size: 2.5 }, 'list_size', /integer from 1/],
    ['bad env id', { env_id: 'no spaces/allowed here' }, 'env_id', /like "mujoco\/reach-v1"/],
    ['unknown field', { list_sise: 3 }, 'list_sise', /not a known field/],
    ['nested unknown field', { rotation: { count: 1, interval_seconds: 60, every: 3 } }, 'rotation.every', /not a known field/],
    ['rotation.count above list_size', { rotation: { count: 9, interval_seconds: 60 } }, 'rotation.count', /at most list_size \(8\)/],
    ['empty dataset', { dataset: { start: 5, end: 5 } }, 'dataset', /greater than start/],
    ['dataset beyond int4', { dataset: { start: 0, end: 2 ** 31 } }, 'dataset.end', /integer from 1 to 2147483647/],
    [
      'dataset too small for list plus rotation',
      { dataset: { start: 0, end: 9 } },
      'dataset',
      /holds 9 task ids, but list_size \+ rotation.count = 10/,
    ],
    ['initial list too short', { initial_list: [1, 2, 3] }, 'initial_list', /has 3 ids, but list_size is 8/],
    ['initial list id out of range', { initial_list: [1, 2, 3, 4, 5, 6, 7, 1000] }, 'initial_list[7]', /outside the dataset \[0, 1000\)/],
    ['initial list duplicate', { initial_list: [1, 2, 3, 4, 5, 6, 7, 7] }, 'initial_list[7]', /appears twice/],
    ['scored not a boolean', { scored: 'yes' }, 'scored', /true or false/],
    ['container env without an image', { env_id: 'container/x-v1', family: 'container' }, 'image', /required when family is "container"/],
    ['container settings on a mujoco env', { max_concurrency: 2 }, 'max_concurrency', /only for family "container"/],
    ['use_images on a mujoco env', { use_images: true }, 'use_images', /only for family "container"/],
    [
      'max_concurrency of 0',
      { env_id: 'metaworld/reach-v3', family: 'container', image: 'localhost/env:dev', max_concurrency: 0 },
      'max_concurrency',
      /integer from 1/,
    ],
    [
      'memory limit too small',
      { env_id: 'metaworld/reach-v3', family: 'container', image: 'localhost/env:dev', memory_mb: 1 },
      'memory_mb',
      /integer from 64/,
    ],
    ['image on a mujoco env', { image: 'localhost/env:dev' }, 'image', /only for family "container"/],
    [
      'image with upper-case path',
      { env_id: 'container/x-v1', family: 'container', image: 'localhost/Env:dev' },
      'image',
      /must be an image reference/,
    ],
    ['image with a space', { env_id: 'container/x-v1', family: 'container', image: 'env dev' }, 'image', /must be an image reference/],
  ];
  for (const [name, overrides, field, detail] of cases) {
    test(`${name}: names the file and the field`, () => {
      const problems = problemsOf(() => parseSamplingDefinition(definitionJson(overrides), 'lists/x.json'));
      const found = problems.find((p) => p.field === field);
      assert.ok(found, `no problem on ${field}: ${JSON.stringify(problems)}`);
      assert.equal(found.file, 'lists/x.json');
      assert.match(found.detail, detail);
    });
  }

  test('a container env carries its image', () => {
    for (const image of ['localhost/evalpool-env-mujoco:dev', 'registry.example.com:5000/team/env_a-b@sha256:' + 'a'.repeat(64), 'env']) {
      const d = parseSamplingDefinition(
        definitionJson({ env_id: 'container/reach-v1', family: 'container', image, max_timesteps: 200 }),
        'f.json',
      );
      assert.equal(d.family, 'container');
      assert.equal(d.image, image);
      assert.equal(d.maxTimesteps, 200);
    }
    assert.equal(parseSamplingDefinition(definitionJson(), 'f.json').image, undefined);
  });

  test("a container env's id is the image's own (no container/ prefix), with its container settings", () => {
    const d = parseSamplingDefinition(
      definitionJson({
        env_id: 'metaworld/reach-v3',
        family: 'container',
        image: 'kinitro/metaworld:v1',
        use_images: true,
        max_concurrency: 1,
        replicas: 4,
        memory_mb: 4096,
        cpus: 1.5,
      }),
      'f.json',
    );
    assert.deepEqual(
      [d.envId, d.useImages, d.maxConcurrency, d.replicas, d.memoryMb, d.cpus],
      ['metaworld/reach-v3', true, 1, 4, 4096, 1.5],
    );
  });

  test('the message shows file: field: detail', () => {
    assert.throws(
      () => parseSamplingDefinition(definitionJson({ list_size: 0 }), 'lists/x.json'),
      /lists\/x\.json: list_size: must be an integer from 1 to 100000/,
    );
  });

  test('file name = env id with / replaced by __', () => {
    assert.equal(definitionFileName('mujoco/reach-v1'), 'mujoco__reach-v1.json');
    const problems = problemsOf(() => parseSamplingDefinition(definitionJson(), 'd/wrong.json', 'wrong.json'));
    assert.equal(problems[0]?.field, 'env_id');
    assert.match(problems[0]?.detail ?? '', /belongs in a file named test__env-v1\.json, not wrong\.json/);
  });
});

describe('loadSamplingDefinitions', () => {
  let dir = '';
  before(() => {
    dir = makeTempDir('sampling');
  });
  after(() => removeTempDir(dir));

  test('the shipped files are valid: the three built-in envs', async () => {
    const defs = await loadSamplingDefinitions(new URL('../../sampling-lists', import.meta.url).pathname);
    assert.deepEqual(
      defs.map((d) => d.envId),
      ['mujoco/balance-v1', 'mujoco/push-v1', 'mujoco/reach-v1'],
    );
    for (const d of defs) assert.equal(d.family, 'mujoco');
  });

  test('reads every json file, sorted by env id; reports all bad files together', async () => {
    await writeFile(join(dir, 'b__one.json'), JSON.stringify(definitionJson({ env_id: 'b/one' })));
    await writeFile(join(dir, 'a__two.json'), JSON.stringify(definitionJson({ env_id: 'a/two' })));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    assert.deepEqual(
      (await loadSamplingDefinitions(dir)).map((d) => d.envId),
      ['a/two', 'b/one'],
    );

    await writeFile(join(dir, 'c__broken.json'), '{ not json');
    await writeFile(join(dir, 'c__bad.json'), JSON.stringify(definitionJson({ env_id: 'c/bad', list_size: -1 })));
    await assert.rejects(loadSamplingDefinitions(dir), (error: unknown) => {
      assert.ok(error instanceof SamplingDefinitionError);
      assert.match(error.message, /c__broken\.json: \(file\): is not valid JSON/);
      assert.match(error.message, /c__bad\.json: list_size: must be an integer/);
      return true;
    });
  });

  test('a missing folder is a clear error', async () => {
    await assert.rejects(loadSamplingDefinitions(join(dir, 'nope')), /nope: \(folder\): cannot be read/);
  });
});
