import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Base85Error, b85decode, b85encode } from '../../src/chain/base85.ts';

// Vectors worked out by hand from Python's rules and checked against CPython 3.11 base64.b85encode/b85decode.
const VECTORS: readonly [string, string][] = [
  ['', ''],
  ['00', '00'],
  ['0000', '000'],
  ['000000', '0000'],
  ['00000000', '00000'],
  ['ffffffff', '|NsC0'],
  [Buffer.from('hello').toString('hex'), 'Xk~0{Zv'],
];

describe('base85', () => {
  test('encodes and decodes the known vectors', () => {
    for (const [hex, text] of VECTORS) {
      assert.equal(b85encode(Buffer.from(hex, 'hex')), text, `encode ${hex}`);
      assert.equal(Buffer.from(b85decode(text)).toString('hex'), hex, `decode ${text}`);
    }
  });

  test('decode(encode(x)) = x and the length is ceil(5n/4)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = b85encode(bytes);
        assert.equal(text.length, Math.ceil((bytes.length * 5) / 4));
        assert.deepEqual(b85decode(text), bytes);
      }),
    );
  });

  test('a dangling single character decodes to nothing, as in Python', () => {
    assert.deepEqual(b85decode('0'), new Uint8Array());
    assert.deepEqual(b85decode('Xk~0{Z'), new Uint8Array(Buffer.from('hell')));
  });

  test('a character outside the alphabet is refused with its position', () => {
    for (const [text, position] of [
      ['ab"c', 2],
      ['abc de', 3],
      ['abcde:', 5],
    ] as const) {
      assert.throws(
        () => b85decode(text),
        (error: unknown) => error instanceof Base85Error && error.position === position && /bad base85 character/.test(error.message),
      );
    }
  });

  test('a group above 2^32 - 1 is refused as an overflow', () => {
    assert.throws(
      () => b85decode('~~~~~'),
      (error: unknown) => error instanceof Base85Error && /overflow/.test(error.message),
    );
    assert.throws(
      () => b85decode('00000|NsC1'),
      (error: unknown) => error instanceof Base85Error && error.position === 5,
    );
  });
});
