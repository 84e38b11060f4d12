/**
 * The SDM on a granule code: counters written through the active granule cells, read with plain counters and with the
 * covariance rule, and the capacity (the largest load at which stored patterns are recalled to 99% of their bits).
 *
 * Plain counters (Kanerva 1988): writing value v through active set A adds (2 v_b - 1) to C[j][b] for every j in A;
 * a read with cue set A' sums s_b = sum_{j in A'} C[j][b] and recalls bit b as [s_b > 0] (0 on a tie, as BinarySdm's
 * 'zero' rule). Since C[j][b] = sum_w a_wj (2 v_wb - 1), the sum is s_b = sum_w |A' n A_w| (2 v_wb - 1): this memory
 * keeps the written codes (as bit sets) and values, not the r x n counters, and reads through the overlaps, at a cost
 * independent of the coding level.
 *
 * Covariance rule (Tsodyks & Feigel'man 1988, Europhys Lett 6:101; Dayan & Willshaw 1991, Biol Cybern 65:253):
 * C[j][b] += (2 v_b - 1)(a_j - |A| / r). The read sum is the plain sum minus |A'| / r times the column sum
 * S_b = sum_j C[j][b] = sum_w |A_w| (2 v_wb - 1): s^cov_b = s_b - |A'| S_b / r. It removes the interference term of the
 * mean overlap between codes of different patterns (r f^2 per pattern, growing as the load). Bit b is recalled as
 * [r s_b - |A'| S_b > 0], in exact integer arithmetic.
 */

/** Set bits of a 32-bit word. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** A sorted active set as a bit set of ceil(r / 32) words (cell j is bit j & 31 of word j >>> 5). */
export function toBitset(code: ArrayLike<number>, r: number, out: Uint32Array = new Uint32Array(Math.ceil(r / 32))): Uint32Array {
  out.fill(0);
  for (let i = 0; i < code.length; i++) {
    const j = code[i]!;
    out[j >>> 5] = (out[j >>> 5]! | (1 << (j & 31))) >>> 0;
  }
  return out;
}

export interface ReadSums {
  /** s_b, plain counters. */
  readonly plain: Float64Array;
  /** s_b - |A'| S_b / r, covariance rule. */
  readonly covariance: Float64Array;
}

export interface ReadBits {
  readonly plain: Uint8Array;
  readonly covariance: Uint8Array;
}

/** An SDM over r granule cells and `valueBits`-bit values, written through granule codes. */
export class CodeMemory {
  readonly r: number;
  readonly valueBits: number;
  private readonly words: number;
  private bits: Uint32Array;
  private signs: Int8Array;
  private readonly sizes: number[] = [];
  /** S_b = sum_w |A_w| (2 v_wb - 1). */
  private readonly columnSums: Float64Array;
  private readonly cueBits: Uint32Array;

  constructor(r: number, valueBits: number) {
    if (!Number.isInteger(r) || r < 1) throw new RangeError(`granule cells r must be a positive integer, got ${r}`);
    if (!Number.isInteger(valueBits) || valueBits < 1) throw new RangeError(`value bits must be a positive integer, got ${valueBits}`);
    this.r = r;
    this.valueBits = valueBits;
    this.words = Math.ceil(r / 32);
    this.bits = new Uint32Array(this.words * 16);
    this.signs = new Int8Array(valueBits * 16);
    this.columnSums = new Float64Array(valueBits);
    this.cueBits = new Uint32Array(this.words);
  }

  /** Patterns written so far. */
  get stored(): number {
    return this.sizes.length;
  }

  /** Writes value v (0/1 per bit) through the active set `code` (sorted cell indices below r). */
  write(code: Uint32Array, value: Uint8Array): void {
    if (value.length !== this.valueBits) throw new RangeError(`value of ${value.length} bits for a memory of ${this.valueBits}`);
    const w = this.sizes.length;
    if ((w + 1) * this.words > this.bits.length) {
      const grown = new Uint32Array(this.bits.length * 2);
      grown.set(this.bits);
      this.bits = grown;
      const s = new Int8Array(this.signs.length * 2);
      s.set(this.signs);
      this.signs = s;
    }
    toBitset(code, this.r, this.bits.subarray(w * this.words, (w + 1) * this.words));
    for (let b = 0; b < this.valueBits; b++) {
      const s = value[b] ? 1 : -1;
      this.signs[w * this.valueBits + b] = s;
      this.columnSums[b]! += s * code.length;
    }
    this.sizes.push(code.length);
  }

