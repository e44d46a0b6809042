/** `text` as one shell word in single quotes, safe to paste into a command line whatever it holds. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
