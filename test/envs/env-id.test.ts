import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envFamily, splitEnvId } from '../../src/envs/env-id.ts';

test('an env id splits at its first slash into family and task name', () => {
  assert.deepEqual(splitEnvId('mujoco/reach-v1'), { family: 'mujoco', taskName: 'reach-v1' });
  assert.deepEqual(splitEnvId('a/b/c'), { family: 'a', taskName: 'b/c' });
  assert.deepEqual(splitEnvId('plain'), { family: 'plain', taskName: 'plain' });
  assert.equal(envFamily('mujoco/reach-v1'), 'mujoco');
});
