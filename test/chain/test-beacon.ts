/**
 * A drand-like beacon of our own for offline tests: the Quicknet scheme (BLS12-381, signatures
 * in G1 on sha256(round), public key in G2, "bls-unchained-g1-rfc9380") with a key pair we hold,
 * so a test can sign any round. Encryption takes its public key as a parameter, like Quicknet's.
 */
import { createHash } from 'node:crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { roundIdentity } from '../../src/chain/timelock.ts';

export interface TestBeacon {
  /** Compressed G2 public key, hex. */
  readonly publicKey: string;
  /** The beacon's signature of `round` (compressed G1, 48 bytes). */
  sign(round: bigint): Buffer;
}

export function testBeacon(seed = 'evalpool test beacon'): TestBeacon {
  const secret = bls.fields.Fr.create(BigInt(`0x${createHash('sha256').update(seed).digest('hex')}`));
  return {
    publicKey: bls.G2.ProjectivePoint.BASE.multiply(secret).toHex(true),
    sign: (round) => Buffer.from(roundIdentity(round).multiply(secret).toRawBytes(true)),
  };
}
