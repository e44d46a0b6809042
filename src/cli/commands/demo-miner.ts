import type { Command } from 'commander';
import * as v from 'valibot';
import { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS } from '../../miners/demo/misbehaviour.ts';
import { startDemoMiner } from '../../miners/demo/demo-miner.ts';
import { POLICY_KINDS } from '../../miners/demo/policies/policy.ts';
import { parseOptions, wholeNumber } from '../parse-options.ts';
import { DEMO_MINER_PORT } from '../../config/constants.ts';

const DemoMinerOptionsSchema = v.object({
  policy: v.picklist(POLICY_KINDS, `must be one of ${POLICY_KINDS.join(', ')}`),
  port: wholeNumber(0, 65_535),
  host: v.pipe(v.string(), v.minLength(1)),
  misbehave: v.picklist(MISBEHAVIOUR_MODES, `must be one of ${MISBEHAVIOUR_MODES.join(', ')}`),
  misbehaveOn: v.picklist(MISBEHAVIOUR_TARGETS, `must be one of ${MISBEHAVIOUR_TARGETS.join(', ')}`),
  delayMs: wholeNumber(0, 600_000),
});

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
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const options = parseOptions(DemoMinerOptionsSchema, raw, command);
      const miner = await startDemoMiner({
        policy: options.policy,
        port: options.port,
        host: options.host,
        misbehaviour: { mode: options.misbehave, on: options.misbehaveOn, delayMs: options.delayMs },
      });
      process.stdout.write(`demo miner (${options.policy}${options.misbehave === 'none' ? '' : `, misbehaving: ${options.misbehave}`}) listening on ${miner.url}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await miner.close();
    });
}
