import type { Command } from 'commander';
import type { Cell } from '../runtime/format-table.ts';

/** The output flags every printing command takes. */
export interface OutputOptions {
  /** Print JSON (snake_case keys, as the API) instead of tables and sentences. */
  json?: boolean;
  /** Print keys, URLs and reasons in full instead of fitting 100 columns. */
  wide?: boolean;
}

/** Adds `--json` to a command that prints a sentence or a document rather than a fitted table. */
export function jsonFlag(command: Command, what = 'a table'): Command {
  return command.option('--json', `print JSON (snake_case keys, as the API) instead of ${what}`);
}

/** Adds `--json` and `--wide` to a command that prints a table. */
export function outputFlags(command: Command): Command {
  return jsonFlag(command).option('--wide', 'print keys and long values in full instead of fitting 100 columns');
}

/** A table's header as a JSON key: `last change` → `last_change`. */
export function snakeCase(header: string): string {
  return header
    .trim()
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function jsonValue(cell: Cell): unknown {
  if (cell === undefined) return null;
  return cell instanceof Date ? cell.toISOString() : cell;
}

/** Table rows as JSON objects keyed by the snake_case headers; dates as ISO 8601. */
export function rowsAsJson(headers: readonly string[], rows: readonly (readonly Cell[])[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(headers.map((h, i) => [snakeCase(h), jsonValue(row[i])])));
}

/** Writes one JSON document to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A value with every object key in snake_case, at any depth (`successRate` → `success_rate`), as the API spells them. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(), snakeKeys(v)]));
}
