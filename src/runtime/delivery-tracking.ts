import { Dispatcher } from 'undici';

/** A dispatcher for one request that remembers whether the request's bytes were written. */
export interface DeliveryTracking {
  /** Use it for exactly one request (`tracking.dispatcher.request(...)`). */
  readonly dispatcher: Dispatcher;
  /**
   * Whether undici wrote the whole request (headers and body) to a connected socket. From then on
   * the server may have read it, whatever happens to the connection next: a server that reads the
   * request and resets the connection looks exactly like one that resets it unread, so only
   * "never written" (no connection, DNS, TLS, connect timeout, queued in the pool) proves that the
   * server did not get it.
   */
  readonly delivered: boolean;
  /**
   * Whether a connected socket was assigned to the request (undici's `onConnect`, just before it
   * writes) before `signal` aborted it: until then the request waits in the pool's queue or for
   * its connection to be made. (undici also calls `onConnect` on a request aborted in its queue,
   * without a socket; that one does not count.)
   */
  readonly connected: boolean;
}

/**
 * Wraps `inner` so that the one request sent through it (with `signal`, if any) records its progress. undici calls the
 * request handler's `onRequestSent` right after handing the request's bytes to the socket (before
 * any answer); `pool.request` does not expose it, so the handler is wrapped here. The handler is
 * the legacy kind undici passes through unchanged.
 */
export function trackDelivery(inner: Dispatcher, signal?: AbortSignal): DeliveryTracking {
  let delivered = false;
  let connected = false;
  const dispatcher = new DeliveryDispatcher(
    inner,
    () => (connected ||= signal?.aborted !== true),
    () => (delivered = true),
  );
  return {
    dispatcher,
    get delivered() {
      return delivered;
    },
    get connected() {
      return connected;
    },
  };
}

type LegacyHandler = Dispatcher.DispatchHandler & { onRequestSent?(): void };

class DeliveryDispatcher extends Dispatcher {
  constructor(
    private readonly inner: Dispatcher,
    private readonly onConnected: () => void,
    private readonly onSent: () => void,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: LegacyHandler): boolean {
    const { onConnected, onSent } = this;
    // Every legacy hook forwarded as is; `onConnect` and `onRequestSent` also record progress.
    const wrapped: LegacyHandler = {
      onConnect: (...args) => {
        onConnected();
        return handler.onConnect?.(...args);
      },
      onError: (...args) => handler.onError?.(...args),
      onUpgrade: (...args) => handler.onUpgrade?.(...args),
      onResponseStarted: () => handler.onResponseStarted?.(),
      onHeaders: (...args) => handler.onHeaders?.(...args) ?? true,
      onData: (...args) => handler.onData?.(...args) ?? true,
      onComplete: (...args) => handler.onComplete?.(...args),
      onBodySent: (...args) => handler.onBodySent?.(...args),
      onRequestSent: () => {
        onSent();
        handler.onRequestSent?.();
      },
    };
    return this.inner.dispatch(options, wrapped);
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}
