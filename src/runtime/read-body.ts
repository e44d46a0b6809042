import type { Dispatcher } from 'undici';

/** Drops a response body (and its connection) without an unhandled stream error. */
export function discardBody(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

/**
 * Reads a response body as text, stopping past `limit` bytes: the body (and its connection) is
 * dropped and `tooLarge()` thrown, so that a peer cannot make the process buffer without bound.
 */
export async function readBodyWithin(response: Dispatcher.ResponseData, limit: number, tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      discardBody(response);
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
