import { SLOTS_MAX_DEFAULT } from '../constants.ts';
import { decimal, integer } from '../variable.ts';

/** Per-miner slots: how many tasks of one miner may be in flight (pending + assigned). */
export const slots = {
  default: integer('EVALPOOL_SLOTS_DEFAULT', { default: 4, min: 1, max: 10_000, doc: 'Slots of a miner seen for the first time.' }),
  min: integer('EVALPOOL_SLOTS_MIN', { default: 1, min: 1, max: 10_000, doc: 'Fewest slots the adjuster gives a miner.' }),
  max: integer('EVALPOOL_SLOTS_MAX', { default: SLOTS_MAX_DEFAULT, min: 1, max: 10_000, doc: 'Most slots the adjuster gives a miner.' }),
  adjustIntervalSeconds: integer('EVALPOOL_SLOTS_ADJUST_INTERVAL_SECONDS', {
    default: 300,
    min: 1,
    max: 86_400,
    doc: 'Period of the slot adjustment from the last hour of attempts.',
  }),
  minSamples: integer('EVALPOOL_SLOTS_MIN_SAMPLES', {
    default: 20,
    min: 1,
    max: 1_000_000,
    doc: 'Attempts in the last hour a miner needs before its slots change.',
  }),
  maxEnvShare: decimal('EVALPOOL_MAX_ENV_SHARE', {
    default: 0.5,
    min: 0,
    max: 1,
    exclusiveMin: true,
    doc: "Largest share of a miner's slots one environment may hold (at least one slot).",
  }),
};
