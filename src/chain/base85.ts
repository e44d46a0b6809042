/**
 * Base85 with the alphabet and padding rules of Python's `base64.b85encode` / `b85decode`
 * (the RFC 1924 characters), so that blobs made by the subnet's Python tools decode here and
 * the other way round.
 *
 * Encoding: the input is padded with zero bytes to a multiple of 4, every 4-byte big-endian word
 * becomes 5 characters (most significant first), and as many characters as padding bytes were
 * added are dropped from the end (n bytes → ceil(5n/4) characters).
 * Decoding: the input is padded with `~` (the largest digit) to a multiple of 5, every 5-character
 * group must fit in 32 bits, and as many bytes as padding characters were added are dropped.
 * As in Python, a dangling single character decodes to nothing and whitespace is not skipped.
 *
 * Vectors (worked out by hand from the rules above): `""` ↔ `""`, `00` ↔ `"00"`,
 * `ffffffff` ↔ `"|NsC0"`, `"hello"` ↔ `"Xk~0{Zv"`.
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const MAX_WORD = 0xffff_ffff;

/** A string that is not valid base85: names the offending position. */
export class Base85Error extends Error {
  override readonly name = 'Base85Error';
  constructor(
    message: string,
    /** Index of the bad character, or of the first character of the overflowing group. */
    readonly position: number,
  ) {
    super(message);
  }
}

function digitValue(code: number): number {
  return DIGITS[code] ?? -1;
}

const DIGITS: readonly number[] = (() => {
  const table = new Array<number>(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Encodes bytes as base85 (Python `base64.b85encode(data)` with `pad=False`). */
export function b85encode(data: Uint8Array): string {
  const padding = (4 - (data.length % 4)) % 4;
  const padded = new Uint8Array(data.length + padding);
  padded.set(data);
  const view = new DataView(padded.buffer);
  let out = '';
  for (let i = 0; i < padded.length; i += 4) {
    let word = view.getUint32(i);
    const chunk = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = ALPHABET[word % 85]!;
      word = Math.floor(word / 85);
    }
    out += chunk.join('');
  }
  return padding === 0 ? out : out.slice(0, out.length - padding);
}

/** Decodes base85 (Python `base64.b85decode`); throws {@link Base85Error} on a bad character or an overflow. */
export function b85decode(text: string): Uint8Array {
  const padding = (5 - (text.length % 5)) % 5;
  const padded = text + '~'.repeat(padding);
  const out = new Uint8Array((padded.length / 5) * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < padded.length; i += 5) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const value = digitValue(padded.charCodeAt(i + j));
      if (value < 0) throw new Base85Error(`bad base85 character ${JSON.stringify(padded[i + j])} at position ${i + j}`, i + j);
      acc = acc * 85 + value;
    }
    if (acc > MAX_WORD) throw new Base85Error(`base85 overflow in the group starting at position ${i}`, i);
    view.setUint32((i / 5) * 4, acc);
  }
  return padding === 0 ? out : out.slice(0, out.length - padding);
}
