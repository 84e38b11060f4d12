/**
 * The shared pattern set of the memory comparison: m random (key, value) pairs of n-bit patterns, the noisy queries
 * made from them, their two representations and the scores of a read.
 *
 * Representations. A pattern is canonically a 0/1 bit vector (`Uint8Array`). Readers that work on real vectors use the
 * bipolar form x_i = 2 b_i - 1 in {-1, +1} (`Int8Array`, classic Hopfield) or its L2-normalised version
 * u_i = (2 b_i - 1) / sqrt(n) (`Float64Array`, unit length; attention and modern Hopfield). For two n-bit patterns
 * at Hamming distance d the cosine of their bipolar forms is
 *
 *   cos(u(a), u(b)) = 1 - 2 d / n,
 *
 * so a cosine read is a Hamming-distance read (Bricken & Pehlevan 2021, "Attention approximates sparse distributed
 * memory", NeurIPS, section 3).
 *
 * Randomness. Every bit is an independent fair coin drawn from the counter-based generator of src/core/rng.ts: bit i
 * of row r on stream s is bit (i mod 32) of word ((i div 32) mod 4) of `rng.words(s, r, 0, i div 128)`. Keys, values
 * and queries use the streams 'readers:keys', 'readers:values' and 'readers:queries', so a set is a pure function of
 * (m, n, valueBits, association, seed) and growing m keeps the first patterns unchanged.
 *
 * Tie rule of the sign. `signBits` maps a real vector to bits by y_j = 1 if x_j > 0, 0 if x_j < 0 and, for x_j = 0
 * exactly, 'zero' (default, y_j = 0, i.e. y_j = [x_j > 0]), 'one' (y_j = 1) or 'keep' (y_j = the cue's bit). These are
 * the names and the default of the SDM threshold (src/models/memory/sdm/threshold.ts).
 */
import { InputError } from '../../../core/errors.ts';
import { CounterRng, streamId } from '../../../core/rng.ts';

