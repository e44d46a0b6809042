import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  BackendKeyError,
  loadBackendPrivateKey,
  parseBackendPrivateKey,
  parseX25519PublicKeyHex,
  x25519PrivateKeyFromRaw,
} from '../../src/chain/backend-key.ts';
import { b85decode, b85encode } from '../../src/chain/base85.ts';
import { CommitmentError, type CommitmentErrorCode } from '../../src/chain/commitment-error.ts';
import { decryptDeploymentId, ENCRYPTED_BLOB_BYTES, encryptDeploymentId } from '../../src/chain/endpoint-crypto.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';

const BACKEND = parseBackendPrivateKey('11'.repeat(32), 'test');
const OTHER = parseBackendPrivateKey('33'.repeat(32), 'test');
const UUID = '95edf2b6-e18b-400a-8398-5573df10e5e4';
// Made independently with Python's `cryptography` (X25519, ChaCha20Poly1305, base64.b85encode):
// backend private key 11…11, ephemeral private key 22…22, the UUID above.
const PYTHON_BLOB = '52|QR(uilde@bdC?p^rKmri!K0ggW+p~TN7cvlY~`@o3W={LHk+^39adllMiTxvZAkQ3UPy!DpRq-TvB';

function rejectsWith(code: CommitmentErrorCode, fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => error instanceof CommitmentError && error.code === code);
}

describe('endpoint crypto', () => {
  test('the public key of a known private key', () => {
    assert.equal(BACKEND.publicKeyHex, '7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13');
  });

  test('round trip: what is encrypted to the public key decrypts with the private key', () => {
    for (let i = 0; i < 20; i++) {
      const uuid = randomUUID();
      const blob = encryptDeploymentId(uuid, parseX25519PublicKeyHex(BACKEND.publicKeyHex, 'test'));
      assert.equal(blob.length, 80);
      assert.equal(decryptDeploymentId(blob, BACKEND.privateKey), uuid);
    }
  });

  test('upper-case UUIDs come back in canonical lower case', () => {
    assert.equal(decryptDeploymentId(encryptDeploymentId(UUID.toUpperCase(), BACKEND.publicKey), BACKEND.privateKey), UUID);
  });

  test('matches a blob made by an independent implementation', () => {
    const ephemeral = x25519PrivateKeyFromRaw(Buffer.from('22'.repeat(32), 'hex'));
    assert.equal(encryptDeploymentId(UUID, BACKEND.publicKey, { ephemeralPrivateKey: ephemeral }), PYTHON_BLOB);
    assert.equal(decryptDeploymentId(PYTHON_BLOB, BACKEND.privateKey), UUID);
  });

  test('every flipped bit (ephemeral key, ciphertext or tag) is detected', () => {
    const bytes = b85decode(encryptDeploymentId(UUID, BACKEND.publicKey));
    for (let i = 0; i < ENCRYPTED_BLOB_BYTES; i++) {
      const tampered = Uint8Array.from(bytes);
      tampered[i]! ^= 0x01;
      rejectsWith('decrypt_failed', () => decryptDeploymentId(b85encode(tampered), BACKEND.privateKey));
    }
  });

  test('a blob for another backend key is refused', () => {
    rejectsWith('decrypt_failed', () => decryptDeploymentId(encryptDeploymentId(UUID, OTHER.publicKey), BACKEND.privateKey));
  });

  test('a blob of the wrong length is refused', () => {
    const bytes = b85decode(encryptDeploymentId(UUID, BACKEND.publicKey));
    rejectsWith('wrong_length', () => decryptDeploymentId(b85encode(bytes.subarray(0, 63)), BACKEND.privateKey));
    rejectsWith('wrong_length', () => decryptDeploymentId(b85encode(new Uint8Array([...bytes, 0])), BACKEND.privateKey));
    // The 76-byte layout with a random nonce inside the blob is not this format.
    rejectsWith('wrong_length', () => decryptDeploymentId(b85encode(new Uint8Array(76)), BACKEND.privateKey));
  });

  test('bad base85 is refused', () => {
    rejectsWith('bad_base85', () => decryptDeploymentId(PYTHON_BLOB.slice(0, 40) + '"' + PYTHON_BLOB.slice(41), BACKEND.privateKey));
    rejectsWith('bad_base85', () => decryptDeploymentId('~'.repeat(80), BACKEND.privateKey));
  });

  test('a low-order ephemeral key is refused, not thrown raw', () => {
    rejectsWith('decrypt_failed', () => decryptDeploymentId(b85encode(new Uint8Array(64)), BACKEND.privateKey));
  });

  test('only UUIDs are encrypted', () => {
    rejectsWith('bad_form', () => encryptDeploymentId('not-a-uuid', BACKEND.publicKey));
    rejectsWith('bad_form', () => encryptDeploymentId(UUID.replaceAll('-', ''), BACKEND.publicKey));
  });
});

describe('backend key', () => {
  test('accepts 64 hex characters with surrounding whitespace, refuses anything else and names the source', () => {
    assert.equal(parseBackendPrivateKey(`  ${'11'.repeat(32)}\n`, 'x').publicKeyHex, BACKEND.publicKeyHex);
    for (const bad of ['', '11'.repeat(31), '11'.repeat(33), 'zz'.repeat(32), `0x${'11'.repeat(32)}`]) {
      assert.throws(
        () => parseBackendPrivateKey(bad, 'EVALPOOL_BACKEND_PRIVATE_KEY'),
        (error: unknown) =>
          error instanceof BackendKeyError &&
          error.message.startsWith('EVALPOOL_BACKEND_PRIVATE_KEY: expected 64 hex characters') &&
          !error.message.includes('11'.repeat(8)),
      );
    }
  });

  test('loads from a value or a file, and names an unreadable file', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'backend.key');
      await writeFile(file, `${'11'.repeat(32)}\n`, { mode: 0o600 });
      assert.equal((await loadBackendPrivateKey({ file })).publicKeyHex, BACKEND.publicKeyHex);
      assert.equal((await loadBackendPrivateKey({ hex: '11'.repeat(32) })).publicKeyHex, BACKEND.publicKeyHex);
      await assert.rejects(
        loadBackendPrivateKey({ file: path.join(dir, 'missing') }),
        /backend private key file .*missing: cannot read it \(ENOENT\)/,
      );
      await writeFile(file, 'short');
      await assert.rejects(loadBackendPrivateKey({ file }), /backend private key file .*backend\.key: expected 64 hex characters/);
    });
  });
});
