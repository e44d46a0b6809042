import type { Redis } from 'ioredis';
import { poolKeys } from './pool-keys.ts';

/**
 * Open circuit breakers, shared between the workers (which publish them) and the scheduler
 * (which skips those miners): one key per miner, `${prefix}:circuit:${hotkey}`, holding the
 * time the circuit may half-open (ms since epoch) and expiring at that time, so that a key
 * exists exactly while the miner's circuit is open.
 */
export function circuitKey(prefix: string, hotkey: string): string {
  return poolKeys(prefix).circuit(hotkey);
}

/**
 * Publishes a miner's circuit state: open until `openUntilMs` (the key lives for the remaining
 * cool-down), or closed when that time is not in the future (the key is deleted). A later
 * publication replaces an earlier one.
 */
export async function publishCircuitState(
  redis: Redis,
  prefix: string,
  hotkey: string,
  openUntilMs: number,
  now: number = Date.now(),
): Promise<void> {
  const remaining = Math.ceil(openUntilMs - now);
  const key = circuitKey(prefix, hotkey);
  if (Number.isFinite(remaining) && remaining > 0) await redis.set(key, String(Math.ceil(openUntilMs)), 'PX', remaining);
  else await redis.del(key);
}

/** Which of `hotkeys` have an open circuit, and until when (one round trip). */
export async function readOpenCircuits(redis: Redis, prefix: string, hotkeys: readonly string[]): Promise<Map<string, number>> {
  const open = new Map<string, number>();
  if (hotkeys.length === 0) return open;
  const values = await redis.mget(hotkeys.map((h) => circuitKey(prefix, h)));
  hotkeys.forEach((hotkey, i) => {
    const until = Number(values[i]);
    if (values[i] !== null && Number.isFinite(until)) open.set(hotkey, until);
  });
  return open;
}
