/** The worker is shutting down (its AbortSignal fired) while an episode runs: `worker_error`. */
export class EpisodeAbortedError extends Error {
  override readonly name = 'EpisodeAbortedError';

  constructor(reason: unknown) {
    super(`aborted: ${reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'shutdown'}`);
  }
}
