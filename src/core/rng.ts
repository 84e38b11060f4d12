/**
 * Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011). A draw is a pure function of (seed, stream, index, tick, draw), so every backend, thread count
 * and update order sees the same numbers. No state, no `Math.random`.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers (exact in doubles via 16-bit limbs). */
function umulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/**
 * Philox4x32 with 10 rounds. Writes four 32-bit words into `out` (unsigned).
 * Counter (c0..c3) and key (k0, k1) are unsigned 32-bit integers.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = umulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = umulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/** FNV-1a hash of a name, used to turn stream names ("init:exc", "conn:exc->inh") into 32-bit stream ids. */
export function streamId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/**
 * A seeded counter-based generator. Every method is a pure function of its arguments and the seed:
 * `uniform(stream, index, tick)` returns the same number whenever and wherever it is called.
 */
export class CounterRng {
  readonly seed: number;
  private readonly k0: number;
  private readonly k1: number;
  private readonly buf = new Uint32Array(4);

  /** @param seed a non-negative integer below 2^53. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer below 2^53, got ${seed}`);
    this.seed = seed;
    this.k0 = seed >>> 0;
    this.k1 = Math.floor(seed / 4294967296) >>> 0;
  }

  /** Four raw 32-bit words for counter (stream, index, tick, draw). The returned array is reused by the next call. */
  words(stream: number, index: number, tick: number, draw = 0): Uint32Array {
    return philox4x32(stream, index, tick, draw, this.k0, this.k1, this.buf);
  }

  /** Uniform double in the open interval (0, 1) with 53 random bits. */
  uniform(stream: number, index: number, tick: number, draw = 0): number {
    const w = philox4x32(stream, index, tick, draw, this.k0, this.k1, this.buf);
    return ((w[0]! >>> 5) * TWO_POW_26 + (w[1]! >>> 6) + 0.5) / TWO_POW_53;
  }

  /** Two independent uniforms in (0, 1) from one Philox call, written to out[0], out[1]. */
  uniform2(stream: number, index: number, tick: number, draw: number, out: Float64Array): Float64Array {
    const w = philox4x32(stream, index, tick, draw, this.k0, this.k1, this.buf);
    out[0] = ((w[0]! >>> 5) * TWO_POW_26 + (w[1]! >>> 6) + 0.5) / TWO_POW_53;
    out[1] = ((w[2]! >>> 5) * TWO_POW_26 + (w[3]! >>> 6) + 0.5) / TWO_POW_53;
    return out;
  }

  /** Standard normal draw (Box-Muller on the two uniforms of one Philox call). */
  normal(stream: number, index: number, tick: number, draw = 0): number {
    const w = philox4x32(stream, index, tick, draw, this.k0, this.k1, this.buf);
    const u1 = ((w[0]! >>> 5) * TWO_POW_26 + (w[1]! >>> 6) + 0.5) / TWO_POW_53;
    const u2 = ((w[2]! >>> 5) * TWO_POW_26 + (w[3]! >>> 6) + 0.5) / TWO_POW_53;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n) for n <= 2^32 (multiply-shift on 53 bits; bias below 2^-21 for n <= 2^32). */
  int(n: number, stream: number, index: number, tick: number, draw = 0): number {
    return Math.floor(this.uniform(stream, index, tick, draw) * n);
  }
}
