import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { X25519_KEY_HEX_PATTERN } from '../config/constants.ts';

// DER prefixes that wrap a raw 32-byte X25519 key (RFC 8410), so node:crypto can import it.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** The backend's X25519 key pair, used to decrypt encrypted endpoint commitments. */
export interface BackendKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as 64 lowercase hex characters: what miners encrypt to. */
  readonly publicKeyHex: string;
}

/** A key that is not 64 hex characters, or a key file that cannot be read. Never contains the key. */
export class BackendKeyError extends Error {
  override readonly name = 'BackendKeyError';
}

/** Imports a raw 32-byte X25519 private key. */
export function x25519PrivateKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new BackendKeyError(`an X25519 private key is 32 bytes, got ${raw.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** Imports a raw 32-byte X25519 public key. */
export function x25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new BackendKeyError(`an X25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw 32 bytes of an X25519 public key. */
export function x25519PublicKeyToRaw(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519_PREFIX.length);
}

/** The raw 32 bytes of an X25519 private key. */
export function x25519PrivateKeyToRaw(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_X25519_PREFIX.length);
}

/**
 * Parses a public key given as 64 hex characters (what `crypto keygen` prints).
 * @param source names where the key came from, for the error message (e.g. "--public-key")
 */
export function parseX25519PublicKeyHex(hex: string, source: string): KeyObject {
  const text = hex.trim();
  if (!X25519_KEY_HEX_PATTERN.test(text))
    throw new BackendKeyError(`${source}: expected 64 hex characters (a raw X25519 public key), got ${text.length} characters`);
  return x25519PublicKeyFromRaw(Buffer.from(text, 'hex'));
}

/**
 * Parses the backend private key given as 64 hex characters (surrounding whitespace allowed).
 * @param source names where the key came from, for the error message (e.g. "EVALPOOL_BACKEND_PRIVATE_KEY")
 */
export function parseBackendPrivateKey(hex: string, source: string): BackendKey {
  const text = hex.trim();
  if (!X25519_KEY_HEX_PATTERN.test(text)) {
    throw new BackendKeyError(`${source}: expected 64 hex characters (a raw X25519 private key), got ${text.length} characters`);
  }
  const privateKey = x25519PrivateKeyFromRaw(Buffer.from(text, 'hex'));
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyHex: x25519PublicKeyToRaw(publicKey).toString('hex') };
}

/** Where the backend private key comes from: the value itself, or a file holding it. */
export type BackendKeySource = { readonly hex: string; readonly source?: string } | { readonly file: string };

/**
 * Loads and validates the backend private key (`EVALPOOL_BACKEND_PRIVATE_KEY` or
 * `EVALPOOL_BACKEND_PRIVATE_KEY_FILE`, resolved by the config module).
 */
export async function loadBackendPrivateKey(from: BackendKeySource): Promise<BackendKey> {
  if ('hex' in from) return parseBackendPrivateKey(from.hex, from.source ?? 'backend private key');
  let text: string;
  try {
    text = await readFile(from.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new BackendKeyError(`backend private key file ${from.file}: cannot read it (${code})`, { cause: error });
  }
  return parseBackendPrivateKey(text, `backend private key file ${from.file}`);
}