/** A row-major matrix of doubles: element (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A `rows` x `cols` matrix over `data` (zeros when omitted). Throws if `data` has the wrong length. */
export function matrix(rows: number, cols: number, data: Float64Array = new Float64Array(rows * cols)): Matrix {
  if (!Number.isInteger(rows) || rows < 0) throw new InputError('matrix rows', `a non-negative integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 0) throw new InputError('matrix cols', `a non-negative integer, got ${cols}`);
  if (data.length !== rows * cols) throw new InputError('matrix data', `length rows * cols = ${rows * cols}, got ${data.length}`);
  return { rows, cols, data };
}

/** Row r of a matrix as a view (no copy). */
export function matrixRow(mat: Matrix, r: number): Float64Array {
  if (!Number.isInteger(r) || r < 0 || r >= mat.rows) throw new RangeError(`row ${r} outside [0, ${mat.rows})`);
  return mat.data.subarray(r * mat.cols, (r + 1) * mat.cols);
}

/** Row r of a row-major 0/1 (or +-1) matrix with `cols` columns, as a view (no copy). */
export function bitRow<T extends Uint8Array | Int8Array>(rows: T, cols: number, r: number): T {
  return rows.subarray(r * cols, (r + 1) * cols) as T;
}

/** Autoassociative (value = key) or heteroassociative (value drawn independently of the key). */
export type Association = 'auto' | 'hetero';

export interface PatternSetParams {
  /** Number of stored (key, value) pairs, m >= 1. */
  readonly m: number;
  /** Key width in bits, n >= 1. */
  readonly n: number;
  /** Value width in bits (default n). Must equal n, or be left out, for 'auto'. */
  readonly valueBits?: number;
  /** 'auto': values are copies of the keys; 'hetero': values are independent random patterns. */
  readonly association: Association;
  /** Seed of the counter-based generator, a non-negative integer below 2^53. */
  readonly seed: number;
}

/** m random (key, value) pairs (see file comment), bits stored row-major. */
export interface PatternSet {
  readonly m: number;
  readonly n: number;
  readonly valueBits: number;
  readonly association: Association;
  readonly seed: number;
  /** m x n bits (0/1); key p is `keys.subarray(p * n, (p + 1) * n)` (see `keyBits`). */
  readonly keys: Uint8Array;
  /** m x valueBits bits (0/1); for 'auto' an equal copy of `keys`. */
  readonly values: Uint8Array;
}

/** Stream of the key bits. */
export const KEY_STREAM = streamId('readers:keys');
/** Stream of the value bits (heteroassociative sets). */
export const VALUE_STREAM = streamId('readers:values');
/** Stream of the flipped positions of the queries. */
export const QUERY_STREAM = streamId('readers:queries');

function checkCount(x: number, where: string, min: number): void {
  if (!Number.isInteger(x) || x < min) throw new InputError(where, `an integer >= ${min}, got ${x}`);
}

/**
 * `rows` x `cols` fair random bits, row r drawn at counter index `firstIndex + r` of `stream` (file comment).
 * Writes into `out` (length rows * cols) and returns it.
 */
export function randomBitRows(
  rng: CounterRng,
  stream: number,
  rows: number,
  cols: number,
  firstIndex = 0,
  out: Uint8Array = new Uint8Array(rows * cols),
): Uint8Array {
  if (out.length !== rows * cols) throw new InputError('randomBitRows out', `length ${rows * cols}, got ${out.length}`);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let base = 0; base < cols; base += 128) {
      const w = rng.words(stream, firstIndex + r, 0, base >>> 7);
      const end = Math.min(cols, base + 128);
      for (let i = base; i < end; i++) out[o + i] = (w[(i >>> 5) & 3]! >>> (i & 31)) & 1;
    }
  }
  return out;
}

/** Draws a pattern set (file comment). Throws `InputError` on a bad size, seed or association. */
export function makePatternSet(params: PatternSetParams): PatternSet {
  const { m, n, association, seed } = params;
  checkCount(m, 'makePatternSet m', 1);
  checkCount(n, 'makePatternSet n', 1);
  if (association !== 'auto' && association !== 'hetero') {
    throw new InputError('makePatternSet association', `'auto' or 'hetero', got ${String(association)}`);
  }
  const valueBits = params.valueBits ?? n;
  checkCount(valueBits, 'makePatternSet valueBits', 1);
  if (association === 'auto' && valueBits !== n) {
    throw new InputError('makePatternSet valueBits', `equal to n = ${n} for an autoassociative set, got ${valueBits}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError('makePatternSet seed', `a non-negative integer below 2^53, got ${seed}`);
  const rng = new CounterRng(seed);
  const keys = randomBitRows(rng, KEY_STREAM, m, n);
  const values = association === 'auto' ? keys.slice() : randomBitRows(rng, VALUE_STREAM, m, valueBits);
  return { m, n, valueBits, association, seed, keys, values };
}

/** Key p of a set (a view). */
export function keyBits(set: PatternSet, p: number): Uint8Array {
  if (!Number.isInteger(p) || p < 0 || p >= set.m) throw new RangeError(`pattern ${p} outside [0, ${set.m})`);
  return bitRow(set.keys, set.n, p);
}

/** Value p of a set (a view). */
export function valueBitsOf(set: PatternSet, p: number): Uint8Array {
  if (!Number.isInteger(p) || p < 0 || p >= set.m) throw new RangeError(`pattern ${p} outside [0, ${set.m})`);
  return bitRow(set.values, set.valueBits, p);
}

/**
 * k distinct positions of [0, n) chosen uniformly (every ordered k-tuple of distinct positions equally likely) by a
 * partial Fisher-Yates shuffle: for t = 0..k-1, swap slot t with slot t + floor(u_t (n - t)), where
 * u_t = rng.uniform(stream, index, 0, t). The positions are written to `out[0..k)`; `scratch` (length >= n) may be
 * passed to avoid an allocation.
 */
export function choosePositions(
  n: number,
  k: number,
  rng: CounterRng,
  stream: number,
  index: number,
  out: Uint32Array = new Uint32Array(k),
  scratch: Uint32Array = new Uint32Array(n),
): Uint32Array {
  checkCount(n, 'choosePositions n', 0);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new InputError('choosePositions k', `an integer in [0, n = ${n}], got ${k}`);
  if (out.length < k) throw new InputError('choosePositions out', `length >= k = ${k}, got ${out.length}`);
  if (scratch.length < n) throw new InputError('choosePositions scratch', `length >= n = ${n}, got ${scratch.length}`);
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let t = 0; t < k; t++) {
    const j = t + Math.floor(rng.uniform(stream, index, 0, t) * (n - t));
    const pick = scratch[j]!;
    scratch[j] = scratch[t]!;
    scratch[t] = pick;
    out[t] = pick;
  }
  return out;
}

