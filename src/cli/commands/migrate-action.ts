import { createConfiguredDatabase } from '../../db/database.ts';
import { ensureDatabase, splitDatabaseUrl } from '../../db/ensure-database.ts';
import { type MigrationRun, migrateDown, migrateToLatest, migrationStatus } from '../../db/migrator.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { confirm } from '../confirm.ts';
import { loadPrintingContext } from '../context.ts';
import { printJson, rowsAsJson } from '../output.ts';
import { runCommand } from '../run-command.ts';

/** Flags of `evalpool migrate`. */
export interface MigrateOptions {
  yes?: boolean;
  json?: boolean;
}

const RUN_HEADERS = ['migration', 'direction', 'status'];

function report(run: MigrationRun, nothing: string, json: boolean): void {
  const rows = run.results.map((r) => [r.migrationName, r.direction, r.status]);
  if (json) printJson({ results: rowsAsJson(RUN_HEADERS, rows), error: run.error?.message ?? null });
  else if (rows.length === 0 && !run.error) console.log(nothing);
  else console.log(formatTable(RUN_HEADERS, rows));
  if (run.error) throw run.error;
}

/** The body of `evalpool migrate` (loaded when it runs: see main.ts). */
export async function migrate(action: 'up' | 'down' | 'status', options: MigrateOptions): Promise<void> {
  const { config, logger } = loadPrintingContext();
  const json = options.json === true;
  await runCommand(config, async () => {
    if (action === 'up') await ensureDatabase(config.storage.databaseUrl);
    const db = createConfiguredDatabase(config.storage, 1, logger);
    try {
      if (action === 'up') report(await migrateToLatest(db), 'the database is up to date', json);
      else if (action === 'down') {
        const last = (await migrationStatus(db)).filter((m) => m.executedAt).at(-1);
        if (last === undefined) return report({ results: [] }, 'no migration to revert', json);
        const { name } = splitDatabaseUrl(config.storage.databaseUrl);
        if (
          !(await confirm(`revert migration ${last.name} of database "${name}" (what it created is dropped, with its rows)?`, options.yes))
        ) {
          console.log('nothing reverted');
          return;
        }
        report(await migrateDown(db), 'no migration to revert', json);
      } else {
        const headers = ['migration', 'state', 'applied_at'];
        const rows = (await migrationStatus(db)).map((m) => [m.name, m.executedAt ? 'applied' : 'pending', m.executedAt]);
        if (json) printJson(rowsAsJson(headers, rows));
        else console.log(formatTable(headers, rows));
      }
    } finally {
      await db.destroy();
    }
  });
}
