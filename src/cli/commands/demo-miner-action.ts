import type { Command } from 'commander';
import * as v from 'valibot';
import { startDemoMiner } from '../../demo/miners/demo-miner.ts';
import { MISBEHAVIOUR_MODES, MISBEHAVIOUR_TARGETS } from '../../demo/miners/misbehaviour-modes.ts';
import { POLICY_KINDS } from '../../demo/miners/policies/policy.ts';
import { parseOptions, wholeNumber } from '../parse-options.ts';

const DemoMinerOptionsSchema = v.object({
  policy: v.picklist(POLICY_KINDS, `must be one of ${POLICY_KINDS.join(', ')}`),
  port: wholeNumber(0, 65_535),
  host: v.pipe(v.string(), v.minLength(1)),
  misbehave: v.picklist(MISBEHAVIOUR_MODES, `must be one of ${MISBEHAVIOUR_MODES.join(', ')}`),
  misbehaveOn: v.picklist(MISBEHAVIOUR_TARGETS, `must be one of ${MISBEHAVIOUR_TARGETS.join(', ')}`),
  delayMs: wholeNumber(0, 600_000),
});

/** The body of `evalpool demo-miner` (loaded when it runs: see main.ts). */
export async function demoMiner(raw: Record<string, unknown>, command: Command): Promise<void> {
  const options = parseOptions(DemoMinerOptionsSchema, raw, command);
  const miner = await startDemoMiner({
    policy: options.policy,
    port: options.port,
    host: options.host,
    misbehaviour: { mode: options.misbehave, on: options.misbehaveOn, delayMs: options.delayMs },
  });
  process.stdout.write(
    `demo miner (${options.policy}${options.misbehave === 'none' ? '' : `, misbehaving: ${options.misbehave}`}) listening on ${miner.url}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await miner.close();
}
