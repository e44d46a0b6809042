import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Books } from './books-audit.ts';

/**
 * The fault suite's summary table: each scenario records its row (a JSON file per row, written by
 * the test process that ran it, since node's runner runs every file in a process of its own);
 * `print-summary.ts` gathers them at the end of `npm run test:faults`, prints the table and writes
 * it as JSON and markdown under test-output/faults/.
 */
export const SUMMARY_DIR = fileURLToPath(new URL('../../test-output/faults/', import.meta.url));
const ROWS_DIR = path.join(SUMMARY_DIR, 'rows');

/** One scenario's row. */
export interface ScenarioRow {
  readonly scenario: string;
  readonly injected: string;
  /** The books in one line (describeBooks), plus the scenario's own figures. */
  readonly books: string;
  readonly holds: boolean;
  /** The failed audits, when it does not hold. */
  readonly violations: readonly string[];
  /** The structured books. */
  readonly detail: Books;
  readonly finishedAt: string;
}

/** Records a scenario's row for the summary (one file; a later row of the same scenario replaces it). */
export function recordScenario(row: ScenarioRow): void {
  mkdirSync(ROWS_DIR, { recursive: true });
  const name = row.scenario
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  writeFileSync(path.join(ROWS_DIR, `${name}.json`), `${JSON.stringify(row, null, 2)}\n`);
}

/** Deletes the rows of an earlier run. */
export function resetSummary(): void {
  rmSync(ROWS_DIR, { recursive: true, force: true });
}

/** Every row recorded since the last reset, in the order they finished. */
export function collectRows(): ScenarioRow[] {
  let files: string[];
  try {
    files = readdirSync(ROWS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files
    .map((f) => JSON.parse(readFileSync(path.join(ROWS_DIR, f), 'utf8')) as ScenarioRow)
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The rows as a markdown table. */
export function renderMarkdown(rows: readonly ScenarioRow[]): string {
  const lines = ['| scenario | injected | books | |', '|---|---|---|---|'];
  for (const r of rows)
    lines.push(
      `| ${cell(r.scenario)} | ${cell(r.injected)} | ${cell(r.books)} | ${r.holds ? 'holds' : `VIOLATED: ${cell(r.violations.join(', '))}`} |`,
    );
  return `${lines.join('\n')}\n`;
}

/** Writes `faults.json` and `faults.md` under test-output/faults/ and returns the markdown. */
export function writeSummary(rows: readonly ScenarioRow[]): string {
  mkdirSync(SUMMARY_DIR, { recursive: true });
  const markdown = renderMarkdown(rows);
  writeFileSync(path.join(SUMMARY_DIR, 'faults.json'), `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(path.join(SUMMARY_DIR, 'faults.md'), markdown);
  return markdown;
}
