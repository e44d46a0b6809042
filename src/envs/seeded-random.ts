/**
 * A small counter-based pseudo-random generator: draw `i` of stream `s` under seed `k` is a pure
 * hash of `(k, s, i)`. Pure functions of their inputs make episodes reproducible bit for bit
 * and let independent consumers (initial state, policy noise) draw without sharing a sequence.
 * Not for cryptography: task ids that miners must not predict come from `node:crypto`.
 */
export class SeededRandom {
  private counter = 0;
  private readonly seedLo: number;
  private readonly seedHi: number;

  /**
   * @param seed a non-negative safe integer (a task id)
   * @param stream separates independent uses of the same seed
   */
  constructor(
    seed: number,
    private readonly stream = 0,
  ) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    this.seedLo = seed >>> 0;
    this.seedHi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const i = this.counter++;
    const hi = hash32(this.seedLo, this.seedHi, this.stream, i * 2) >>> 5; // 27 bits
    const lo = hash32(this.seedLo, this.seedHi, this.stream, i * 2 + 1) >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform float in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A standard normal draw (Box-Muller; uses two uniforms). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1], so the log is finite
    const w = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }
}

/** Mixes four 32-bit words into one (murmur3-style multiply-xorshift rounds). */
export function hash32(a: number, b: number, c: number, d: number): number {
  let h = 0x9e3779b9 ^ a;
  h = mix(h ^ Math.imul(b ^ 0x85ebca6b, 0xcc9e2d51));
  h = mix(h ^ Math.imul(c ^ 0xc2b2ae35, 0x1b873593));
  h = mix(h ^ Math.imul(d >>> 0, 0x27d4eb2f) ^ Math.floor(d / 0x1_0000_0000));
  return mix(h) >>> 0;
}

function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x;
}
