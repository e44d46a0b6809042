import fc from 'fast-check';
import type { MinerEnvAggregate, ScoringInput } from '../../src/scoring/scoring-input.ts';
import type { ScoringParams } from '../../src/scoring/scoring-params.ts';
import { testScoringParams } from '../helpers/test-config.ts';

/** Random scoring inputs and parameters for the scoring property tests. */

// Mostly full coverage so that someone is usually eligible; some gaps and missing rows.
const aggregateArb = (uid: number, envId: string, listSize: number): fc.Arbitrary<MinerEnvAggregate | null> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(listSize) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: listSize }) }).chain((n) =>
    fc.oneof(
      fc.integer({ min: 0, max: n }).map((k) => ({ uid, envId, n, sum: k, sumSq: k })),
      // Fractional scores in [0, 1]: any sumSq between sum²/n and sum is reachable.
      fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([mean, t]) => {
        const sum = mean * n;
        const low = n === 0 ? 0 : (sum * sum) / n;
        return { uid, envId, n, sum, sumSq: low + t * (sum - low) };
      }),
      fc.constant(null),
    ),
  );

export const inputArb: fc.Arbitrary<ScoringInput> = fc
  .tuple(
    fc.uniqueArray(fc.record({ envId: fc.constantFrom('a', 'b', 'c', 'd', 'env-e'), listSize: fc.integer({ min: 1, max: 30 }) }), {
      selector: (e) => e.envId,
      minLength: 1,
      maxLength: 4,
    }),
    fc.uniqueArray(
      fc.record({ uid: fc.integer({ min: 0, max: 300 }), committedBlock: fc.integer({ min: 0, max: 4 }) }).map((m) => ({
        ...m,
        hotkey: `hk${m.uid}`,
        revision: 'r',
      })),
      { selector: (m) => m.uid, maxLength: 10 },
    ),
  )
  .chain(([envs, miners]) =>
    fc
      .tuple(...miners.flatMap((m) => envs.map((e) => aggregateArb(m.uid, e.envId, e.listSize))))
      .map((rows) => ({ envs, miners, aggregates: rows.filter((r): r is MinerEnvAggregate => r !== null) })),
  );

const defaultParams = testScoringParams();
export const paramsArb: fc.Arbitrary<ScoringParams> = fc
  .record({
    minCoverage: fc.constantFrom(0.5, 0.8, 1),
    temperature: fc.double({ min: 0.01, max: 20, noNaN: true }),
  })
  .map((p) => ({ ...defaultParams, ...p }));
