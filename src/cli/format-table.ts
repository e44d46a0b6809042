/** A cell value; numbers are right-aligned, `null`/`undefined` print as "-". */
export type Cell = string | number | boolean | null | undefined;

/** Options for {@link formatTable}. */
export interface TableOptions {
  /** Digits after the decimal point for non-integer numbers (default 4). */
  readonly fractionDigits?: number;
}

function render(cell: Cell, digits: number): string {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : cell.toFixed(digits);
  return String(cell);
}

/**
 * Renders rows as a plain-text table that reads well in a terminal and in logs:
 * a header, a rule, then one line per row, columns padded to the widest cell.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const digits = options.fractionDigits ?? 4;
  const text = rows.map((row) => headers.map((_, i) => render(row[i], digits)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] == null));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}