/**
 * A copy of `bits` with exactly k bits flipped, at the positions `choosePositions(bits.length, k, ...)`.
 * Writes into `out` (may be `bits` itself) and returns it.
 */
export function flipBits(
  bits: Uint8Array,
  k: number,
  rng: CounterRng,
  stream: number,
  index: number,
  out: Uint8Array = new Uint8Array(bits.length),
  scratch?: Uint32Array,
): Uint8Array {
  const n = bits.length;
  if (out.length !== n) throw new InputError('flipBits out', `length ${n}, got ${out.length}`);
  const pos = choosePositions(n, k, rng, stream, index, new Uint32Array(k), scratch ?? new Uint32Array(n));
  if (out !== bits) out.set(bits);
  for (let t = 0; t < k; t++) {
    const i = pos[t]!;
    out[i] = out[i]! === 1 ? 0 : 1;
  }
  return out;
}

/** Noisy queries made from stored keys. */
export interface QuerySet {
  /** Query width (= key width n). */
  readonly n: number;
  /** Number of queries. */
  readonly count: number;
  /** Bits flipped per query. */
  readonly k: number;
  /** count x n bits (0/1); query q is `bits.subarray(q * n, (q + 1) * n)`. */
  readonly bits: Uint8Array;
  /** Index of the stored pattern each query was made from. */
  readonly targets: Uint32Array;
}

export interface QueryOptions {
  /** Seed of the flip positions (default: the set's seed; the stream differs from the patterns'). */
  readonly seed?: number;
  /** Number of queries (default m); query q is made from pattern `q mod m` unless `targets` is given. */
  readonly count?: number;
  /** Stored pattern of each query (overrides `count`). */
  readonly targets?: Uint32Array;
}

/**
 * Queries made from stored keys with exactly k flipped bits each (Hamming distance k to their target key); query q
 * draws its positions at counter index q of stream 'readers:queries' (`choosePositions`).
 */
export function makeQueries(set: PatternSet, k: number, options: QueryOptions = {}): QuerySet {
  const { n, m } = set;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new InputError('makeQueries k', `an integer in [0, n = ${n}], got ${k}`);
  const seed = options.seed ?? set.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError('makeQueries seed', `a non-negative integer below 2^53, got ${seed}`);
  let targets: Uint32Array;
  if (options.targets !== undefined) {
    targets = options.targets.slice();
    targets.forEach((p, q) => {
      if (p >= m) throw new InputError(`makeQueries targets[${q}]`, `a pattern index below m = ${m}, got ${p}`);
    });
  } else {
    const count = options.count ?? m;
    checkCount(count, 'makeQueries count', 0);
    targets = new Uint32Array(count);
    for (let q = 0; q < count; q++) targets[q] = q % m;
  }
  const count = targets.length;
  const rng = new CounterRng(seed);
  const bits = new Uint8Array(count * n);
  const scratch = new Uint32Array(n);
  for (let q = 0; q < count; q++) {
    flipBits(keyBits(set, targets[q]!), k, rng, QUERY_STREAM, q, bits.subarray(q * n, (q + 1) * n), scratch);
  }
  return { n, count, k, bits, targets };
}

