import { workerGoneScenario, workerKilledScenario } from './env-containers.ts';

// The quick variant of the env-container scenarios of the fault suite (env-containers.faults.ts), run by `npm test`.
workerKilledScenario('quick', { rounds: 1, wave: 4 });
workerGoneScenario('quick', { rounds: 1, wave: 4 });
