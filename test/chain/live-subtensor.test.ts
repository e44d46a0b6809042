/**
 * Smoke test against a public subtensor node. Runs only with EVALPOOL_LIVE_CHAIN=1 (a test switch,
 * not configuration); it needs the internet, which CI and the project's machines do not have.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertSignableExtensions } from '../../src/chain/signed-extensions.ts';
import { SubtensorConnection, wsProviderFactory } from '../../src/chain/subtensor-connection.ts';
import { SubtensorMinerSource } from '../../src/chain/subtensor-miner-source.ts';
import { capturingLogger } from '../helpers/test-logger.ts';

const LIVE = process.env.EVALPOOL_LIVE_CHAIN === '1';
const ENDPOINT = 'wss://entrypoint-finney.opentensor.ai:443';
const NETUID = 1;

describe('live subtensor (finney)', { skip: LIVE ? false : 'set EVALPOOL_LIVE_CHAIN=1 to run the live chain smoke test' }, () => {
  test('reads the miners of a subnet and the best block', async (t) => {
    const source = new SubtensorMinerSource({
      createProvider: wsProviderFactory(ENDPOINT, 30_000),
      label: ENDPOINT,
      netuid: NETUID,
      logger: capturingLogger().logger,
      callTimeoutMs: 30_000,
      connectTimeoutMs: 60_000,
    });
    try {
      const snapshot = await source.refresh();
      assert.equal(snapshot.stale, undefined);
      assert.ok(snapshot.block > 5_000_000, `block ${snapshot.block}`);
      t.diagnostic(
        `finney netuid ${NETUID} at block ${snapshot.block}: ${snapshot.miners.length} miners, ${snapshot.excluded.length} excluded`,
      );
    } finally {
      await source.close();
    }
  });

  test('the live runtime can be signed for (its unknown signed extensions are empty)', async (t) => {
    const connection = new SubtensorConnection({
      createProvider: wsProviderFactory(ENDPOINT, 30_000),
      label: ENDPOINT,
      logger: capturingLogger().logger,
      connectTimeoutMs: 60_000,
    });
    try {
      t.diagnostic(`unknown, empty signed extensions: ${assertSignableExtensions((await connection.api()).registry).join(', ')}`);
    } finally {
      await connection.close();
    }
  });
});
