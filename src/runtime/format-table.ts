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
 * `firstIndent`, e.g. a label), broken at spaces; a word longer than a line is split, never cut.
 * The text's own line breaks are kept (each of its lines starts a new one, blank lines included);
 * what is normalised: spaces and tabs between words become one space, whitespace at the start and
 * end of the text and of each line is dropped.
 */
export function wrapText(text: string, width: number, indent: string, firstIndent = indent): string {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  const room = (): number => width - line.length;
  const breakLine = (): void => {
    lines.push(line);
    line = indent;
    empty = true;
  };
  for (const [n, source] of text
    .trim()
    .split(/\r\n|\r|\n/)
    .entries()) {
    if (n > 0) breakLine();
    for (const word of source.split(/\s+/).filter((w) => w !== '')) {
      if (!empty && word.length + 1 <= room()) {
        line += ` ${word}`;
        continue;
      }
      if (!empty) breakLine();
      let rest = word;
      while (rest.length > room() && room() > 0) {
        lines.push(line + rest.slice(0, room()));
        rest = rest.slice(room());
        line = indent;
      }
      line += rest;
      empty = false;
    }
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd()).join('\n');
}

/** A cell that is one URL (`scheme://host…`, no spaces): its host:port, not its path, tells it apart. */
const URL_PATTERN = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]+)(\S*)$/i;

/**
 * A URL cut to `width`, giving up its path first (its middle elided, then all of it but `…`),
 * then its scheme, and only then the middle of its host:port: `http://10.0.0.1:9001/…`,
 * `10.0.0.1:9001/…`, so that URLs on distinct hosts or ports stay distinct as long as their
 * host:port fits. Text that is not a URL loses its middle ({@link elideMiddle}).
 */
export function elideUrl(text: string, width: number): string {
  if (text.length <= width) return text;
  const url = URL_PATTERN.exec(text);
  if (!url || width < 2) return elideMiddle(text, width);
  const [, scheme = '', hostPort = '', path = ''] = url;
  // An origin that fits with a character to spare keeps it: the path (if any) gets that room.
  for (const origin of [scheme + hostPort, hostPort])
    if (origin.length + 1 <= width) return origin + elideMiddle(path, width - origin.length);
  return path === '' ? elideMiddle(hostPort, width) : `${elideMiddle(hostPort, width - 1)}…`;
}

/** Separators of a list cell: `a,b,c` (an env list) or `ok 150 · fail 3` (counts by class). */
const LIST_SEPARATORS = [',', ' · '] as const;

/**
 * The items of a list cell and their separator, or undefined when `text` is not a list of at least
 * two items. A URL is never a list, whatever commas its query has (`http://h/x?a=1,2`).
 */
function listOf(text: string): { readonly items: string[]; readonly separator: string } | undefined {
  if (URL_PATTERN.test(text)) return undefined;
  for (const separator of LIST_SEPARATORS) {
    const items = text.split(separator);
    if (items.length >= 2 && items.every((item) => item !== '' && (separator !== ',' || !/\s/.test(item)))) return { items, separator };
  }
  return undefined;
}

/**
 * A list cut to `width` by whole items, saying how many are left out: `a,b,…+2`. An item is never
 * cut (a cut item would read as another one): when not even the first item fits, only the count is
 * shown, `…+3`, even if a width under its length asks for less. Text that is not a list is
 * elided as a URL or in its middle ({@link elideUrl}).
 */
export function elideList(text: string, width: number): string {
  if (text.length <= width) return text;
  const list = listOf(text);
  if (!list) return elideUrl(text, width);
  const { items, separator } = list;
  for (let kept = items.length - 1; kept >= 1; kept--) {
    const shown = `${items.slice(0, kept).join(separator)}${separator}…+${items.length - kept}`;
    if (shown.length <= width) return shown;
  }
  return `…+${items.length}`;
}

/** The words of a header, each with the separator that follows it (`committed_block` → `committed_`, `block`). */
function headerWords(header: string): string[] {
  return header.split(/(?<=[_ ])/);
}

/** Narrowest a header gets by breaking it between words: its longest word. */
function wrappedHeaderWidth(header: string): number {
  return Math.max(...headerWords(header).map((w) => w.trimEnd().replace(/_$/, '').length));
}

/** A header as lines of at most `width`, broken between words (`committed_block` → `committed`, `block`). */
function wrapHeader(header: string, width: number): string[] {
  if (header.length <= width) return [header];
  const lines: string[] = [];
  let line = '';
  const trimmed = (text: string): string => text.replace(/[_ ]$/, '');
  for (const word of headerWords(header)) {
    if (line !== '' && trimmed(line + word).length > width) {
      lines.push(trimmed(line));
      line = '';
    }
    line += word;
  }
  lines.push(trimmed(line));
  return lines.map((l) => elideMiddle(l, width));
}

/** What {@link fitWidths} knows of a column. */
interface ColumnFit {
  /** Widest cell, or the header when wider. */
  readonly natural: number;
  /** Widest cell: what the column needs once its header is broken into lines. */
  readonly content: number;
  readonly header: string;
  /** Whether its cells may be elided (text; numbers, dates and booleans never are). */
  readonly elidable: boolean;
  /** What its text is, which decides when it is elided: {@link ELISION_ORDER}. */
  readonly kind: TextKind;
}

/**
 * `key`: single words of letters, digits, `-` and `_` (hotkeys, worker ids), whose two ends tell
 * them apart; `text`: anything else (URLs, reasons); `list`: `a,b,c` or `ok 1 · fail 2`.
 */
