import type { Config } from '../config/schema.ts';
import type { Logger } from '../runtime/logger.ts';
import { parseBackendPrivateKey } from './backend-key.ts';
import { createMinerSource } from './create-miner-source.ts';
import type { MinerSource } from './miner-source.ts';

/**
 * The miner source the configuration asks for: subtensor when `EVALPOOL_CHAIN_ENDPOINT` is set,
 * else the static file `EVALPOOL_MINERS_FILE`; with the backend key for encrypted commitments.
 */
export function minerSourceFromConfig(config: Pick<Config, 'chain'>, logger: Logger): MinerSource {
  const { chain } = config;
  const backendKey =
    chain.backendPrivateKey === undefined
      ? undefined
      : parseBackendPrivateKey(chain.backendPrivateKey, 'EVALPOOL_BACKEND_PRIVATE_KEY').privateKey;
  if (chain.endpoint !== undefined && chain.netuid !== undefined) {
    return createMinerSource(
      {
        kind: 'subtensor',
        endpoint: chain.endpoint,
        netuid: chain.netuid,
        callTimeoutMs: chain.timeoutMs,
        connectTimeoutMs: chain.connectTimeoutMs,
      },
      { logger, backendKey },
    );
  }
  return createMinerSource({ kind: 'static', file: chain.minersFile }, { logger, backendKey });
}
