/** The fields of an error that callers look at when they classify it. */
export interface ErrorFields {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly port?: unknown;
}

/** The error, the members of an AggregateError and its `cause` chain, outermost first (5 levels deep at most). */
export function errorChain(error: unknown, depth = 0): ErrorFields[] {
  if (error === null || typeof error !== 'object' || depth > 5) return [];
  const e = error as { errors?: unknown; cause?: unknown };
  return [
    error,
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x: unknown) => errorChain(x, depth + 1)) : []),
    ...errorChain(e.cause, depth + 1),
  ];
}
