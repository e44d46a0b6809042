import { misbehavingMinersScenario } from './misbehaving-miners.ts';

// `npm run test:faults`: two honest miners beside every misbehaviour (hang, garbage, huge, wrong
// shape, slow under and over the action timeout, two that decline tasks after seeing them) and a
// miner killed mid-episode and restarted, on two `serve` and two workers.
misbehavingMinersScenario('full', {
  listSize: 8,
  honest: 2,
  kinds: ['hang', 'garbage', 'huge', 'wrong-length', 'slow-under', 'slow-over', 'selective-500', 'selective-drop'],
  serves: 2,
  workers: 2,
  concurrency: 3,
});