  /** |A' n A_w| for every stored w. */
  overlaps(cue: Uint32Array): Int32Array {
    const L = this.sizes.length;
    const W = this.words;
    const o = new Int32Array(L);
    const bits = this.bits;
    if (cue.length < 2 * W) {
      for (let w = 0, base = 0; w < L; w++, base += W) {
        let c = 0;
        for (let i = 0; i < cue.length; i++) {
          const j = cue[i]!;
          c += (bits[base + (j >>> 5)]! >>> (j & 31)) & 1;
        }
        o[w] = c;
      }
    } else {
      const cb = toBitset(cue, this.r, this.cueBits);
      for (let w = 0, base = 0; w < L; w++, base += W) {
        let c = 0;
        for (let q = 0; q < W; q++) {
          const x = bits[base + q]! & cb[q]!;
          if (x !== 0) c += popcount32(x);
        }
        o[w] = c;
      }
    }
    return o;
  }

  /** The read sums for a cue's active set (plain counters and covariance rule). */
  sums(cue: Uint32Array): ReadSums {
    const o = this.overlaps(cue);
    const n = this.valueBits;
    const plain = new Float64Array(n);
    for (let w = 0; w < o.length; w++) {
      const ow = o[w]!;
      if (ow === 0) continue;
      const base = w * n;
      for (let b = 0; b < n; b++) plain[b]! += ow * this.signs[base + b]!;
    }
    const covariance = new Float64Array(n);
    for (let b = 0; b < n; b++) covariance[b] = plain[b]! - (cue.length * this.columnSums[b]!) / this.r;
    return { plain, covariance };
  }

  /** Recalled bits: plain [s_b > 0]; covariance [r s_b - |A'| S_b > 0] (exact integers below 2^53). */
  read(cue: Uint32Array): ReadBits {
    const { plain: s } = this.sums(cue);
    const n = this.valueBits;
    const plain = new Uint8Array(n);
    const covariance = new Uint8Array(n);
    for (let b = 0; b < n; b++) {
      plain[b] = s[b]! > 0 ? 1 : 0;
      covariance[b] = this.r * s[b]! - cue.length * this.columnSums[b]! > 0 ? 1 : 0;
    }
    return { plain, covariance };
  }
}

export interface RecallPoint {
  readonly load: number;
  /** Fraction of the cues' bits recalled correctly, plain counters. */
  readonly plain: number;
  /** The same with the covariance rule. */
  readonly covariance: number;
  readonly cues: number;
}

export interface RecallParams {
  readonly r: number;
  /** Active sets of the stored patterns' addresses, in the order they are written (at least the largest load). */
  readonly codes: readonly Uint32Array[];
  /** The values written (auto-association: the addresses themselves). */
  readonly values: readonly Uint8Array[];
  /** Loads, strictly increasing. */
  readonly loads: readonly number[];
  /** Clean cues per load: stored patterns floor((c + 1/2) L / cues), c < min(cues, L). */
  readonly cuesPerLoad: number;
}

/**
 * Recall of stored patterns from clean cues as the load grows: patterns are written in order, and at each load the
 * cues (evenly spaced over the patterns stored so far) are read back with both rules.
 */
export function recallByLoad(p: RecallParams): RecallPoint[] {
  const { loads } = p;
  loads.forEach((L, i) => {
    if (!Number.isInteger(L) || L < 1 || (i > 0 && L <= loads[i - 1]!)) throw new RangeError(`loads must be positive integers in increasing order, got [${loads.join(', ')}]`);
  });
  const last = loads[loads.length - 1] ?? 0;
  if (p.codes.length < last || p.values.length < last) throw new RangeError(`${last} patterns needed, got ${Math.min(p.codes.length, p.values.length)}`);
  const n = p.values[0]?.length ?? 0;
  const mem = new CodeMemory(p.r, n);
  const out: RecallPoint[] = [];
  for (const L of loads) {
    while (mem.stored < L) mem.write(p.codes[mem.stored]!, p.values[mem.stored]!);
    const cues = Math.min(p.cuesPerLoad, L);
    let okPlain = 0;
    let okCov = 0;
    for (let c = 0; c < cues; c++) {
      const idx = Math.floor(((c + 0.5) * L) / cues);
      const read = mem.read(p.codes[idx]!);
      const v = p.values[idx]!;
      for (let b = 0; b < n; b++) {
        if (read.plain[b] === v[b]) okPlain++;
        if (read.covariance[b] === v[b]) okCov++;
      }
    }
    out.push({ load: L, plain: okPlain / (cues * n), covariance: okCov / (cues * n), cues });
  }
  return out;
}

/** The largest load whose recall is at least `level` (default 0.99), or 0 when none is. */
export function capacityAt(points: readonly RecallPoint[], rule: 'plain' | 'covariance', level = 0.99): number {
  let cap = 0;
  for (const pt of points) if (pt[rule] >= level) cap = pt.load;
  return cap;
}
