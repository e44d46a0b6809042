import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ConfirmationRequiredError, confirm } from '../../src/cli/confirm.ts';

/** A terminal that answers `answer` once asked. */
function terminal(answer: string): { input: PassThrough & { isTTY: boolean }; output: PassThrough; asked: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let asked = '';
  output.on('data', (chunk: Buffer) => {
    asked += chunk.toString();
    if (asked.endsWith('[y/N] ')) input.write(`${answer}\n`);
  });
  return { input, output, asked: () => asked };
}

describe('confirm', () => {
  test('on a terminal: yes only on an explicit y or yes', async () => {
    for (const [answer, expected] of [
      ['y', true],
      ['YES', true],
      ['', false],
      ['n', false],
      ['maybe', false],
    ] as const) {
      const io = terminal(answer);
      assert.equal(await confirm('delete everything?', undefined, io), expected, answer);
      assert.match(io.asked(), /^delete everything\? \[y\/N\] /);
    }
  });

  test('--yes skips the question; no terminal and no --yes refuses', async () => {
    const notTerminal = { input: new PassThrough(), output: new PassThrough() };
    assert.equal(await confirm('delete everything?', true, notTerminal), true);
    await assert.rejects(
      confirm('delete everything?', undefined, notTerminal),
      (error: Error) => error instanceof ConfirmationRequiredError && /run again with --yes/.test(error.message),
    );
  });
});
