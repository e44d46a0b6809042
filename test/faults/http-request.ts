import http from 'node:http';

/** A raw HTTP request of a fault scenario: any method token, any headers, any body bytes. */
export interface RawRequest {
  readonly method: string;
  /** Path and query, sent as is. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** How a raw request ended: an answer, or why there was none (`timeout` = the service hung). */
export type RawAnswer =
  | { readonly status: number; readonly body: string; readonly contentType: string | undefined }
  | { readonly status: 'timeout' | 'error'; readonly body: string };

/**
 * Sends `request` to `base` (`http://host:port`) with node:http (fetch refuses the odd methods and
 * headers a fuzzer sends) and reads the whole answer; gives up after `timeoutMs` (a hang) and
 * never throws.
 */
export function rawRequest(base: string, request: RawRequest, timeoutMs: number): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: RawAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    let req: http.ClientRequest;
    try {
      // A body always goes with its length: node sends a DELETE's or OPTIONS's body unframed
      // otherwise, which the server rightly refuses as garbage after the request.
      const length = request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) };
      req = http.request({
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: { connection: 'close', ...request.headers, ...length },
        agent: false,
      });
    } catch (error) {
      // A request node refuses to send (an invalid header value or method): nothing reached the service.
      resolve({ status: 'error', body: `not sent: ${(error as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      done({ status: 'timeout', body: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: response.headers['content-type'],
        }),
      );
      response.on('error', (error) => done({ status: 'error', body: error.message }));
    });
    // The service may answer (413, 401) and close before the whole body is sent: an EPIPE then.
    req.on('error', (error) => done({ status: 'error', body: error.message }));
    if (request.body !== undefined) req.end(request.body);
    else req.end();
  });
}
