import type { Observation } from '../../../envs/policy-contract.ts';
import { hash32 } from '../../../envs/seeded-random.ts';

/**
 * A 32-bit hash of an observation's proprio vectors (keys in sorted order, every float's exact
 * bits). The episode's observations depend only on the seed and the actions, so randomness drawn
 * from this hash is reproducible per task, and needs no per-episode state on the server: several
 * episodes may run at once through one demo miner.
 */
export function observationHash(observation: Observation): number {
  const bits = new DataView(new ArrayBuffer(8));
  let h = 0x2545f491;
  let index = 0;
  for (const key of Object.keys(observation.proprio).sort()) {
    for (let i = 0; i < key.length; i++) h = hash32(h, key.charCodeAt(i), index++, 1);
    for (const value of observation.proprio[key]!) {
      bits.setFloat64(0, value);
      h = hash32(h, bits.getUint32(0), bits.getUint32(4), index++);
    }
  }
  return h;
}
