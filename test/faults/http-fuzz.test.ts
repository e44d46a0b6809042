import { httpFuzzScenario } from './http-fuzz.ts';

// The quick variant of the fuzzed-HTTP scenario of the fault suite (test/faults/api.faults.ts), run by `npm test`.
httpFuzzScenario('quick', { listSize: 4, runs: 150 });
