/** An attempt refused without calling the miner because its circuit is open: `miner_unavailable`. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  constructor(
    readonly endpoint: string,
    readonly openUntil: number | null,
  ) {
    super(
      openUntil === null
        ? `circuit of ${endpoint} is half-open and its probe is under way`
        : `circuit of ${endpoint} is open until ${new Date(openUntil).toISOString()}`,
    );
  }
}
