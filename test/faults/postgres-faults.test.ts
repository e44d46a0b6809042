import { postgresFaultScenario } from './postgres-faults.ts';

// The quick variant of the Postgres scenarios of the fault suite (test/faults/postgres.faults.ts), run by `npm test`.
postgresFaultScenario('quick', ['terminate', 'restart', 'terminate', 'stop', 'terminate'], { wave: 30, outageAnswers: 5 });
