import { httpFuzzScenario } from './http-fuzz.ts';
import { adminBurstScenario } from './live-scenarios.ts';

// `npm run test:faults`: a burst of concurrent admin actions (and a miner change) mid-run; fuzzed
// HTTP on every registered route of both serves mid-run.
adminBurstScenario('200 requests', { listSize: 16, requests: 200, seed: 14 });
httpFuzzScenario('1500 requests', { listSize: 8, runs: 1_500 });
