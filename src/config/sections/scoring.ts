import { decimal, integer } from '../variable.ts';

/** Rolling weights. Fixed constants of the scheme live in `constants.ts`. */
export const scoring = {
  weightsIntervalSeconds: integer('EVALPOOL_WEIGHTS_INTERVAL_SECONDS', {
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Period of the rolling weight computation.',
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
