import type { KeyObject } from 'node:crypto';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { Logger } from 'pino';
import { CHAIN_CALL_TIMEOUT_MS } from '../config/constants.ts';
import type { BlockClock } from './block-clock.ts';
import type { MinerSource } from './miner-source.ts';
import { StaticMinerSource } from './static-miner-source.ts';
import { wsProviderFactory } from './subtensor-connection.ts';
import { SubtensorMinerSource } from './subtensor-miner-source.ts';

/** Which miner source to run: a chain endpoint wins; without one, the static file. */
export type MinerSourceSettings =
  | { readonly kind: 'static'; readonly file: string; readonly clock?: BlockClock }
  | {
      readonly kind: 'subtensor';
      /** `EVALPOOL_CHAIN_ENDPOINT`, e.g. wss://entrypoint-finney.opentensor.ai:443 */
      readonly endpoint: string;
      /** `EVALPOOL_NETUID` */
      readonly netuid: number;
      readonly callTimeoutMs?: number;
      readonly connectTimeoutMs?: number;
      /** Replaces the WebSocket provider (tests). */
      readonly createProvider?: () => ProviderInterface;
    };

/** Builds the configured {@link MinerSource}. */
export function createMinerSource(
  settings: MinerSourceSettings,
  deps: { readonly logger: Logger; readonly backendKey?: KeyObject },
): MinerSource {
  const logger = deps.logger.child({ component: 'miner-source' });
  if (settings.kind === 'static')
    return new StaticMinerSource({ file: settings.file, logger, backendKey: deps.backendKey, clock: settings.clock });
  const callTimeoutMs = settings.callTimeoutMs ?? CHAIN_CALL_TIMEOUT_MS;
  return new SubtensorMinerSource({
    createProvider: settings.createProvider ?? wsProviderFactory(settings.endpoint, callTimeoutMs),
    label: settings.endpoint,
    netuid: settings.netuid,
    logger,
    backendKey: deps.backendKey,
    callTimeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
  });
}
