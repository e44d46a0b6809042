/**
 * Encrypted endpoint commitments: a miner hides its deployment id from everyone but the backend.
 *
 * blob = ephemeral X25519 public key (32 bytes) ‖ ChaCha20-Poly1305(deployment UUID, 16 bytes) ‖ tag (16 bytes)
 * key   = the raw X25519 shared secret between the ephemeral key and the backend key
 * nonce = SHA-256(ephemeral public key)[0..12]
 * The blob travels as base85 (Python `b85encode` alphabet): 64 bytes → 80 characters.
 * A fresh ephemeral key per blob makes the derived nonce unique per key.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { errorMessage } from '../runtime/error-message.ts';
import { x25519PublicKeyFromRaw, x25519PublicKeyToRaw } from './backend-key.ts';
import { Base85Error, b85decode, b85encode } from './base85.ts';
import { CommitmentError } from './commitment-error.ts';

const EPHEMERAL_KEY_BYTES = 32;
const UUID_BYTES = 16;
const TAG_BYTES = 16;
/** Size of a decoded blob in bytes. */
export const ENCRYPTED_BLOB_BYTES = EPHEMERAL_KEY_BYTES + UUID_BYTES + TAG_BYTES;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses a UUID in its canonical 8-4-4-4-12 form (any case) into 16 bytes. */
function uuidToBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) throw new CommitmentError('bad_form', `not a UUID (8-4-4-4-12 hex digits): ${JSON.stringify(uuid)}`);
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** Formats 16 bytes as a lowercase canonical UUID. */
function bytesToUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function nonceFor(ephemeralPublic: Uint8Array): Buffer {
  return createHash('sha256').update(ephemeralPublic).digest().subarray(0, 12);
}

function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  try {
    return diffieHellman({ privateKey, publicKey });
  } catch (error) {
    // OpenSSL refuses low-order points (an all-zero secret): treat like any other bad blob.
    throw new CommitmentError('decrypt_failed', `key agreement failed: ${errorMessage(error)}`);
  }
}

/** Options for {@link encryptDeploymentId}; `ephemeralPrivateKey` exists for reproducible tests only. */
export interface EncryptOptions {
  readonly ephemeralPrivateKey?: KeyObject;
}

/** Encrypts a deployment UUID to the backend's public key; returns the base85 blob (80 characters). */
export function encryptDeploymentId(deploymentId: string, backendPublicKey: KeyObject, options: EncryptOptions = {}): string {
  const plaintext = uuidToBytes(deploymentId);
  const ephemeralPrivate = options.ephemeralPrivateKey ?? generateKeyPairSync('x25519').privateKey;
  const ephemeralPublic = x25519PublicKeyToRaw(createPublicKey(ephemeralPrivate));
  const key = sharedSecret(ephemeralPrivate, backendPublicKey);
  const cipher = createCipheriv('chacha20-poly1305', key, nonceFor(ephemeralPublic), { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return b85encode(Buffer.concat([ephemeralPublic, ciphertext, cipher.getAuthTag()]));
}

/**
 * Decrypts a base85 blob with the backend's private key and returns the deployment UUID
 * (lowercase, canonical form). Throws {@link CommitmentError} with code `bad_base85`,
 * `wrong_length` or `decrypt_failed`.
 */
export function decryptDeploymentId(blob: string, backendPrivateKey: KeyObject): string {
  let bytes: Uint8Array;
  try {
    bytes = b85decode(blob);
  } catch (error) {
    if (error instanceof Base85Error) throw new CommitmentError('bad_base85', `encrypted blob: ${error.message}`);
    throw error;
  }
  if (bytes.length !== ENCRYPTED_BLOB_BYTES) {
    throw new CommitmentError('wrong_length', `encrypted blob: expected ${ENCRYPTED_BLOB_BYTES} bytes, got ${bytes.length}`);
  }
  const ephemeralPublic = bytes.subarray(0, EPHEMERAL_KEY_BYTES);
  const ciphertext = bytes.subarray(EPHEMERAL_KEY_BYTES, EPHEMERAL_KEY_BYTES + UUID_BYTES);
  const tag = bytes.subarray(EPHEMERAL_KEY_BYTES + UUID_BYTES);
  const key = sharedSecret(backendPrivateKey, x25519PublicKeyFromRaw(ephemeralPublic));
  const decipher = createDecipheriv('chacha20-poly1305', key, nonceFor(ephemeralPublic), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return bytesToUuid(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    throw new CommitmentError('decrypt_failed', 'encrypted blob: authentication failed (tampered, or encrypted for another backend key)');
  }
}
