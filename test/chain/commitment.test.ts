import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBackendPrivateKey } from '../../src/chain/backend-key.ts';
import { parseCommitment, resolveCommitment } from '../../src/chain/commitment.ts';
import { CommitmentError, type CommitmentErrorCode } from '../../src/chain/commitment-error.ts';
import { encryptDeploymentId } from '../../src/chain/endpoint-crypto.ts';

const KEY = parseBackendPrivateKey('11'.repeat(32), 'test');
const UUID = '95edf2b6-e18b-400a-8398-5573df10e5e4';

function rejectsWith(code: CommitmentErrorCode, raw: string, pattern?: RegExp): void {
  assert.throws(
    () => resolveCommitment(raw, KEY.privateKey),
    (error: unknown) => error instanceof CommitmentError && error.code === code && (pattern === undefined || pattern.test(error.message)),
  );
}

describe('commitments', () => {
  test('repo:rev:deployment-id points at the Basilica deployment', () => {
    const resolved = resolveCommitment(`org/policy:1a2b3c4d:${UUID}`);
    assert.equal(resolved.form, 'deployment');
    assert.equal(resolved.endpoint, `https://${UUID}.deployments.basilica.ai`);
    assert.match(resolved.revision, /^1a2b3c4d-[0-9a-f]{12}$/);
    assert.deepEqual(parseCommitment(` org/policy:1a2b3c4d:${UUID.toUpperCase()} `), {
      form: 'deployment',
      repo: 'org/policy',
      rev: '1a2b3c4d',
      deploymentId: UUID,
    });
  });

  test('a plain URL is the endpoint, without its trailing slash', () => {
    const resolved = resolveCommitment('https://miner.example.org:8443/policy/');
    assert.deepEqual([resolved.form, resolved.endpoint], ['url', 'https://miner.example.org:8443/policy']);
    assert.match(resolved.revision, /^url-[0-9a-f]{12}$/);
    assert.equal(resolveCommitment('http://10.0.0.5:9000').endpoint, 'http://10.0.0.5:9000');
  });

  test('the encrypted form decrypts to the deployment endpoint', () => {
    const raw = `org/policy:1a2b3c4d:e:${encryptDeploymentId(UUID, KEY.publicKey)}`;
    const resolved = resolveCommitment(raw, KEY.privateKey);
    assert.deepEqual([resolved.form, resolved.endpoint], ['encrypted', `https://${UUID}.deployments.basilica.ai`]);
    assert.equal(
      resolved.revision,
      resolveCommitment(`org/policy:1a2b3c4d:${UUID}`).revision,
      'same deployment, same identity as the plain form',
    );
  });

  test('the revision changes with the endpoint, the rev or the repo, and not with re-encryption', () => {
    const base = resolveCommitment(`org/policy:1a2b3c4d:${UUID}`).revision;
    assert.notEqual(resolveCommitment('org/policy:1a2b3c4d:0a0b0c0d-0000-4000-8000-000000000000').revision, base);
    assert.notEqual(resolveCommitment(`org/policy:99999999:${UUID}`).revision, base);
    assert.notEqual(resolveCommitment(`org/other:1a2b3c4d:${UUID}`).revision, base);
    const first = resolveCommitment(`org/policy:1a2b3c4d:e:${encryptDeploymentId(UUID, KEY.publicKey)}`, KEY.privateKey).revision;
    const second = resolveCommitment(`org/policy:1a2b3c4d:e:${encryptDeploymentId(UUID, KEY.publicKey)}`, KEY.privateKey).revision;
    assert.equal(first, second);
    assert.notEqual(resolveCommitment('https://a.example').revision, resolveCommitment('https://b.example').revision);
    for (const revision of [base, first]) assert.ok(!revision.includes(':'));
  });

  test('malformed commitments are refused with a reason', () => {
    rejectsWith('bad_form', '', /empty/);
    rejectsWith('bad_form', 'just-a-word', /parts/);
    rejectsWith('bad_form', 'a:b', /parts/);
    rejectsWith('bad_form', 'a:b:c:d:e', /parts/);
    rejectsWith('bad_form', 'org policy:1a2b3c4d:abc', /bad repo/);
    rejectsWith('bad_form', 'org/policy::abc', /bad revision/);
    rejectsWith('bad_form', 'org/policy:1a2b3c4d:not_a_label', /deployment id/);
    rejectsWith('bad_form', 'org/policy:1a2b3c4d:x:blob', /expected "e"/);
    rejectsWith('bad_form', 'org/policy:1a2b3c4d:e:', /without a blob/);
    rejectsWith('bad_form', 'org/policy:1a2b3c4d:e', /without a blob/);
    rejectsWith('bad_form', 'https://user:pw@host.example', /credentials/);
    rejectsWith('bad_form', 'http://', /URL/);
  });

  test('encrypted commitments fail clearly: bad base85, wrong length, wrong key, no key', () => {
    rejectsWith('bad_base85', 'org/policy:1a2b3c4d:e:abc"def');
    rejectsWith('wrong_length', 'org/policy:1a2b3c4d:e:0000000000');
    const other = parseBackendPrivateKey('33'.repeat(32), 'test');
    rejectsWith('decrypt_failed', `org/policy:1a2b3c4d:e:${encryptDeploymentId(UUID, other.publicKey)}`);
    assert.throws(
      () => resolveCommitment(`org/policy:1a2b3c4d:e:${encryptDeploymentId(UUID, KEY.publicKey)}`),
      (error: unknown) => error instanceof CommitmentError && error.code === 'no_key',
    );
  });
});
