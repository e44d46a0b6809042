import { randomBytes } from 'node:crypto';

/** `prefix` and ten random hex digits: names of databases, key prefixes and tokens that no other run uses. */
export function randomName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}
