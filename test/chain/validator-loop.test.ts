import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidatorLoop, type ValidatorLoopOptions } from '../../src/chain/validator-loop.ts';
import { parseLatestWeights, type LatestWeights } from '../../src/chain/weights-response.ts';
import { CommitRevealEnabledError, type PreparedWeights, type U16Weights } from '../../src/chain/weights-submitter.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { weightsBody } from './weights-server.ts';

function fakeSubmitter(failPrepare: (() => Error | undefined) = () => undefined) {
  const submitted: U16Weights[] = [];
  const prepared: U16Weights[] = [];
  return {
    submitted,
    prepared,
    submitter: {
      prepare: (weights: U16Weights) => {
        const error = failPrepare();
        if (error !== undefined) return Promise.reject(error);
        prepared.push(weights);
        return Promise.resolve({ uids: weights.uids, values: weights.values } as unknown as PreparedWeights);
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
    assert.deepEqual(submitted, [{ uids: [0, 1], values: [30_000, 35_535] }, { uids: [1], values: [65_535] }]);
    assert.equal(loop.lastBlock, 102);
    assert.ok(records.some((r) => r.msg === 'setting weights failed: retrying at the next poll' && r.err === 'backend down'));
  });

  test('a failed submission is retried at the next poll for the same block', async () => {
    let fail = true;
    const { submitter, prepared } = fakeSubmitter(() => (fail ? new Error('node busy') : undefined));
    const loop = new ValidatorLoop({ fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(5, [0], [65_535]))), submitter, logger: capturingLogger().logger });
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
      submitter, logger: capturingLogger().logger, dryRun: true, onPrepared: (_p, w) => seen.push(w.block_number),
    });
    assert.equal(await loop.poll(), 'dry_run');
    assert.deepEqual(submitted, []);
    assert.deepEqual(seen, [9]);
  });

  test('a fatal error (commit-reveal on) stops the loop and rejects done', async () => {
    const { submitter } = fakeSubmitter(() => new CommitRevealEnabledError('commit-reveal is on for netuid 1: plain set_weights would be refused'));
    const loop = new ValidatorLoop({ fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(1, [0], [65_535]))), submitter, logger: capturingLogger().logger, pollIntervalMs: 10 });
    loop.start();
    loop.start();
    await assert.rejects(loop.done, CommitRevealEnabledError);
    await loop.stop();
  });

  test('start polls periodically; stop is idempotent and ends it', async () => {
    let polls = 0;
    const { submitter } = fakeSubmitter();
    const loop = new ValidatorLoop({ fetchWeights: () => Promise.resolve(parseLatestWeights(weightsBody(++polls, [0], [65_535]))), submitter, logger: capturingLogger().logger, pollIntervalMs: 5 });
    loop.start();
    while (polls < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await loop.stop();
    await loop.stop();
    await loop.done;
    const after = polls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(polls, after);
  });
});
