import type { Config } from '../config/schema.ts';
import type { MinerClientsOptions } from './miner-clients.ts';

/**
 * Miner client and circuit breaker settings of a deployment (the `EVALPOOL_MINER_*`,
 * `EVALPOOL_ACTION_TIMEOUT_MS` and `EVALPOOL_CIRCUIT_*` variables).
 */
export function minerClientsOptions(config: Pick<Config, 'worker'>): Required<Pick<MinerClientsOptions, 'client' | 'breaker'>> {
  const w = config.worker;
  return {
    client: {
      connectTimeoutMs: w.minerConnectTimeoutMs,
      resetTimeoutMs: w.minerResetTimeoutMs,
      actionTimeoutMs: w.actionTimeoutMs,
      maxResponseBytes: w.minerMaxResponseBytes,
      maxConnections: w.minerMaxConnections,
    },
    breaker: { failureThreshold: w.circuitFailureThreshold, baseCooldownMs: w.circuitCooldownMs, maxCooldownMs: w.circuitMaxCooldownMs },
  };
}
