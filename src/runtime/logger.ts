import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Config } from '../config/schema.ts';
import { LOG_TIME_FORMAT } from './format-time.ts';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, at any depth the paths cover. */
const REDACT = [
  'password',
  'token',
  'secret',
  'seed',
  'privateKey',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.seed',
  '*.privateKey',
  '*.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** Where the log lines go: a test passes a stream to capture them. */
export interface LoggerOptions {
  readonly destination?: NodeJS.WritableStream;
  /** Whether stdout is a terminal (decides pretty output when EVALPOOL_LOG_PRETTY is unset). */
  readonly isTTY?: boolean;
}

/**
 * The root logger: JSON lines by default, human-readable when `EVALPOOL_LOG_PRETTY` is true or
 * unset on a terminal. Components take `logger.child({ component: '...' })`.
 * Pretty output is synchronous (no transport thread) so that nothing is lost at exit.
 */
export function createLogger(config: Pick<Config, 'logging'>, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const wantPretty = config.logging.pretty ?? options.isTTY ?? process.stdout.isTTY === true;
  const base = { level: config.logging.level, redact: { paths: REDACT, censor: '***' }, base: { pid: process.pid } };
  if (wantPretty)
    return pino(
      base,
      lazyPretty({
        destination,
        sync: true,
        colorize: options.isTTY ?? process.stdout.isTTY === true,
        ignore: 'pid,hostname',
        // format-time.ts's format (UTC, date and time), with milliseconds: one way to read time.
        translateTime: LOG_TIME_FORMAT,
      }),
    );
  return pino(base, destination);
}

/**
 * A pino-pretty stream loaded at the first log line: a CLI command on a terminal that logs nothing
 * (most of them print a table and exit) never loads pino-pretty and its ~40 modules.
 */
function lazyPretty(options: PinoPretty.PrettyOptions): DestinationStream {
  let stream: DestinationStream | undefined;
  return {
    write(line: string): void {
      stream ??= (createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty)(options);
      stream.write(line);
    },
  };
}