type TextKind = 'key' | 'text' | 'list';

/** Keys lose their middle first (an elided key still names one miner), then text, lists last. */
const ELISION_ORDER: readonly TextKind[] = ['key', 'text', 'list'];

/**
 * A column is a `list` when most of its non-empty cells are lists, a lone item (one word that is
 * not a URL, `mujoco/reach-v1` among env lists) counting as a list of one as long as the column has
 * a real list; so one URL with a comma, or one `a,b` among reasons, does not make a list column.
 */
function kindOf(cells: readonly Cell[]): TextKind {
  const texts = cells.filter((c): c is string => typeof c === 'string' && c !== '');
  const lists = texts.filter((t) => listOf(t) !== undefined).length;
  const loneItems = texts.filter((t) => !/[\s,]/.test(t) && !URL_PATTERN.test(t)).length;
  if (lists > 0 && 2 * (lists + loneItems) > texts.length) return 'list';
  return texts.length > 0 && texts.every((t) => /^[A-Za-z0-9_-]+$/.test(t)) ? 'key' : 'text';
}

/** A cell cut to `width` by what it is: a list by whole items, a URL keeping its host:port, anything else in its middle. */
function elideCell(text: string, width: number): string {
  return listOf(text) ? elideList(text, width) : elideUrl(text, width);
}

/**
 * Widths that fit `max`, giving up what costs least first: (1) a header wider than its cells
 * (`committed_block` over `0`) is broken into lines, so that it does not hold space a URL or a
 * key needs; (2) keys (hotkeys, ids) are narrowed, widest first, an elided key keeping both
 * ends; (3) then other text (URLs, reasons); (4) only then lists (`a,b,c`), which lose whole
 * items. Each down to {@link MIN_ELIDED_WIDTH}; numbers, dates and booleans keep their width.
 */
function fitWidths(columns: readonly ColumnFit[], max: number): number[] {
  const fitted = columns.map((c) => c.natural);
  const over = (): number => fitted.reduce((a, b) => a + b, 0) + GAP * (fitted.length - 1) - max;
  while (over() > 0) {
    let best = -1;
    let bestSaving = 0;
    for (const [i, c] of columns.entries()) {
      const saving = fitted[i]! - Math.max(c.content, wrappedHeaderWidth(c.header));
      if (saving > bestSaving) [best, bestSaving] = [i, saving];
    }
    if (best < 0) break;
    fitted[best]! -= Math.min(bestSaving, over());
  }
  for (const kind of ELISION_ORDER) {
    while (over() > 0) {
      let widest = -1;
      for (const [i, c] of columns.entries())
        if (c.elidable && c.kind === kind && fitted[i]! > MIN_ELIDED_WIDTH && (widest < 0 || fitted[i]! > fitted[widest]!)) widest = i;
      if (widest < 0) break;
      fitted[widest]! -= 1;
    }
  }
  return fitted;
}

/** A table as lines: `head` (the header, on more than one line when broken to fit, and the rule) and one line per row. */
export interface TableLines {
  readonly head: string[];
  readonly rows: string[];
  /** Whether a list cell lost items to fit (a caller may lay the table out another way then). */
  readonly listsCut: boolean;
}

/**
 * Renders rows as a plain-text table that reads well in a terminal and in logs: a header, a
 * rule, then one line per row, columns padded to the widest cell. It fits 100 columns unless
 * `wide`: see {@link fitWidths} (headers broken into lines, then long cells elided: 48-character
 * SS58 hotkeys and other text lose their middle, URLs their path first ({@link elideUrl}); lists
 * last, by whole items).
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): string {
  const { head, rows: lines } = formatTableLines(headers, rows, options);
  return [...head, ...lines].join('\n');
}

/** {@link formatTable} as its lines, for a caller that puts more under each row (`tasks paused list`). */
export function formatTableLines(headers: readonly string[], rows: readonly (readonly Cell[])[], options: TableOptions = {}): TableLines {
  const digits = options.fractionDigits ?? 4;
  const text = rows.map((row) => headers.map((_, i) => render(row[i], digits)));
  const kept = (i: number): boolean => rows.length > 0 && rows.every((row) => typeof row[i] !== 'string' || row[i] === undefined);
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] == null));
  const columns = headers.map((header, i): ColumnFit => {
    const content = Math.max(0, ...text.map((r) => r[i]!.length));
    return {
      header,
      content,
      natural: Math.max(header.length, content),
      elidable: !kept(i),
      kind: kindOf(rows.map((row) => row[i])),
    };
  });
  const widths = options.wide ? columns.map((c) => c.natural) : fitWidths(columns, options.maxWidth ?? TABLE_MAX_WIDTH);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' '.repeat(GAP))
      .trimEnd();
  // A broken header sits on the rule: its last line is the one next to the cells.
  const headerLines = headers.map((h, i) => wrapHeader(h, widths[i]!));
  const height = Math.max(...headerLines.map((l) => l.length));
  const head = Array.from({ length: height }, (_, k) => line(headerLines.map((l) => l[k - (height - l.length)] ?? '')));
  return {
    head: [...head, widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP))],
    rows: text.map((cells) => line(cells.map((c, i) => (columns[i]!.elidable ? elideCell(c, widths[i]!) : c)))),
    listsCut: text.some((cells) => cells.some((c, i) => c.length > widths[i]! && listOf(c) !== undefined)),
  };
}
