import { containerKilledScenario, workerGoneScenario, workerKilledScenario } from './env-containers.ts';

// `npm run test:faults`: env containers killed by the engine mid-episode, round after round; a
// worker killed (-9) while its env containers ran, round after round, a new worker each time; a
// worker killed and never replaced, round after round, its containers swept by a surviving one.
containerKilledScenario('3 rounds', { rounds: 3, wave: 6 });
workerKilledScenario('3 rounds', { rounds: 3, wave: 6 });
workerGoneScenario('3 rounds', { rounds: 3, wave: 6 });
