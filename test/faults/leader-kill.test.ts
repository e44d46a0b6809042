import { leaderKillScenario } from './live-scenarios.ts';

// The quick variant of the leader-kill scenario of the fault suite (test/faults/leader.faults.ts), run by `npm test`.
leaderKillScenario('quick', { listSize: 6, rounds: 1 });