/** Bipolar form x_i = 2 b_i - 1 of 0/1 bits. Writes into `out` and returns it. */
export function bipolar(bits: Uint8Array, out: Int8Array = new Int8Array(bits.length)): Int8Array {
  if (out.length !== bits.length) throw new InputError('bipolar out', `length ${bits.length}, got ${out.length}`);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! === 1 ? 1 : -1;
  return out;
}

/** Unit-length bipolar form u_i = (2 b_i - 1) / sqrt(n) of n bits. Writes into `out` and returns it. */
export function bipolarUnit(bits: Uint8Array, out: Float64Array = new Float64Array(bits.length)): Float64Array {
  const n = bits.length;
  if (out.length !== n) throw new InputError('bipolarUnit out', `length ${n}, got ${out.length}`);
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) out[i] = bits[i]! === 1 ? s : -s;
  return out;
}

/** Each row of a row-major `rows` x `cols` 0/1 matrix in unit-length bipolar form (`bipolarUnit`), as a Matrix. */
export function bipolarUnitRows(bits: Uint8Array, rows: number, cols: number): Matrix {
  if (bits.length !== rows * cols) throw new InputError('bipolarUnitRows bits', `length ${rows * cols}, got ${bits.length}`);
  const data = new Float64Array(rows * cols);
  const s = cols > 0 ? 1 / Math.sqrt(cols) : 0;
  for (let i = 0; i < data.length; i++) data[i] = bits[i]! === 1 ? s : -s;
  return { rows, cols, data };
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, where: string): void {
  if (a.length !== b.length) throw new InputError(where, `vectors of equal length, got ${a.length} and ${b.length}`);
}

/** Hamming distance: the number of positions where a and b differ. */
export function hamming(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'hamming');
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** Fraction of positions where a and b agree, 1 - hamming(a, b) / n (1 for empty vectors). */
export function bitAccuracy(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a.length === 0 ? 1 : 1 - hamming(a, b) / a.length;
}

/** cos(a, b) = <a, b> / (|a| |b|); 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'cosine');
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * Cosine similarity between a read vector and the true value given as bits: cos(x, 2 b - 1) (the scale of the
 * bipolar form does not matter). 0 when x is zero.
 */
export function valueCosine(x: ArrayLike<number>, valueBits: Uint8Array): number {
  sameLength(x, valueBits, 'valueCosine');
  let ab = 0;
  let aa = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    ab += valueBits[i]! === 1 ? v : -v;
    aa += v * v;
  }
  return aa === 0 ? 0 : ab / Math.sqrt(aa * x.length);
}

/** What a sign of exactly 0 reads as (file comment). */
export type TieRule = 'zero' | 'one' | 'keep';

/** Default tie rule: 0 reads as bit 0, y = [x > 0] (as in the SDM threshold). */
export const DEFAULT_TIE: TieRule = 'zero';

/**
 * Sign of a real vector as bits: y_j = 1 if x_j > 0, 0 if x_j < 0, and the tie rule if x_j = 0 exactly (file
 * comment; 'keep' needs the cue). NaN reads as a tie. Writes into `out` and returns it.
 */
export function signBits(
  x: ArrayLike<number>,
  tie: TieRule = DEFAULT_TIE,
  cue?: Uint8Array,
  out: Uint8Array = new Uint8Array(x.length),
): Uint8Array {
  const w = x.length;
  if (out.length !== w) throw new InputError('signBits out', `length ${w}, got ${out.length}`);
  if (tie !== 'zero' && tie !== 'one' && tie !== 'keep') throw new InputError('signBits tie', `'zero', 'one' or 'keep', got ${String(tie)}`);
  if (tie === 'keep' && (cue === undefined || cue.length !== w)) {
    throw new InputError('signBits cue', `tie rule 'keep' needs a cue of ${w} bits${cue === undefined ? '' : `, got ${cue.length}`}`);
  }
  const tieBit = tie === 'one' ? 1 : 0;
  for (let j = 0; j < w; j++) {
    const v = x[j]!;
    out[j] = v > 0 ? 1 : v < 0 ? 0 : tie === 'keep' ? cue![j]! : tieBit;
  }
  return out;
}
