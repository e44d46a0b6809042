/** Replaces the password of a URL (`postgres://u:secret@h/db` → `postgres://u:***@h/db`). */
export function maskUrlPassword(text: string): string {
  if (!URL.canParse(text)) return text.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@');
  const parsed = new URL(text);
  if (parsed.password === '') return text;
  parsed.password = '***';
  return parsed.toString();
}

/** How a variable's value may be shown in errors and logs. */
export function maskValue(value: string | undefined, secret: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (secret) return value.length === 0 ? '' : '***';
  return maskUrlPassword(value);
}
