import { formatTime } from './format-time.ts';

/** A cell value; numbers are right-aligned, dates print as {@link formatTime}, `null`/`undefined` as "-". */
export type Cell = string | number | boolean | Date | null | undefined;

/** The width every CLI table fits unless `--wide` (a terminal's usual 100 columns). */
export const TABLE_MAX_WIDTH = 100;

/** Narrowest an elided column gets: `5GrwvaE…HGKutQY` still tells hotkeys apart. */
const MIN_ELIDED_WIDTH = 15;

const GAP = 2;

/** Options for {@link formatTable}. */
export interface TableOptions {
  /** Digits after the decimal point for non-integer numbers (default 4). */
  readonly fractionDigits?: number;
  /** Print every cell in full, however wide the table gets (`--wide`). */
  readonly wide?: boolean;
  /** Width to fit (default {@link TABLE_MAX_WIDTH}). */
  readonly maxWidth?: number;
}

function render(cell: Cell, digits: number): string {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : cell.toFixed(digits);
  if (cell instanceof Date) return formatTime(cell);
  return String(cell);
}

/** `text` cut to `width` by replacing its middle with "…": both ends of a key are what people compare. */
export function elideMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  const keep = width - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/**
 * `text` as lines of at most `width` columns, each starting with `indent` (the first with
 * `firstIndent`, e.g. a label), broken at spaces; a word longer than a line is split, never cut:
 * every character of `text` is printed.
 */
export function wrapText(text: string, width: number, indent: string, firstIndent = indent): string {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  const room = (): number => width - line.length;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && word.length + 1 <= room()) {
      line += ` ${word}`;
      continue;
    }
    if (!empty) {
      lines.push(line);
      line = indent;
    }
    let rest = word;
    while (rest.length > room() && room() > 0) {
      lines.push(line + rest.slice(0, room()));
      rest = rest.slice(room());
      line = indent;
    }
    line += rest;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/**
 * Narrows text columns, widest first, until the table fits `max`; numbers, dates and booleans
 * keep their width (cutting them would change what they say).
 */
function fitWidths(widths: number[], elidable: readonly boolean[], max: number): number[] {
  const fitted = [...widths];
  const total = (): number => fitted.reduce((a, b) => a + b, 0) + GAP * (fitted.length - 1);
  while (total() > max) {
    let widest = -1;
    for (let i = 0; i < fitted.length; i++)
      if (elidable[i] && fitted[i]! > MIN_ELIDED_WIDTH && (widest < 0 || fitted[i]! > fitted[widest]!)) widest = i;
    if (widest < 0) break;
    fitted[widest]! -= 1;
  }
  return fitted;
}

/**
 * Renders rows as a plain-text table that reads well in a terminal and in logs: a header, a
 * rule, then one line per row, columns padded to the widest cell. It fits 100 columns by eliding
 * the middle of long text cells (48-character SS58 hotkeys, URLs) unless `wide`.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const digits = options.fractionDigits ?? 4;
  const text = rows.map((row) => headers.map((_, i) => render(row[i], digits)));
  const kept = (i: number): boolean => rows.length > 0 && rows.every((row) => typeof row[i] !== 'string' || row[i] === undefined);
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] == null));
  const natural = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i]!.length)));
  const widths = options.wide
    ? natural
    : fitWidths(
        natural,
        headers.map((_, i) => !kept(i)),
        options.maxWidth ?? TABLE_MAX_WIDTH,
      );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => elideMiddle(c, widths[i]!))
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)), ...text.map(line)].join('\n');
}
