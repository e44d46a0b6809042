import type { Command } from 'commander';
import { jsonFlag, type OutputOptions, outputFlags } from '../output.ts';

/** `evalpool slots show [hotkey]`, `slots set <hotkey> <n|auto>`, `slots pause|resume <hotkey>`. */
export function register(program: Command): void {
  const slots = program.command('slots').description("inspect or pin miners' slots (tasks in flight per miner)");
  const actions = () => import('./slots-actions.ts');

  outputFlags(slots.command('show'))
    .description('one line per miner: slots in effect, adjusted value, pin, paused, last change; with a hotkey also its history')
    .argument('[hotkey]', "a miner's hotkey")
    .action(async (hotkey: string | undefined, options: OutputOptions) => (await actions()).slotsShow(hotkey, options));

  jsonFlag(slots.command('set'), 'a sentence')
    .description('ops: pin a miner\'s slots to n (the adjuster leaves it alone; 0 stops its tasks), or "auto" to unpin')
    .argument('<hotkey>', "the miner's hotkey (one the scheduler has seen, unless --new)")
    .argument('<n|auto>', 'slots from 0 to 10000, or auto')
    .option('--new', 'pin a hotkey the scheduler has not seen yet (e.g. before it registers)')
    .action(async (hotkey: string, value: string, options: OutputOptions & { new?: boolean }) =>
      (await actions()).slotsSet(program, hotkey, value, options),
    );

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    jsonFlag(slots.command(name), 'a sentence')
      .description(paused ? 'ops: stop creating tasks for a miner (its slots are kept)' : 'ops: create tasks for a paused miner again')
      .argument('<hotkey>', "the miner's hotkey")
      .action(async (hotkey: string, options: OutputOptions) => (await actions()).slotsPause(hotkey, paused, options));
  }
}
