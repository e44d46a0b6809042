import { collectRows, resetSummary, SUMMARY_DIR, writeSummary } from './fault-summary.ts';

// `npm run test:faults` runs this with `--reset` before the scenarios and without after them:
// the table of every scenario's row, printed and written to test-output/faults/.
if (process.argv.includes('--reset')) {
  resetSummary();
} else {
  const rows = collectRows();
  const markdown = writeSummary(rows);
  const violated = rows.filter((r) => !r.holds).length;
  process.stdout.write(
    `\nFault suite: ${rows.length} scenarios, ${violated} violated (also in ${SUMMARY_DIR}faults.md and faults.json)\n\n${markdown}`,
  );
}
