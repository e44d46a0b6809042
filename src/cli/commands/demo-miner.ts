import type { Command } from 'commander';
import { DEMO_MINER_PORT } from '../../config/constants.ts';
import { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS } from '../../demo/miners/misbehaviour-modes.ts';
import { POLICY_KINDS } from '../../demo/miners/policies/policy.ts';

/** `evalpool demo-miner`: a miner policy endpoint for the built-in envs, to try the system end to end. */
export function register(program: Command): void {
  program
    .command('demo-miner')
    .description('serve a demo miner policy for the built-in environments (expert, noisy or random), optionally misbehaving')
    .option('--policy <kind>', `policy: ${POLICY_KINDS.join(' | ')}`, 'expert')
    .option('--port <n>', 'port to listen on (0 picks a free one)', String(DEMO_MINER_PORT))
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--misbehave <mode>', `misbehaviour: ${MISBEHAVIOUR_MODES.join(' | ')}`, 'none')
    .option('--misbehave-on <route>', `where to misbehave: ${MISBEHAVIOUR_TARGETS.join(' | ')}`, 'all')
    .option('--delay-ms <n>', 'delay of the slow misbehaviour', '1000')
    .action(async (raw: Record<string, unknown>, command: Command) => (await import('./demo-miner-action.ts')).demoMiner(raw, command));
}
