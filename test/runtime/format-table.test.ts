import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rowsAsJson, snakeKeys } from '../../src/cli/output.ts';
import { elideMiddle, formatTable, TABLE_MAX_WIDTH, wrapText } from '../../src/runtime/format-table.ts';

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
