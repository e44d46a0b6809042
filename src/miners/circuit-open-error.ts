/** An attempt refused without calling the miner because its circuit is open: `miner_unavailable`. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  /** `lastFailure`: what opened the circuit, quoted whole so that a paused task says what is wrong with the miner. */
  constructor(
    readonly endpoint: string,
    readonly openUntil: number | null,
    readonly lastFailure: string | null = null,
  ) {
    super(
      (openUntil === null
        ? `circuit of ${endpoint} is half-open and its probe is under way`
        : `circuit of ${endpoint} is open until ${new Date(openUntil).toISOString()}`) +
        (lastFailure === null ? '' : `; it opened on: ${lastFailure}`),
    );
  }
}
