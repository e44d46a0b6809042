import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidatorLoop, type ValidatorLoopOptions } from '../../src/chain/validator-loop.ts';
import { type LatestWeights, parseLatestWeights } from '../../src/chain/weights-response.ts';
import { CommitRevealEnabledError, type PreparedWeights, type WeightsCadence } from '../../src/chain/weights-submitter.ts';
import type { U16Weights } from '../../src/db/schema.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { weightsBody } from './weights-server.ts';

/** A submitter whose chain is `chain`: the test moves its block by hand. */
function fakeSubmitter(failPrepare: () => Error | undefined = () => undefined) {
  const submitted: U16Weights[] = [];
  const prepared: U16Weights[] = [];
  const chain: { block: number; rateLimit: number; activityCutoff: number; lastUpdate: number | null } = {
    block: 1_000,
    rateLimit: 0,
    activityCutoff: 5_000,
    lastUpdate: null,
  };
  return {
    submitted,
    prepared,
    chain,
    submitter: {
      cadence: () => Promise.resolve({ ...chain } satisfies WeightsCadence),
      prepare: (weights: U16Weights) => {
        const error = failPrepare();
        if (error !== undefined) return Promise.reject(error);
        prepared.push(weights);
        return Promise.resolve({ uids: weights.uids, values: weights.values, block: chain.block } as unknown as PreparedWeights);
      },
      submit: (p: PreparedWeights) => {
        submitted.push({ uids: p.uids, values: p.values });
        return Promise.resolve('0xblock');
      },
    } satisfies ValidatorLoopOptions['submitter'],
  };
}

