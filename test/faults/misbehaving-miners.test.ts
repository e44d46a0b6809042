import { misbehavingMinersScenario } from './misbehaving-miners.ts';

// The quick variant of the misbehaving-miners scenario of the fault suite (misbehaving-miners.faults.ts), run by `npm test`.
misbehavingMinersScenario('quick', {
  listSize: 4,
  honest: 1,
  kinds: ['hang', 'garbage', 'slow-over'],
  serves: 1,
  workers: 1,
  concurrency: 3,
});
