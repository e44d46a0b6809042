/**
 * Timelock encryption to a drand round, byte for byte as subtensor decrypts it: the `tle` crate
 * (ideal-lab5/timelock at the revision subtensor pins) with `TinyBLS381` (BLS12-381, signatures
 * in G1, public key in G2, hash to G1 with drand Quicknet's DST, "bls-unchained-g1-rfc9380") and
 * `AESGCMStreamCipherProvider`. The chain decrypts a commit with the beacon's signature of its
 * round (`tld`) once `Drand.Pulses` holds that round.
 *
 * Scheme (Boneh-Franklin FullIdent, then AES-256-GCM for the message):
 * - identity `Q = hash_to_G1(sha256(round as u64 big-endian))`, key `esk` (32 random bytes),
 *   `sigma` (32 random bytes), `r = sha256(sigma ‖ esk)` big-endian mod the group order;
 * - `U = r·G2`, `V = sigma ⊕ sha256(ser(e(Q, r·P)))`, `W = esk ⊕ sha256(sigma)`;
 * - body: `AES-256-GCM(esk, nonce, plaintext)` (tag appended), with a 12-byte nonce.
 *
 * Serialization is arkworks' `serialize_compressed` of `TLECiphertext { header: { u, v, w },
 * body, cipher_suite }`: G2 points compressed (96 bytes, the zcash/drand encoding), every
 * `Vec<u8>` as a u64 little-endian length and its bytes, the body being itself the serialized
 * `AESOutput { ciphertext, nonce }`; the pairing value (Fp12) as its twelve Fp coefficients in
 * tower order (c0.c0.c0, c0.c0.c1, c0.c1.c0, ...), each 48 bytes little-endian.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { errorMessage } from '../runtime/error-message.ts';

/** drand Quicknet: the beacon subtensor's Drand pallet ingests. */
export const QUICKNET = {
  /** G2 public key (compressed, hex). */
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  /** Unix time (s) of round 1. */
  genesisSeconds: 1_692_803_367,
  /** Seconds between rounds. */
  periodSeconds: 3,
} as const;

/** Domain separation tag of Quicknet's hash to G1 (RFC 9380). */
export const QUICKNET_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

const G1 = bls.G1.ProjectivePoint;
const G2 = bls.G2.ProjectivePoint;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;
type Fp12 = ReturnType<typeof bls.pairing>;

const CIPHER_SUITE = Buffer.from('AES_GCM_');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const G2_BYTES = 96;

