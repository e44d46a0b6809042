import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { computeScores } from '../../src/scoring/compute-scores.ts';
import { explainScore } from '../../src/scoring/explain-score.ts';
import { subsetWinners } from '../../src/scoring/subset-winners.ts';
import { testScoringParams } from '../helpers/test-config.ts';
import { agg, miner } from './build-input.ts';
import { inputArb, paramsArb } from './scoring-arbitraries.ts';

const params = { ...testScoringParams(), minCoverage: 0.8 };

describe('explainScore: why a miner scores what it scores', () => {
  test('one env: the first holder, a later miner that does not exceed it, a later one that takes it', () => {
    const report = computeScores(
      {
        envs: [{ envId: 'reach', listSize: 100 }],
        miners: [miner(1, 10), miner(2, 20), miner(3, 30)],
        aggregates: [agg(1, 'reach', 70, 100), agg(2, 'reach', 72, 100), agg(3, 'reach', 95, 100)],
      },
      params,
    );
    const first = explainScore(report, 1)!;
    assert.equal(first.contests[0]!.outcome, 'taken');
    assert.equal(first.contests[0]!.rival!.uid, 3);
    assert.equal(first.contests[0]!.winnerUid, 3);
    assert.match(first.summary, /^Eligible, but wins none of the 1 env subset,.*reach: uid 3 \(committed later\) exceeded its threshold/);

    const copycat = explainScore(report, 2)!;
    assert.equal(copycat.contests[0]!.outcome, 'not-exceeded');
    assert.equal(copycat.contests[0]!.rival!.uid, 1, 'at its turn uid 1 held the env');
    assert.match(copycat.summary, /reach: 72\.0% does not exceed uid 1's threshold 7\d\.\d% \(committed at block 10\)/);

    const best = explainScore(report, 3)!;
    assert.equal(best.contests[0]!.outcome, 'holds');
    assert.equal(best.contests[0]!.rival, null);
    assert.match(best.summary, /^Eligible; wins 1 of 1 env subset \(1 point\), holding reach alone; weight /);
  });

  test('an ineligible miner is told which envs lack coverage and how many results are missing', () => {
    const report = computeScores(
      {
        envs: [
          { envId: 'a', listSize: 10 },
          { envId: 'b', listSize: 7 },
        ],
        miners: [miner(1, 1), miner(2, 2)],
        aggregates: [agg(1, 'a', 10, 10), agg(1, 'b', 7, 7), agg(2, 'a', 5, 8), agg(2, 'b', 1, 3)],
      },
      params,
    );
    const x = explainScore(report, 2)!;
    assert.equal(x.eligible, false);
    assert.deepEqual(x.contests, []);
    // a: 8 of 10 is 80%, enough; b: 3 of 7, and 6/7 is the first quotient at or above 0.8.
    assert.deepEqual(
      x.shortfalls.map((s) => [s.envId, s.n, s.missing]),
      [['b', 3, 3]],
    );
    assert.match(x.summary, /^Not eligible, so weight 0: coverage is below 80\.0% in b \(42\.9%, 3 more results needed\)/);
    assert.equal(explainScore(report, 99), undefined, 'a uid the pass did not score');
  });

  test('a pass that published nothing: no eligible miner, or no scored env; the last published weights stand, not "weight 0"', () => {
    const noneEligible = computeScores(
      { envs: [{ envId: 'a', listSize: 10 }], miners: [miner(1, 1)], aggregates: [agg(1, 'a', 2, 5)] },
      params,
    );
    const x = explainScore(noneEligible, 1)!;
    assert.equal(x.unpublished, noneEligible.reason!.message);
    assert.match(
      x.summary,
      /^Not eligible: coverage is below 80\.0% in a \(50\.0%, 3 more results needed\)\..* No miner is eligible, so this pass published no weights, so the last published weights stand\.$/,
    );
    assert.doesNotMatch(x.summary, /weight 0/);

    const noEnvs = computeScores({ envs: [], miners: [miner(1, 1)], aggregates: [] }, params);
    const y = explainScore(noEnvs, 1)!;
    assert.deepEqual([y.shortfalls, y.contests], [[], []]);
    assert.equal(
      y.summary,
      `Nothing to judge: ${noEnvs.reason!.message}; this pass published no weights, so the last published weights stand.`,
    );
  });

  test('a rate and a threshold that round alike get the digits that tell them apart', () => {
    // uid 2's 78.17% against uid 1's threshold 78.196%: "80.0% vs 80.0%" would read as a tie.
    const report = computeScores(
      {
        envs: [{ envId: 'a', listSize: 100_000 }],
        miners: [miner(1, 1), miner(2, 2)],
        aggregates: [agg(1, 'a', 78_000, 100_000), agg(2, 'a', 78_170, 100_000)],
      },
      { ...params, thresholdMinGap: 0, thresholdMaxGap: 0.1 },
    );
    const x = explainScore(report, 2)!;
    assert.equal(x.contests[0]!.outcome, 'not-exceeded');
    const [, rate, threshold] = /: ([\d.]+%) does not exceed uid 1's threshold ([\d.]+%)/.exec(x.summary)!;
    assert.deepEqual([rate, threshold], ['78.17%', '78.20%'], x.summary);
  });

  test('property: the replayed contest agrees with the scoring (winner of each single env, holds ⇒ points, missing results reach the bar)', () => {
    fc.assert(
      fc.property(inputArb, paramsArb, (input, p) => {
        const report = computeScores(input, p);
        const eligible = report.miners.filter((m) => m.eligible);
        const { wins } = subsetWinners(
          eligible.map((m) => ({
            uid: m.uid,
            committedBlock: m.committedBlock,
            successRates: m.envs.map((e) => e.successRate!),
            thresholds: m.envs.map((e) => e.threshold!),
          })),
          report.envs.length,
        );
        for (const m of report.miners) {
          const x = explainScore(report, m.uid)!;
          assert.equal(x.eligible, m.eligible);
          if (!m.eligible) {
            assert.ok(x.shortfalls.length > 0);
            for (const s of x.shortfalls) {
              assert.ok(s.missing > 0);
              assert.ok((s.n + s.missing) / s.listSize >= p.minCoverage, 'enough with the missing results');
              assert.ok((s.n + s.missing - 1) / s.listSize < p.minCoverage, 'and not one fewer');
            }
            continue;
          }
          assert.equal(x.contests.length, report.envs.length);
          x.contests.forEach((c, j) => {
            const single = wins.find((w) => w.envMask === 1 << j)!;
            assert.equal(c.winnerUid, single.winnerUid, `winner of ${c.envId}`);
            assert.equal(c.outcome === 'holds', c.winnerUid === m.uid);
            assert.equal(c.rival === null, c.outcome === 'holds');
          });
          if (x.contests.some((c) => c.outcome === 'holds')) assert.ok(m.points > 0, 'holding an env alone earns points');
        }
      }),
      { numRuns: 300 },
    );
  });
});
