import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../../db/schema.ts';
import { effectiveSlots, getMinerSlots, pinSlots, setSchedulingPaused, SLOTS_PIN_MAX } from '../../db/tables/miner-slots.ts';
import { getLastSlotChanges, getSlotHistory } from '../../db/tables/slot-history.ts';
import { loadContext } from '../context.ts';
import { withExistingDatabase } from '../existing-database.ts';
import { formatTable } from '../format-table.ts';
import { formatTime } from '../format-time.ts';
import { runCommand } from '../run-command.ts';

const SlotsArgument = v.union([
  v.literal('auto'),
  v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.maxValue(SLOTS_PIN_MAX)),
]);

async function show(db: Kysely<Database>, hotkey: string | undefined): Promise<void> {
  const slots = await getMinerSlots(db);
  if (slots.size === 0) {
    console.log('no miner has slots yet (the scheduler gives a miner EVALPOOL_SLOTS_DEFAULT when it first sees it)');
    return;
  }
  const last = await getLastSlotChanges(db);
  const rows = [...slots.values()]
    .filter((r) => hotkey === undefined || r.hotkey === hotkey)
    .sort((a, b) => (a.hotkey < b.hotkey ? -1 : 1))
    .map((r) => {
      const change = last.get(r.hotkey);
      return [r.hotkey, effectiveSlots(r, r.slots), r.slots, r.pinned, r.scheduling_paused, change ? `${formatTime(change.created_at)} (${change.reason})` : formatTime(r.updated_at)];
    });
  if (hotkey !== undefined && rows.length === 0) {
    process.stderr.write(`evalpool: no slots for hotkey ${hotkey}\n`);
    process.exitCode = 1;
    return;
  }
  console.log(formatTable(['hotkey', 'slots', 'adjusted', 'pinned', 'paused', 'last change'], rows));
  if (hotkey === undefined) return;
  const history = await getSlotHistory(db, { hotkey, limit: 20 });
  console.log('\nchanges, newest first (last 20):');
  console.log(formatTable(['time', 'reason', 'from', 'to', 'health', 'samples'], history.map((h) => [formatTime(h.created_at), h.reason, h.old_slots, h.new_slots, h.health, h.samples]), { fractionDigits: 3 }));
}

/** `evalpool slots show [hotkey]`, `slots set <hotkey> <n|auto>`, `slots pause|resume <hotkey>`. */
export function register(program: Command): void {
  const slots = program.command('slots').description("inspect or pin miners' slots (tasks in flight per miner)");

  slots
    .command('show')
    .description('one line per miner: slots in effect, adjusted value, pin, paused, last change; with a hotkey also its history')
    .argument('[hotkey]', "a miner's hotkey")
    .action(async (hotkey: string | undefined) => {
      const context = loadContext();
      await runCommand(context.config, () => withExistingDatabase(context, (db) => show(db, hotkey)));
    });

  slots
    .command('set')
    .description('ops: pin a miner\'s slots to n (the adjuster leaves it alone; 0 stops its tasks), or "auto" to unpin')
    .argument('<hotkey>', "the miner's hotkey")
    .argument('<n|auto>', `slots from 0 to ${SLOTS_PIN_MAX}, or auto`)
    .action(async (hotkey: string, value: string) => {
      const parsed = v.safeParse(SlotsArgument, value.trim().toLowerCase());
      if (!parsed.success) program.error(`evalpool slots set: "${value}" must be an integer from 0 to ${SLOTS_PIN_MAX}, or auto`, { exitCode: 2 });
      const pin = parsed.output === 'auto' ? null : parsed.output;
      const context = loadContext();
      await runCommand(context.config, () =>
        withExistingDatabase(context, async (db) => {
          const result = await pinSlots(db, hotkey, pin);
          if (!result) {
            process.stderr.write(`evalpool: hotkey ${hotkey} has no slots; nothing to unpin\n`);
            process.exitCode = 1;
          } else if (pin === null) {
            console.log(`unpinned ${hotkey}: ${result.after} slots (its adjusted value), was ${result.before ?? '-'}`);
          } else {
            console.log(`pinned ${hotkey} to ${pin} slots, was ${result.before ?? '- (new hotkey)'}`);
          }
        }),
      );
    });

  for (const [name, paused] of [['pause', true], ['resume', false]] as const) {
    slots
      .command(name)
      .description(paused ? 'ops: stop creating tasks for a miner (its slots are kept)' : 'ops: create tasks for a paused miner again')
      .argument('<hotkey>', "the miner's hotkey")
      .action(async (hotkey: string) => {
        const context = loadContext();
        await runCommand(context.config, () =>
          withExistingDatabase(context, async (db) => {
            if ((await setSchedulingPaused(db, hotkey, paused)) !== undefined) console.log(`${paused ? 'paused' : 'resumed'} scheduling for ${hotkey}`);
            else {
              process.stderr.write(`evalpool: hotkey ${hotkey} has no slots yet\n`);
              process.exitCode = 1;
            }
          }),
        );
      });
  }
}
