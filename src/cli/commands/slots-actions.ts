import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../../db/schema.ts';
import { effectiveSlots, getMinerSlots, pinSlots, SLOTS_PIN_MAX, setSchedulingPaused } from '../../db/tables/miner-slots.ts';
import { isKnownHotkey } from '../../db/tables/miners.ts';
import { getLastSlotChanges, getSlotHistory } from '../../db/tables/slot-history.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { CommandInputError } from '../command-input-error.ts';
import { loadPrintingContext } from '../context.ts';
import { withExistingDatabase } from '../existing-database.ts';
import { type OutputOptions, printJson, rowsAsJson } from '../output.ts';
import { runCommand } from '../run-command.ts';

const SlotsArgument = v.union([v.literal('auto'), v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.maxValue(SLOTS_PIN_MAX))]);

const HEADERS = ['hotkey', 'slots', 'adjusted', 'pinned', 'paused', 'last_change', 'reason'];
const HISTORY_HEADERS = ['time', 'reason', 'from', 'to', 'health', 'samples'];
const HISTORY_LIMIT = 20;

async function show(db: Kysely<Database>, hotkey: string | undefined, options: OutputOptions): Promise<void> {
  const slots = await getMinerSlots(db);
  if (slots.size === 0 && hotkey === undefined) {
    if (options.json) printJson([]);
    else console.log('no miner has slots yet (the scheduler gives a miner EVALPOOL_SLOTS_DEFAULT when it first sees it)');
    return;
  }
  const last = await getLastSlotChanges(db);
  const rows = [...slots.values()]
    .filter((r) => hotkey === undefined || r.hotkey === hotkey)
    .sort((a, b) => (a.hotkey < b.hotkey ? -1 : 1))
    .map((r) => {
      const change = last.get(r.hotkey);
      return [
        r.hotkey,
        effectiveSlots(r, r.slots),
        r.slots,
        r.pinned,
        r.scheduling_paused,
        change?.created_at ?? r.updated_at,
        change?.reason,
      ];
    });
  if (hotkey !== undefined && rows.length === 0)
    throw new CommandInputError(`no slots for hotkey ${hotkey} (\`evalpool slots show\` lists the hotkeys that have some)`);
  const history = hotkey === undefined ? undefined : await getSlotHistory(db, { hotkey, limit: HISTORY_LIMIT });
  const historyRows = (history ?? []).map((h) => [h.created_at, h.reason, h.old_slots, h.new_slots, h.health, h.samples]);
  if (options.json) {
    const miners = rowsAsJson(HEADERS, rows);
    printJson(history === undefined ? miners : { ...miners[0], history: rowsAsJson(HISTORY_HEADERS, historyRows) });
    return;
  }
  console.log(formatTable(HEADERS, rows, { wide: options.wide }));
  if (history === undefined) return;
  console.log(`\nchanges, newest first (last ${HISTORY_LIMIT}):`);
  console.log(formatTable(HISTORY_HEADERS, historyRows, { fractionDigits: 3, wide: options.wide }));
}

/** `slots show` (loaded when it runs: see main.ts). */
export async function slotsShow(hotkey: string | undefined, options: OutputOptions): Promise<void> {
  const context = loadPrintingContext();
  await runCommand(context.config, () => withExistingDatabase(context, (db) => show(db, hotkey, options)));
}

/** `slots set` (loaded when it runs: see main.ts). */
export async function slotsSet(program: Command, hotkey: string, value: string, options: OutputOptions & { new?: boolean }): Promise<void> {
  const parsed = v.safeParse(SlotsArgument, value.trim().toLowerCase());
  if (!parsed.success) program.error(`evalpool: slots "${value}" must be an integer from 0 to ${SLOTS_PIN_MAX}, or auto`, { exitCode: 2 });
  const pin = parsed.output === 'auto' ? null : parsed.output;
  const context = loadPrintingContext();
  await runCommand(context.config, () =>
    withExistingDatabase(context, async (db) => {
      // A mistyped hotkey would otherwise be pinned silently and never match a miner.
      if (options.new !== true && !(await isKnownHotkey(db, hotkey))) {
        throw new CommandInputError(
          `unknown hotkey ${hotkey}: the scheduler has never seen it (\`evalpool slots show\` and \`evalpool miners show\` list the known ones); --new pins it anyway`,
        );
      }
      const result = await pinSlots(db, hotkey, pin);
      if (!result) throw new CommandInputError(`hotkey ${hotkey} has no slots; nothing to unpin`);
      if (options.json) printJson({ hotkey, pinned: pin, slots: result.after, was: result.before });
      else if (pin === null) console.log(`unpinned ${hotkey}: ${result.after} slots (its adjusted value), was ${result.before ?? '-'}`);
      else console.log(`pinned ${hotkey} to ${pin} slots, was ${result.before ?? '- (new hotkey)'}`);
    }),
  );
}

/** `slots pause` and `slots resume` (loaded when they run: see main.ts). */
export async function slotsPause(hotkey: string, paused: boolean, options: OutputOptions = {}): Promise<void> {
  const context = loadPrintingContext();
  await runCommand(context.config, () =>
    withExistingDatabase(context, async (db) => {
      if ((await setSchedulingPaused(db, hotkey, paused)) === undefined)
        throw new CommandInputError(`hotkey ${hotkey} has no slots yet (\`evalpool slots show\` lists the hotkeys that have some)`);
      if (options.json) printJson({ hotkey, paused });
      else console.log(`${paused ? 'paused' : 'resumed'} scheduling for ${hotkey}`);
    }),
  );
}
