import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../src/runtime/error-message.ts';
import { NO_MINERS_FILE } from './test-config.ts';
import { STATE_TIMEOUT_MS, waitFor } from './wait-for.ts';

/** The `evalpool` executable of this checkout. */
export const CLI = fileURLToPath(new URL('../../bin/evalpool.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A CLI process under test, with its output collected as it arrives. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** JSON log lines seen so far (stdout; logs are JSON when not on a terminal). */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line that matches, or rejects after `timeoutMs` (default: the tests' guard, STATE_TIMEOUT_MS). */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the match of `pattern` in stdout once it appears, or rejects after `timeoutMs` (or if the process exits first). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited(): Promise<number | string>;
  /** SIGKILL if still running; always resolves. */
  kill(): Promise<void>;
}

/**
 * Starts `evalpool <args>` with a clean environment: only PATH/HOME and the given variables, so a
 * developer's own EVALPOOL_* settings never leak into tests (nor a miners.json in the checkout:
 * see NO_MINERS_FILE).
 */
export function spawnCli(args: readonly string[], variables: Readonly<Record<string, string>> = {}): CliProcess {
  return spawnEntry(CLI, args, variables);
}

/**
 * Starts a Node entry of this checkout (a `.ts` test entry runs through tsx) with the same clean
 * environment and output collection as {@link spawnCli}.
 */
export function spawnEntry(entry: string, args: readonly string[], variables: Readonly<Record<string, string>> = {}): CliProcess {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, entry, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      EVALPOOL_LOG_LEVEL: 'info',
      EVALPOOL_MINERS_FILE: NO_MINERS_FILE,
      ...variables,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  // Polls `find` until it finds something; the process's output explains a failure.
  const waitUntil = async <T>(find: () => T | undefined, timeoutMs: number): Promise<T> => {
    try {
      return await waitFor(
        'the expected output',
        () => {
          const found = find();
          if (found === undefined && (child.exitCode !== null || child.signalCode !== null))
            throw new Error('process exited before the expected output');
          return found;
        },
        timeoutMs,
        50,
      );
    } catch (error) {
      throw new Error(`${errorMessage(error)}\nstdout:\n${out}\nstderr:\n${err}`, { cause: error });
    }
  };
  const logs = (): Record<string, unknown>[] =>
    out.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited: () => exit,
    waitForLog: (match, timeoutMs = STATE_TIMEOUT_MS) => waitUntil(() => logs().find(match), timeoutMs),
    waitForOutput: (pattern, timeoutMs = STATE_TIMEOUT_MS) => waitUntil(() => pattern.exec(out) ?? undefined, timeoutMs),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}

/** Runs `evalpool <args>` to completion. */
export async function runCli(
  args: readonly string[],
  variables: Readonly<Record<string, string>> = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const cli = spawnCli(args, variables);
  const code = await cli.exited();
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
