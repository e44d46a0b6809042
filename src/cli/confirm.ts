/** Where {@link confirm} asks; the process's terminal by default, a stream in tests. */
export interface ConfirmIo {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/** Exit code of a command refused for want of a confirmation (as for a usage error). */
export const EXIT_UNCONFIRMED = 2;

/** Thrown when a destructive command cannot be confirmed: no terminal to ask on and no `--yes`. */
export class ConfirmationRequiredError extends Error {
  override readonly name = 'ConfirmationRequiredError';
}

/**
 * Asks before a command deletes or reverts something. `--yes` skips the question; without a
 * terminal to ask on (a script, CI, a pipe) the command is refused rather than run unasked.
 * Resolves true only on an explicit "y" or "yes".
 */
export async function confirm(
  question: string,
  yes: boolean | undefined,
  io: ConfirmIo = { input: process.stdin, output: process.stderr },
): Promise<boolean> {
  if (yes === true) return true;
  if (io.input.isTTY !== true)
    throw new ConfirmationRequiredError(
      `${question.replace(/\?$/, '')}: refusing without a confirmation (no terminal to ask on); run again with --yes`,
    );
  // Loaded here, not at the top: every command imports this module (run-command.ts), few ask.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: io.input, output: io.output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
