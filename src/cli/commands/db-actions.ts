import { sql } from 'kysely';
import { maskUrlPassword } from '../../config/mask.ts';
import { createConfiguredDatabase } from '../../db/database.ts';
import { dropDatabase, ensureDatabase, splitDatabaseUrl } from '../../db/ensure-database.ts';
import { migrateToLatest, migrationStatus } from '../../db/migrator.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { confirm } from '../confirm.ts';
import { loadPrintingContext } from '../context.ts';
import { type OutputOptions, printJson, rowsAsJson } from '../output.ts';
import { runCommand } from '../run-command.ts';

/** Tables shown by `db status`, in schema order. */
const TABLES = [
  'miners',
  'sampling_lists',
  'rotations',
  'results',
  'attempts',
  'miner_slots',
  'slot_history',
  'weights',
  'score_snapshots',
] as const;

/** `evalpool db status` (loaded when it runs: see main.ts). */
export async function dbStatus(options: OutputOptions): Promise<void> {
  const { config, logger } = loadPrintingContext();
  await runCommand(config, async () => {
    const kysely = createConfiguredDatabase(config.storage, 1, logger);
    try {
      const version = await sql<{ version: string }>`select version()`.execute(kysely);
      const server = version.rows[0]?.version.split(',')[0] ?? '?';
      const migrations = await migrationStatus(kysely);
      const pending = migrations.filter((m) => !m.executedAt).map((m) => m.name);
      const rows: [string, number | string][] = [];
      for (const table of TABLES) {
        try {
          const count = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(kysely);
          rows.push([table, count.rows[0]?.n ?? 0]);
        } catch {
          rows.push([table, 'missing']);
        }
      }
      const database = maskUrlPassword(config.storage.databaseUrl);
      if (options.json) {
        printJson({
          database,
          server,
          migrations_applied: migrations.length - pending.length,
          migrations_pending: pending,
          tables: rowsAsJson(['table', 'rows'], rows),
        });
        return;
      }
      console.log(`database: ${database}`);
      console.log(`server:   ${server}`);
      console.log(
        `migrations: ${migrations.length - pending.length} applied, ${pending.length} pending${pending.length ? ` (${pending.join(', ')})` : ''}`,
      );
      console.log(formatTable(['table', 'rows'], rows, { wide: options.wide }));
    } finally {
      await kysely.destroy();
    }
  });
}

/**
 * `evalpool db reset [--yes] [--json]` (loaded when it runs: see main.ts). A database that does
 * not exist yet is created without a question: nothing is lost.
 */
export async function dbReset(options: OutputOptions & { yes?: boolean; force?: boolean }): Promise<void> {
  const { config, logger } = loadPrintingContext();
  const url = config.storage.databaseUrl;
  const { name } = splitDatabaseUrl(url);
  await runCommand(config, async () => {
    const created = await ensureDatabase(url);
    if (created) {
      if (!options.json) console.log(`database "${name}" does not exist, so nothing is lost: db reset creates it`);
    } else {
      if (
        !(await confirm(
          `drop database "${name}" and create it again (every result, weight and slot is lost)?`,
          options.yes === true || options.force === true,
        ))
      ) {
        if (options.json) printJson({ database: name, reset: false, created: false, migrations_applied: 0 });
        else console.log('nothing reset');
        return;
      }
      await dropDatabase(url);
      await ensureDatabase(url);
    }
    const kysely = createConfiguredDatabase(config.storage, 1, logger);
    try {
      const run = await migrateToLatest(kysely);
      if (run.error) throw run.error;
      if (options.json) printJson({ database: name, reset: true, created, migrations_applied: run.results.length });
      else console.log(`database "${name}" was ${created ? 'created' : 'reset'} (${run.results.length} migrations applied)`);
    } finally {
      await kysely.destroy();
    }
  });
}
