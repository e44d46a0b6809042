/**
 * A command's input that names nothing (an unknown hotkey or env, a filter that matches
 * nothing): one sentence and exit code 1, never a silent "0 changed".
 */
export class CommandInputError extends Error {
  override readonly name = 'CommandInputError';
}
