import { leaderKillScenario, restartAllScenario } from './live-scenarios.ts';

// `npm run test:faults`: the leader serve killed (-9) mid-run three times, the standby taking over
// each time; every process stopped (SIGTERM) mid-run and started again.
leaderKillScenario('3 rounds', { listSize: 40, rounds: 3 });
restartAllScenario('mid-run', { listSize: 24 });
