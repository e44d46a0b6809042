import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { describe, test } from 'node:test';
import type { Command, Option } from 'commander';
import { createProgram } from '../../src/cli/program.ts';

/** The README and the manual beside it (docs/): their examples are the ones users copy. */
const PAGES = [
  'README.md',
  ...readdirSync(new URL('../../docs/', import.meta.url))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
].map((file) => ({ file, text: readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8') }));

/** An `evalpool …` invocation of the README or docs/, where it was found and whether it is a runnable example (a code block). */
interface Example {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly runnable: boolean;
}

const INVOCATION = /(?:^|[\s(`=])((?:[A-Z_]+=\S+\s+)*(?:npx\s+)?evalpool\s+[^\s:][^`]*)/;

/** Every `evalpool …` of one page: the lines of code blocks (runnable) and inline code spans (references). */
function examples(file: string, markdown: string): Example[] {
  const found: Example[] = [];
  let fenced = false;
  markdown.split('\n').forEach((raw, i) => {
    if (raw.startsWith('```')) {
      fenced = !fenced;
      return;
    }
    const line = raw.replaceAll('\\|', '|');
    if (fenced) {
      // A command line: `$ …`, or a line that starts with the command (not output such as "evalpool: …").
      const text = line.replace(/^\$\s+/, '');
      if ((line.startsWith('$ ') || /^(?:[A-Z_]+=\S+\s+)*(?:npx\s+)?evalpool\s+[a-z-]+(?:\s|$)/.test(text)) && INVOCATION.test(text))
        found.push({ file, line: i + 1, text: INVOCATION.exec(text)![1]!, runnable: true });
      return;
    }
    for (const span of line.matchAll(/`([^`]+)`/g)) {
      const match = /^((?:[A-Z_]+=\S+\s+)*(?:npx\s+)?evalpool\s+[^\s:].*)$/.exec(span[1]!);
      if (match) found.push({ file, line: i + 1, text: match[1]!, runnable: false });
    }
  });
  return found;
}

/** Shell-like words: quotes kept together, cut at a pipe, `;`, `&&`, a comment or a redirection. */
function words(text: string): string[] {
  const command = text.split(/\s(?:\||&&|;|#|>|2>)\s?/)[0]!;
  return [...command.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0]);
}

/** A command's options by each of their flags (`--block`, `-b`). */
const longFlags = (options: readonly Option[]): Map<string, Option> =>
  new Map(options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined).map((f) => [f, o])));

/**
 * Problems of one invocation against the command tree: unknown commands and flags. `a|b` (the
 * README's "either") follows both; a flag must belong to one of them.
 */
function check(program: Command, text: string): string[] {
  const tokens = words(text);
  while (tokens[0] !== undefined && /^[A-Z_]+=/.test(tokens[0])) tokens.shift();
  if (tokens[0] === 'npx') tokens.shift();
  if (tokens.shift() !== 'evalpool') return [`not an evalpool command: ${text}`];
  const problems: string[] = [];
  let commands = [program];
  let path = 'evalpool';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\[|\]$/g, '');
    if (token.startsWith('-')) {
      const flag = token.split('=')[0]!;
      if (flag === '--help' || flag === '-h' || (commands[0] === program && (flag === '--version' || flag === '-V'))) continue;
      const option = commands.map((c) => longFlags(c.options).get(flag)).find((o) => o !== undefined);
      if (!option) problems.push(`${path}: unknown flag ${flag} (in "${text}")`);
      else if ((option.required || option.optional) && !token.includes('=')) i++;
      continue;
    }
    if (commands.every((c) => c.commands.length === 0)) continue; // an argument
    const subcommands = token.split('|').map((name) => commands[0]!.commands.find((c) => c.name() === name));
    if (subcommands.every((c) => c !== undefined)) {
      commands = subcommands;
      path = `${path} ${token}`;
    } else if (!/^[<[]|…|\.\.\./.test(tokens[i]!)) {
      problems.push(`${path}: unknown command ${token} (in "${text}")`);
      break;
    }
  }
  return problems;
}

describe('README and docs/ examples', () => {
  const found = PAGES.flatMap((page) => examples(page.file, page.text));

  test('every `evalpool …` of the README and docs/ names real commands and flags', () => {
    assert.ok(found.length >= 40, `found ${found.length}`);
    const program = createProgram();
    const problems = found.flatMap((e) => check(program, e.text).map((p) => `${e.file}:${e.line}: ${p}`));
    assert.deepEqual(problems, []);
  });

  test('runnable examples (code blocks) use `npx evalpool`, which works in a fresh clone after `npm ci`', () => {
    const bare = found.filter((e) => e.runnable && !/(?:^|\s)npx\s+evalpool\s/.test(e.text)).map((e) => `${e.file}:${e.line}: ${e.text}`);
    assert.deepEqual(bare, []);
  });

  test("the README's set-up line puts `evalpool` on the PATH: bin/evalpool runs from any folder", () => {
    const readme = PAGES.find((p) => p.file === 'README.md')!.text;
    assert.match(readme, /^export PATH="\$PWD\/bin:\$PATH"/m);
    const bin = new URL('../../bin/', import.meta.url).pathname;
    const version = spawnSync('evalpool', ['--version'], {
      cwd: new URL('../../docs/', import.meta.url).pathname,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
  });

  test('the checker catches a wrong flag and a wrong command', () => {
    const program = createProgram();
    assert.deepEqual(check(program, 'npx evalpool weights show --block 5 --json'), []);
    assert.deepEqual(check(program, 'evalpool tasks paused list|delete [--miner H] [--env E] [--older-than 2h] [--dry-run]'), []);
    assert.equal(check(program, 'evalpool weights show --blok 5').length, 1);
    assert.equal(check(program, 'evalpool weights shwo').length, 1);
  });
});
