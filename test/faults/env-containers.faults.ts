import { containerKilledScenario, workerKilledScenario } from './env-containers.ts';

// `npm run test:faults`: env containers killed by the engine mid-episode, round after round; a
// worker killed (-9) while its env containers ran, round after round, a new worker each time.
containerKilledScenario('3 rounds', { rounds: 3, wave: 6 });
workerKilledScenario('3 rounds', { rounds: 3, wave: 6 });
