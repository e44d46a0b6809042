/** A demo that cannot start for a reason the user fixes (a port taken, a bad miners file): one sentence, no stack. */
export class DemoSetupError extends Error {
  override readonly name = 'DemoSetupError';
}
