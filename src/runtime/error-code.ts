/**
 * The `code` of a Node or undici error (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, ...), looked
 * for through a few levels of `cause` past undici's generic socket error; '' when there is none.
 */
export function errorCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  }
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' ? String((error as { code?: unknown }).code) : '';
}