/** A ciphertext that does not parse or does not decrypt. */
export class TimelockError extends Error {
  override readonly name = 'TimelockError';
}

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function xor32(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function fpLittleEndian(value: bigint): Buffer {
  const out = Buffer.alloc(48);
  let v = value;
  for (let i = 0; i < 48; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** arkworks' compressed serialization of an Fp12 element (no flags on extension fields). */
function serializeFp12(f: Fp12): Buffer {
  const parts: Buffer[] = [];
  for (const c6 of [f.c0, f.c1]) for (const c2 of [c6.c0, c6.c1, c6.c2]) parts.push(fpLittleEndian(c2.c0), fpLittleEndian(c2.c1));
  return Buffer.concat(parts);
}

/** H2 of the tle crate: sha256 of the serialized pairing value. */
function h2(f: Fp12): Buffer {
  return sha256(serializeFp12(f));
}

/** H3: sha256(a ‖ b) as a big-endian integer mod the group order. */
function h3(a: Uint8Array, b: Uint8Array): bigint {
  return BigInt(`0x${sha256(a, b).toString('hex')}`) % bls.fields.Fr.ORDER;
}

/** The round's identity point: what the beacon signs (drand Quicknet: sha256 of the round, u64 big-endian). */
export function roundIdentity(round: bigint): G1Point {
  const be = Buffer.alloc(8);
  be.writeBigUInt64BE(round);
  return G1.fromAffine(bls.G1.hashToCurve(sha256(be), { DST: QUICKNET_DST }).toAffine());
}

function u64le(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(BigInt(n));
  return out;
}

function vec(bytes: Uint8Array): Buffer {
  return Buffer.concat([u64le(bytes.length), bytes]);
}

/** Randomness of one encryption; injectable so that tests can pin it. */
export interface TimelockRandomness {
  readonly key: Uint8Array;
  readonly sigma: Uint8Array;
  readonly nonce: Uint8Array;
}

/**
 * Encrypts `plaintext` so that it can be decrypted with the beacon's signature of `round`;
 * `publicKeyHex` is the beacon's G2 public key (Quicknet's by default). Returns the serialized
 * `TLECiphertext` subtensor deserializes.
 */
export function timelockEncrypt(
  plaintext: Uint8Array,
  round: bigint,
  publicKeyHex: string = QUICKNET.publicKey,
  randomness: TimelockRandomness = { key: randomBytes(32), sigma: randomBytes(32), nonce: randomBytes(NONCE_BYTES) },
): Buffer {
  const { key, sigma, nonce } = randomness;
  if (key.length !== 32 || sigma.length !== 32 || nonce.length !== NONCE_BYTES)
    throw new RangeError('timelock: key and sigma must be 32 bytes, the nonce 12');
  const publicKey = G2.fromHex(publicKeyHex);
  const r = h3(sigma, key);
  const u = G2.BASE.multiply(r);
  const gid = bls.pairing(roundIdentity(round), publicKey.multiply(r));
  const v = xor32(sigma, h2(gid));
  const w = xor32(key, sha256(sigma));
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const body = Buffer.concat([vec(sealed), vec(nonce)]);
  return Buffer.concat([u.toRawBytes(true), vec(v), vec(w), vec(body), vec(CIPHER_SUITE)]);
}

/** Reads arkworks-serialized `Vec<u8>`s in order. */
class Reader {
  #offset = 0;
  constructor(readonly bytes: Buffer) {}
  take(n: number, what: string): Buffer {
    if (this.#offset + n > this.bytes.length) throw new TimelockError(`timelock ciphertext: truncated in ${what}`);
    const out = this.bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }
  vec(what: string): Buffer {
    const length = this.take(8, what).readBigUInt64LE();
    if (length > BigInt(this.bytes.length)) throw new TimelockError(`timelock ciphertext: ${what} claims ${length} bytes`);
    return this.take(Number(length), what);
  }
  get rest(): number {
    return this.bytes.length - this.#offset;
  }
}

/**
 * Decrypts a serialized `TLECiphertext` with the beacon signature (compressed G1, 48 bytes) of
 * its round, the way subtensor's `tld` does: recover `sigma` and the key from the pairing with
 * the signature, check `U = r·G2`, then open the AES-GCM body.
 */
export function timelockDecrypt(ciphertext: Uint8Array, signature: Uint8Array): Buffer {
  const reader = new Reader(Buffer.from(ciphertext));
  let u: G2Point;
  try {
    u = G2.fromHex(reader.take(G2_BYTES, 'U'));
  } catch (error) {
    if (error instanceof TimelockError) throw error;
    throw new TimelockError(`timelock ciphertext: U is not a G2 point (${errorMessage(error)})`);
  }
  const v = reader.vec('V');
  const w = reader.vec('W');
  const body = new Reader(reader.vec('body'));
  const suite = reader.vec('cipher suite');
  if (reader.rest !== 0) throw new TimelockError(`timelock ciphertext: ${reader.rest} trailing bytes`);
  if (v.length !== 32 || w.length !== 32) throw new TimelockError('timelock ciphertext: V and W must be 32 bytes');
  if (!suite.equals(CIPHER_SUITE))
    throw new TimelockError(`timelock ciphertext: cipher suite ${JSON.stringify(suite.toString('latin1'))}, not AES_GCM_`);
  const sig = G1.fromHex(signature);
  const sigma = xor32(v, h2(bls.pairing(sig, u)));
  const key = xor32(w, sha256(sigma));
  if (!G2.BASE.multiply(h3(sigma, key)).equals(u))
    throw new TimelockError('timelock: the signature does not open this ciphertext (wrong round or key)');
  const sealed = body.vec('AES ciphertext');
  const nonce = body.vec('nonce');
  if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) throw new TimelockError('timelock ciphertext: bad AES-GCM body');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new TimelockError('timelock: the AES-GCM body does not authenticate');
  }
}
