import { decimal, integer } from '../variable.ts';

/** Rolling weights. Fixed constants of the scheme live in `constants.ts`. */
export const scoring = {
  weightsIntervalSeconds: integer('EVALPOOL_WEIGHTS_INTERVAL_SECONDS', {
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Period of the rolling weight computation.',
  }),
  weightsRepublishBlocks: integer('EVALPOOL_WEIGHTS_REPUBLISH_BLOCKS', {
    default: 360,
    min: 1,
    max: 1_000_000,
    doc: 'Unchanged weights are published again (same weights, fresh block number) once the latest row is this many blocks old (default one tempo), so that validators that submit on a new block keep setting weights.',
  }),
  minCoverage: decimal('EVALPOOL_MIN_COVERAGE', {
    default: 0.8,
    min: 0,
    max: 1,
    exclusiveMin: true,
    doc: 'Share of the current sampling list a miner must have results for, in every scored env, to be eligible.',
  }),
  paretoTemperature: decimal('EVALPOOL_PARETO_TEMPERATURE', {
    default: 1,
    min: 0,
    max: 1_000,
    exclusiveMin: true,
    doc: 'Temperature T of softmax(points / T); lower concentrates weight on the leader.',
  }),
};