describe('validator loop', () => {
  test('submits when the backend block number increases, and only then', async () => {
    const answers: (LatestWeights | null | Error)[] = [
      null,
      parseLatestWeights(weightsBody(100, [0, 1], [30_000, 35_535])),
      parseLatestWeights(weightsBody(100, [0, 1], [30_000, 35_535])),
      new Error('backend down'),
      parseLatestWeights(weightsBody(99, [0], [65_535])),
      parseLatestWeights(weightsBody(101, [1], [65_535])),
      parseLatestWeights(weightsBody(102, [], [])),
    ];
    const { submitter, submitted } = fakeSubmitter();
    const { logger, lines: records } = capturingLogger();
    const loop = new ValidatorLoop({
      fetchWeights: () => {
        const next = answers.shift();
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next ?? null);
      },
      submitter,
      logger,
    });
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await loop.poll());
    assert.deepEqual(outcomes, ['no_weights', 'submitted', 'unchanged', 'failed', 'unchanged', 'submitted', 'empty']);
    assert.deepEqual(submitted, [
      { uids: [0, 1], values: [30_000, 35_535] },
      { uids: [1], values: [65_535] },
    ]);
    assert.equal(loop.lastBlock, 102);
    assert.ok(records.some((r) => r.msg === 'setting weights failed: retrying at the next poll' && r.err === 'backend down'));
  });

  test('with the same backend weights, sets them again every resubmitBlocks of the chain, never faster', async () => {
    const { submitter, submitted, chain } = fakeSubmitter();
    const weights = parseLatestWeights(weightsBody(100, [0, 1], [30_000, 35_535]));
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(weights),
      submitter,
      logger: capturingLogger().logger,
      resubmitBlocks: 100,
    });
    const seen: [number, string][] = [];
    // The chain moves 30 blocks between polls; no wall-clock time is involved.
    for (let poll = 0; poll < 12; poll++) {
      seen.push([chain.block, await loop.poll()]);
      chain.block += 30;
    }
    assert.deepEqual(
      seen.filter(([, o]) => o !== 'unchanged'),
      [
        [1_000, 'submitted'],
        [1_120, 'resubmitted'],
        [1_240, 'resubmitted'],
      ],
    );
    assert.equal(submitted.length, 3);
    assert.ok(submitted.every((w) => w.uids.join() === '0,1' && w.values.join() === '30000,35535'));
    assert.equal(loop.lastSetAt, 1_240);
  });

  test("the chain's WeightsSetRateLimit holds back new weights and resubmissions; LastUpdate counts after a restart", async () => {
    const { submitter, submitted, chain } = fakeSubmitter();
    let block = 100;
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(block, [0], [65_535]))),
      submitter,
      logger: capturingLogger().logger,
      resubmitBlocks: 10,
    });
    // A restart: the chain says this uid set weights at 990; the rate limit is 50 blocks.
    chain.lastUpdate = 990;
    chain.rateLimit = 50;
    assert.equal(await loop.poll(), 'rate_limited', 'new weights, but the chain would refuse them');
    chain.block = 1_040;
    assert.equal(await loop.poll(), 'submitted');
    block = 101;
    chain.block = 1_060;
    assert.equal(await loop.poll(), 'rate_limited', 'resubmitBlocks 10 < rate limit 50: the rate limit wins');
    chain.block = 1_090;
    assert.equal(await loop.poll(), 'submitted');
    chain.block = 1_139;
    assert.equal(await loop.poll(), 'rate_limited');
    chain.lastUpdate = 1_091; // included one block after signing
    chain.block = 1_140;
    assert.equal(await loop.poll(), 'rate_limited', "the chain's LastUpdate is later than the signing block: it counts");
    chain.block = 1_141;
    assert.equal(await loop.poll(), 'resubmitted');
    assert.equal(submitted.length, 3);
  });

  test('a cadence at or past the ActivityCutoff is warned about once', async () => {
    const { submitter, chain } = fakeSubmitter();
    chain.activityCutoff = 300;
    const { logger, lines } = capturingLogger();
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(1, [0], [65_535]))),
      submitter,
      logger,
      resubmitBlocks: 360,
    });
    await loop.poll();
    await loop.poll();
    assert.equal(lines.filter((l) => l.level === 40 && String(l.msg).includes('ActivityCutoff')).length, 1);
  });

  test('a failed submission is retried at the next poll for the same block', async () => {
    let fail = true;
    const { submitter, prepared } = fakeSubmitter(() => (fail ? new Error('node busy') : undefined));
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(5, [0], [65_535]))),
      submitter,
      logger: capturingLogger().logger,
    });
    assert.equal(await loop.poll(), 'failed');
    fail = false;
    assert.equal(await loop.poll(), 'submitted');
    assert.equal(prepared.length, 1);
  });

  test('dry run signs and hands the extrinsic over without submitting', async () => {
    const { submitter, submitted } = fakeSubmitter();
    const seen: number[] = [];
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(9, [2], [65_535]))),
      submitter,
      logger: capturingLogger().logger,
      dryRun: true,
      onPrepared: (_p, w) => seen.push(w.block_number),
    });
    assert.equal(await loop.poll(), 'dry_run');
    assert.deepEqual(submitted, []);
    assert.deepEqual(seen, [9]);
  });

  test('a fatal error (commit-reveal on) stops the loop and rejects done', async () => {
    const { submitter } = fakeSubmitter(
      () => new CommitRevealEnabledError('commit-reveal is on for netuid 1: plain set_weights would be refused'),
    );
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(1, [0], [65_535]))),
      submitter,
      logger: capturingLogger().logger,
      pollIntervalMs: 10,
    });
    loop.start();
    loop.start();
    await assert.rejects(loop.done, CommitRevealEnabledError);
    await loop.stop();
  });

  test('start polls periodically; stop is idempotent and ends it', async () => {
    let polls = 0;
    const { submitter } = fakeSubmitter();
    const loop = new ValidatorLoop({
      fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(++polls, [0], [65_535]))),
      submitter,
      logger: capturingLogger().logger,
      pollIntervalMs: 5,
    });
    loop.start();
    await waitFor('three polls', () => polls >= 3);
    await loop.stop();
    await loop.stop();
    await loop.done;
    const after = polls;
    // A window of several poll intervals in which nothing may happen: the absence is what is asserted.
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(polls, after);
  });
});
