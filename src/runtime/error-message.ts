/**
 * A readable message for anything thrown or emitted: an Error's message, or the message of a
 * WebSocket ErrorEvent (what polkadot-js's WsProvider emits when a connection fails, e.g.
 * "getaddrinfo ENOTFOUND host"), never "[object Object]" and never empty: an Error without a message
 * (Node's AggregateError of a refused dual-stack connect) reads as its name.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || String(error);
  if (typeof error === 'object' && error !== null) {
    const { message, error: inner } = error as { message?: unknown; error?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (inner instanceof Error) return inner.message;
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

/** `error` itself when it is an Error, else an Error with its {@link errorMessage} and the original as `cause`. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error), { cause: error });
}
