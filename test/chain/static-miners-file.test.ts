import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStaticMinersFile, StaticMinersFileError } from '../../src/chain/static-miners-file.ts';

const FILE = '/etc/evalpool/miners.json';

function problems(value: unknown): string[] {
  try {
    parseStaticMinersFile(FILE, typeof value === 'string' ? value : JSON.stringify(value));
  } catch (error) {
    assert.ok(error instanceof StaticMinersFileError);
    return error.message.split('\n');
  }
  return [];
}

describe('static miners file', () => {
  test('accepts the documented format', () => {
    const entries = parseStaticMinersFile(
      FILE,
      JSON.stringify({
        miners: [
          { uid: 0, hotkey: 'demo-miner-0', endpoint: 'http://127.0.0.1:9100' },
          {
            uid: 1,
            hotkey: '5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX',
            endpoint: 'https://10.0.0.7:8000',
            revision: 'v2',
            committed_block: 120,
          },
          { uid: 2, hotkey: 'c', commitment: 'org/policy:1a2b3c4d:95edf2b6-e18b-400a-8398-5573df10e5e4' },
        ],
      }),
    );
    assert.equal(entries.length, 3);
  });

  test('every problem names the file, the entry (index and hotkey) and the field', () => {
    assert.deepEqual(
      problems({
        miners: [
          { uid: 0, hotkey: 'a', endpoint: 'http://x' },
          { uid: -1, hotkey: 'b', endpoint: 'http://x' },
          { uid: 2, hotkey: 'has:colon', endpoint: 'http://x' },
          { uid: 3, hotkey: 'd', endpoint: 'ftp://x' },
          { uid: 4, hotkey: 'e', endpont: 'http://x' },
          { uid: 5, endpoint: 'http://x' },
          { uid: 6, hotkey: 'g', endpoint: 'http://x', revision: 'a:b' },
          { uid: 7, hotkey: 'h', endpoint: 'http://x', committed_block: 1.5 },
        ],
      }),
      [
        `${FILE}: entry 1 (hotkey b): field "uid": must be ≥ 0`,
        `${FILE}: entry 2 (hotkey has:colon): field "hotkey": expected 1-128 of letters, digits, "." "_" "-"`,
        `${FILE}: entry 3 (hotkey d): field "endpoint": expected an http:// or https:// URL`,
        `${FILE}: entry 4 (hotkey e): field "endpont": unknown field (allowed: uid, hotkey, endpoint, commitment, revision, committed_block)`,
        `${FILE}: entry 5: field "hotkey": required field "hotkey" is missing`,
        `${FILE}: entry 6 (hotkey g): field "revision": expected 1-64 of letters, digits, "." "_" "-"`,
        `${FILE}: entry 7 (hotkey h): field "committed_block": expected an integer`,
      ],
    );
  });

  test('exactly one of endpoint or commitment', () => {
    assert.deepEqual(problems({ miners: [{ uid: 0, hotkey: 'a' }] }), [
      `${FILE}: entry 0 (hotkey a): exactly one of "endpoint" or "commitment" is required`,
    ]);
    assert.deepEqual(problems({ miners: [{ uid: 0, hotkey: 'a', endpoint: 'http://x', commitment: 'http://y' }] }), [
      `${FILE}: entry 0 (hotkey a): exactly one of "endpoint" or "commitment" is required`,
    ]);
  });

  test('uids and hotkeys are unique', () => {
    assert.deepEqual(
      problems({
        miners: [
          { uid: 0, hotkey: 'a', endpoint: 'http://x' },
          { uid: 0, hotkey: 'a', endpoint: 'http://y' },
        ],
      }),
      [
        `${FILE}: entry 1 (hotkey a): field "uid": 0 is already used by entry 0`,
        `${FILE}: entry 1 (hotkey a): field "hotkey": already used by entry 0`,
      ],
    );
  });

  test('the top level: JSON, an object, a miners array', () => {
    assert.match(problems('{oops')[0]!, /^\/etc\/evalpool\/miners\.json: not valid JSON: /);
    assert.deepEqual(problems([]), [`${FILE}: expected an object with a "miners" array, got an array`]);
    assert.deepEqual(problems({ miners: {} }), [`${FILE}: field "miners": expected an array of miners`]);
    assert.deepEqual(problems({ miners: [], extra: 1 }), [`${FILE}: field "extra": unknown field (allowed: miners)`]);
  });
});
