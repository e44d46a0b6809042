import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import { randomName } from '../helpers/random-name.ts';
import { runCli } from '../helpers/spawn-cli.ts';
import { useTestDatabase } from '../helpers/test-database.ts';

/**
 * The terminal sessions the README and docs/ show (a code block whose first line is
 * `$ npx evalpool …`, followed by what it printed) are run as written and must print what the
 * page shows. Lines that are measurements (latencies, rates per second) only have to be there.
 * A session that talks to a policy endpoint gets a demo expert miner at the address it names.
 */
const PAGES = [
  'README.md',
  ...readdirSync(new URL('../../docs/', import.meta.url))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

interface Session {
  readonly where: string;
  readonly variables: Record<string, string>;
  readonly args: string[];
  readonly output: string[];
}

function sessions(): Session[] {
  const found: Session[] = [];
  for (const file of PAGES) {
    const lines = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const command = /^\$ ((?:[A-Z_]+=\S+ )*)npx evalpool (.*)$/.exec(line);
      if (!command || !lines[i - 1]?.startsWith('```')) return;
      const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
      const variables = Object.fromEntries(
        command[1]!
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      found.push({ where: `${file}:${i + 1}`, variables, args: command[2]!.split(/\s+/), output: lines.slice(i + 1, end) });
    });
  }
  return found;
}

/** A measured figure: its line must be printed, its value may differ from run to run. */
const MEASURED = /^(act latency p\d+ \(ms\)|episodes\/s)\s/;
const ENDPOINT = /^http:\/\/127\.0\.0\.1:\d+$/;

describe('the terminal sessions shown in the README and docs/', () => {
  // A session runs against a database and a Redis prefix of this file's own, under the page's
  // variables: a page that one day shows a command that writes never touches a developer's state.
  const database = useTestDatabase();
  const miners: DemoMiner[] = [];
  after(() => Promise.all(miners.map((m) => m.close())));
  const found = sessions();

  test('there are sessions to check (the checker finds them)', () => {
    assert.ok(found.length >= 2, found.map((s) => s.where).join(', '));
  });

  for (const session of found) {
    test(`${session.where}: $ ${session.args.join(' ')}`, async () => {
      let args = session.args;
      let shown = session.output;
      const endpoint = args.find((a) => ENDPOINT.test(a));
      if (endpoint) {
        const miner = await startDemoMiner({ policy: 'expert' });
        miners.push(miner);
        const url = miner.url.replace(/\/$/, '');
        args = args.map((a) => (a === endpoint ? url : a));
        // The table is as wide as its longest value: the written address and the real one may differ in length.
        shown = shown.map((l) => l.replace(endpoint, url)).filter((l) => !/^-+\s+-+$/.test(l));
      }
      const result = await runCli(args, {
        EVALPOOL_DATABASE_URL: database.url,
        EVALPOOL_QUEUE_PREFIX: randomName('doc-session-'),
        ...session.variables,
      });
      const printed = `${result.stdout}${result.stderr}`.split('\n').filter((l) => l !== '' && !/^-+\s+-+$/.test(l));
      const normal = (l: string) => l.replace(/\s+/g, ' ').trim();
      assert.deepEqual(
        printed.map((l) => (MEASURED.test(l) ? MEASURED.exec(l)![1] : normal(l))),
        shown.map((l) => (MEASURED.test(l) ? MEASURED.exec(l)![1] : normal(l))),
        `${session.where}: the page shows something else than the command prints`,
      );
    });
  }
});
