/** Shortens `text` to at most `max` characters by replacing its middle with `…` (keys stay recognisable by both ends). */
export function elideMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}
