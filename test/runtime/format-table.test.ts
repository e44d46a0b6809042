import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rowsAsJson, snakeKeys } from '../../src/cli/output.ts';
import {
  elideList,
  elideMiddle,
  elideUrl,
  formatTable,
  formatTableLines,
  TABLE_MAX_WIDTH,
  wrapText,
} from '../../src/runtime/format-table.ts';

// Real SS58 hotkeys: 48 characters.
const HOTKEYS = [
  '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
  '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
  '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y',
];

describe('CLI tables', () => {
  test('a table of 48-character hotkeys, endpoints and reasons fits 100 columns, keeping both ends of each key', () => {
    const rows = HOTKEYS.map((hotkey, uid) => [
      uid,
      hotkey,
      `rev${uid}`,
      `https://${hotkey.toLowerCase()}.deployments.example.org/policy`,
      4_000_000 + uid,
      'ok',
      new Date(Date.UTC(2026, 0, 1, 12, uid)),
    ]);
    const text = formatTable(['uid', 'hotkey', 'revision', 'endpoint', 'committed_block', 'status', 'seen_at'], rows);
    for (const line of text.split('\n')) assert.ok(line.length <= TABLE_MAX_WIDTH, `${line.length} columns: ${line}`);
    for (const hotkey of HOTKEYS) {
      assert.ok(text.includes(hotkey.slice(0, 6)) && text.includes(hotkey.slice(-6)), `both ends of ${hotkey}`);
      assert.ok(!text.includes(hotkey), 'elided');
    }
    // Numbers and times are never cut; times in the one format.
    assert.ok(text.includes('4000002'));
    assert.ok(text.includes('2026-01-01 12:02:00Z'));

    const wide = formatTable(['uid', 'hotkey', 'revision', 'endpoint', 'committed_block', 'status', 'seen_at'], rows, { wide: true });
    for (const hotkey of HOTKEYS) assert.ok(wide.includes(hotkey), '--wide prints keys in full');
    assert.ok(wide.split('\n').some((line) => line.length > TABLE_MAX_WIDTH));
  });

  test('a header wider than its cells is broken into lines before a URL is elided (miners show)', () => {
    const url = 'http://127.0.0.1:19201';
    const rows = HOTKEYS.map((hotkey, uid) => [uid, hotkey, 'a1b2c3d4', url, 0, 'endpoint', 'excluded: bad_form: no revision given']);
    const text = formatTable(['uid', 'hotkey', 'revision', 'endpoint', 'committed_block', 'form', 'status'], rows);
    const lines = text.split('\n');
    for (const line of lines) assert.ok(line.length <= TABLE_MAX_WIDTH, `${line.length} columns: ${line}`);
    assert.ok(text.includes(url), `the URL whole:\n${text}`);
    // The header's words on two lines, the last one on the rule; the cells start after it.
    assert.match(lines[0]!, /\bcommitted$/);
    assert.match(lines[1]!, /^uid\s+hotkey\s+revision\s+endpoint\s+block\s+form\s+status$/);
    assert.match(lines[2]!, /^-+( {2}-+)+$/);
    assert.equal(lines.length, 3 + HOTKEYS.length);
    // With room, nothing changes: one header line.
    assert.equal(formatTable(['committed_block'], [[0]]).split('\n')[0], 'committed_block');
  });

  test('a list keeps its items when space can be found elsewhere, and loses whole items (counted) when not', () => {
    const envs = 'mujoco/balance-v1,mujoco/reach-v1,mujoco/push-v1';
    const episodes = 'ok 150 · fail 30 · unavail 4';
    // 126 columns in full: the id (a key) and the header "last seen" give the room, not the list.
    const text = formatTable(['worker', 'state', 'last seen', 'envs', 'conc', 'busy'], [[HOTKEYS[0], 'live', '3s ago', envs, 4, 1]]);
    for (const line of text.split('\n')) assert.ok(line.length <= TABLE_MAX_WIDTH, `${line.length} columns: ${line}`);
    assert.ok(text.includes(envs), `every env shown:\n${text}`);
    assert.ok(text.includes('5GrwvaE') && !text.includes(HOTKEYS[0]!), `the worker id gave the room:\n${text}`);
    const both = formatTable(['worker', 'envs', 'episodes'], [['gpu-node-3-4711', envs, episodes]]);
    assert.ok(both.includes(envs) && both.includes(episodes), both);

    assert.equal(elideList(envs, 36), 'mujoco/balance-v1,…+2');
    assert.equal(elideList(envs, 40), 'mujoco/balance-v1,mujoco/reach-v1,…+1');
    assert.equal(elideList(episodes, 22), 'ok 150 · fail 30 · …+1');
    assert.equal(elideList(envs, envs.length), envs);
    assert.equal(elideList('one-long-item-without-separator', 10), elideMiddle('one-long-item-without-separator', 10));
    // Not even one whole item fits: the count alone, never a cut item ('mujoc…d-v5' reads as another env).
    assert.equal(elideList(envs, 16), '…+3');
    assert.equal(elideList(episodes, 5), '…+3');
    const crowded = formatTable(['a', 'b'], [[envs, `${envs},${envs}`]]);
    for (const line of crowded.split('\n')) assert.ok(line.length <= TABLE_MAX_WIDTH, `${line.length} columns: ${line}`);
    assert.match(crowded, /,…\+\d\n?/, `no room: whole items dropped and counted:\n${crowded}`);
    assert.doesNotMatch(crowded, /[a-z]…[a-z]/, 'no item cut in its middle');
  });

  test('a URL with a comma is not a list: it keeps its host and loses its path, not its end', () => {
    const url = 'http://h/x?a=1,2';
    assert.equal(elideList(url, 12), 'http://h/x…2', 'cut as a URL (its path loses its middle), not by items (…+1)');
    const endpoints = HOTKEYS.map((hotkey, i) => [
      hotkey,
      `http://miner-${i}.example.org:9001/v1/act?envs=a,b,c`,
      'mujoco/reach-v1,mujoco/push-v1',
    ]);
    const { head, rows, listsCut } = formatTableLines(['hotkey', 'endpoint', 'envs'], endpoints, { maxWidth: 80 });
    for (const line of [...head, ...rows]) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
    for (const [i, line] of rows.entries()) {
      assert.ok(line.includes(`miner-${i}.example.org:9001`), `host:port kept: ${line}`);
      assert.doesNotMatch(line, /…\+\d/, `the URL is no list: ${line}`);
    }
    assert.equal(listsCut, false);
  });

  test('a column is a list only when most of its cells are: one list among reasons is text, a lone env among lists is a list', () => {
    const reasons = ['miner answered 503 twice', 'no revision given', 'bad action a,b,c,d,e,f,g,h,i,j,k,l,m'];
    const text = formatTable(
      ['hotkey', 'reason'],
      HOTKEYS.map((hotkey, i) => [hotkey, reasons[i]]),
      { maxWidth: 50 },
    );
    assert.ok(!/…\+\d/.test(text), `reasons are not cut by items:\n${text}`);
    const envs = ['mujoco/balance-v1,mujoco/reach-v1,mujoco/push-v1,mujoco/walk-v1', 'mujoco/reach-v1', 'mujoco/reach-v1'];
    const { rows, listsCut } = formatTableLines(
      ['worker', 'envs'],
      HOTKEYS.map((hotkey, i) => [hotkey, envs[i]]),
      { maxWidth: 60 },
    );
    assert.match(rows[0]!, /,…\+\d$/, `the env list loses whole items:\n${rows.join('\n')}`);
    assert.ok(rows[1]!.endsWith('mujoco/reach-v1'));
    assert.equal(listsCut, true, 'a cut list is reported, whatever the column');
  });

  test('URLs that differ only in their host stay distinct: the path goes first, then the scheme', () => {
    const urls = [1, 2, 3].map((n) => `http://10.0.0.${n}:9001/some/path`);
    const rows = HOTKEYS.map((hotkey, i) => [
      i,
      hotkey,
      'a1b2c3d4',
      urls[i],
      4_000_000,
      'endpoint',
      'excluded: bad_form: no revision given',
    ]);
    const lines = formatTable(['uid', 'hotkey', 'revision', 'endpoint', 'committed_block', 'form', 'status'], rows).split('\n');
    for (const line of lines) assert.ok(line.length <= TABLE_MAX_WIDTH, `${line.length} columns: ${line}`);
    for (const n of [1, 2, 3])
      assert.ok(
        lines.some((line) => line.includes(`10.0.0.${n}:9001`)),
        `host ${n}:\n${lines.join('\n')}`,
      );
    assert.equal(elideUrl(urls[0]!, 22), 'http://10.0.0.1:9001/…');
    assert.equal(elideUrl(urls[0]!, 25), 'http://10.0.0.1:9001/s…th');
    assert.equal(elideUrl(urls[0]!, 15), '10.0.0.1:9001/…');
    assert.equal(elideUrl(urls[0]!, 10), '10.0…9001…');
    assert.equal(elideUrl('http://10.0.0.1:9001', 15), '10.0.0.1:9001');
    assert.equal(elideUrl(urls[0]!, 30), urls[0]);
    assert.equal(elideUrl(HOTKEYS[0]!, 15), elideMiddle(HOTKEYS[0]!, 15), 'not a URL: its middle');
  });

  test('a narrow table is left as it is', () => {
    assert.equal(formatTable(['a', 'b'], [['x', 1]]), 'a  b\n-  -\nx  1');
  });

  test('wrapText breaks at spaces within the width, indents, and splits a word longer than a line without losing a character', () => {
    assert.equal(wrapText('aa bb cc dd', 10, '    ', 'x: '), 'x: aa bb\n    cc dd');
    assert.equal(wrapText('short', 20, '  ', '- '), '- short');
    const long = `see ${'y'.repeat(25)} end`;
    const wrapped = wrapText(long, 12, '  ');
    for (const line of wrapped.split('\n')) assert.ok(line.length <= 12, line);
    assert.equal(wrapped.replace(/\n {2}/g, ''), `  see${'y'.repeat(25)} end`, 'every character kept');
    assert.ok(wrapped.includes('y'.repeat(10)));
  });

  test("wrapText keeps the text's own line breaks and wraps each line; runs of spaces become one", () => {
    const reason = `circuit of ${HOTKEYS[0]} is open:\n  last error: connect ECONNREFUSED 10.0.0.1:9001\n\nretry   after 30s\n`;
    const wrapped = wrapText(reason, 56, '    ', '  reason: ');
    const lines = wrapped.split('\n');
    for (const line of lines) assert.ok(line.length <= 56, line);
    assert.deepEqual(lines, [
      '  reason: circuit of',
      `    ${HOTKEYS[0]} is`,
      '    open:',
      '    last error: connect ECONNREFUSED 10.0.0.1:9001',
      '',
      '    retry after 30s',
    ]);
    assert.equal(wrapText('a\r\nb', 20, ' '), ' a\n b');
  });

  test('elideMiddle keeps the head and the tail', () => {
    assert.equal(elideMiddle(HOTKEYS[0]!, 15), '5GrwvaE…HGKutQY');
    assert.equal(elideMiddle('short', 15), 'short');
    assert.equal(elideMiddle(HOTKEYS[0]!, 15).length, 15);
  });

  test('--json rows: snake_case keys, dates as ISO 8601, nothing elided', () => {
    const at = new Date(Date.UTC(2026, 0, 1));
    assert.deepEqual(rowsAsJson(['hotkey', 'last change', 'in_flight'], [[HOTKEYS[0], at, 3]]), [
      { hotkey: HOTKEYS[0], last_change: '2026-01-01T00:00:00.000Z', in_flight: 3 },
    ]);
    assert.deepEqual(snakeKeys({ successRate: 1, errorsByClass: { miner_timeout: 2 }, seeds: [1] }), {
      success_rate: 1,
      errors_by_class: { miner_timeout: 2 },
      seeds: [1],
    });
  });
});
