import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A logger for tests: silent unless EVALPOOL_TEST_VERBOSE=1 (then debug lines go to stderr). */
export function testLogger(): Logger {
  return process.env.EVALPOOL_TEST_VERBOSE === '1' ? pino({ level: 'debug' }, process.stderr) : pino({ level: 'silent' });
}

/** A stream that keeps what is written to it: the whole text, and its JSON lines parsed. */
export function capturingStream(): { stream: Writable; text: () => string; lines: Record<string, unknown>[] } {
  let text = '';
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      for (const line of chunk.toString().split('\n'))
        if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { stream, text: () => text, lines };
}

/** A logger whose lines (parsed JSON) are collected, to assert on what was logged. */
export function capturingLogger(level: pino.Level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const { stream, lines } = capturingStream();
  return { logger: pino({ level }, stream), lines };
}
