/**
 * Binary Sparse Distributed Memory (Kanerva 1988, "Sparse Distributed Memory", MIT Press), exact and packed.
 *
 * r hard locations with fixed n-bit addresses a_1..a_r (uniform random from a seed, or supplied by the caller) and
 * one integer counter C_{i,j} per location i and value bit j (j < w, the value width; w = n for autoassociative use,
 * w != n for heteroassociative key -> value maps).
 *
 * Activation. For an address x the active set is
 *   radius:  A(x) = { i : dist(x, a_i) <= d }                    (Hamming distance, d inclusive)
 *   top-k:   A(x) = the k locations nearest to x, ties in distance broken by the lowest location index
 *            (a fixed-size active set, as feed-forward Golgi-cell inhibition would give the granule layer;
 *            Bricken et al. 2023, "Sparse distributed memory is a continual learner", ICLR).
 * Active sets are returned as sorted Uint32Arrays of location indices.
 *
 * Write (x, v):  C_{i,j} <- sat(C_{i,j} + (2 v_j - 1))  for every i in A(x) and every j,
 *   sat(c) = min(c_max, max(-c_max, c)): counters saturate at +-c_max (`saturation`, default the largest symmetric
 *   value of the counter type: 127, 32767 or 2^31 - 1), so they clamp and never wrap.
 * Error-driven write (x, v) (`writeError`; perceptron-like, Brunel et al. 2004): read y = read(x) first, then write
 *   only the bits read wrong, C_{i,j} <- sat(C_{i,j} + (2 v_j - 1)) for i in A(x) and j with y_j != v_j; a pattern
 *   read correctly changes nothing. Repeated over a stored set it is the perceptron rule with zero margin on each
 *   Purkinje cell (value bit), the locations' activity as its inputs (docs/DECISIONS.md 47).
 * Read (x):  s_j = sum_{i in A(x)} C_{i,j},  y_j = [s_j > 0], with the tie rule for s_j = 0 (threshold.ts).
 *   Sums are accumulated exactly in float64 and reported as Int32 (clamped to +-(2^31 - 1); the sign and so the read
 *   bit are always exact).
 * Iterative read (autoassociative, w = n): x_0 = cue, x_{t+1} = read(x_t) until x_{t+1} = x_t (a fixed point) or a
 * step limit (Kanerva 1988: reads from a cue within the critical distance converge to the stored pattern).
 *
 * Memory (bytes): addresses 4 r ceil(n / 32), counters r w (counterBits / 8), plus 12 r of scratch (distances and the
 * batched scan's pairs). What fits in 24 GiB at Kanerva's n = 1000, r = 10^6 (addresses 128 MB, scratch 12 MB):
 *
 *   value width w | Int8 counters | Int16  | Int32
 *   100           | 100 MB        | 200 MB | 400 MB
 *   1000 (= n)    | 1 GB          | 2 GB   | 4 GB
 *
 * so every counter width fits, even autoassociatively. The binding limits are elsewhere: one typed array holds at most
 * 2^32 elements in Node 20 (r w <= 2^32 - 1, i.e. w <= 4294 at r = 10^6), and the wasm kernel's memory (4 r W + 4 r
 * bytes) must stay under the 4 GiB of wasm32 (r up to about 32 million at n = 1000; beyond, 'auto' falls back to js).
 * With the wasm kernel, Int8 and Int16 counters live in the same wasm memory when everything fits in 4 GiB (then a
 * SIMD kernel sums them, `sumKernel` = 'wasm'; else they get their own buffer and JavaScript sums them).
 *
 * Batched reads: `readBatch` (and `activeSetBatch`) return exactly what `read` (`activeSet`) returns for each address
 * but scan the addresses once per block of 32 queries; `SdmReadPool` (backends/cpu/sdm) spreads that scan and the
 * counter sums over worker threads for a memory built with `shared: true`. bench/sdm-algebraic.ts measures all three.
 * The OS maps counter pages lazily, so the resident size grows as locations are first written.
 * Int8 counters with saturation at +-127 are the cheap choice at that scale (bench/sdm-algebraic.ts).
 *
 * Defaults: n = 1000, r = 10^6, d = 451 (about 1072 active locations, p = 0.00107) are Kanerva's (1988) example,
 * KANERVA_1988 below; counterBits 16, tie 'zero', kernel 'auto' (BINARY_SDM_DEFAULTS).
 *
 * Not a pure function of its inputs like the neuron models: a memory owns large typed arrays that writes update in
 * place. Everything is deterministic given (params, sequence of calls).
 */
import { InputError } from '../../../core/errors.ts';
import { CounterRng, streamId } from '../../../core/rng.ts';
import { hammingBits, lastWordMask, packBits, randomPackedInto, unpackBits, wordsFor, wrongBits } from './bits.ts';
import { PatternStore, type PatternReadResult } from './patterns.ts';
import { activeSetsFromPairs, sumPairs } from './batch.ts';
import { createScanner, type HammingScanner, type ScanKernel, type SharedScannerState } from './scan.ts';
import { BLOCK_MAX } from './scan-block.ts';
import { checkTie, thresholdSums, type TieRule } from './threshold.ts';

export type CounterBits = 8 | 16 | 32;
export type Counters = Int8Array | Int16Array | Int32Array;

/** A Uint32Array that the type checker refuses to write through (indexing, set, fill, sort, ...). */
export type ReadonlyUint32Array = Omit<Uint32Array, 'set' | 'fill' | 'copyWithin' | 'reverse' | 'sort' | number> & {
  readonly [index: number]: number;
};
/** Read-only view of the counters. */
export type ReadonlyCounters = Omit<Counters, 'set' | 'fill' | 'copyWithin' | 'reverse' | 'sort' | number> & {
  readonly [index: number]: number;
};

export interface BinarySdmParams {
  /** Address width in bits (n >= 1). */
  readonly n: number;
  /** Number of hard locations (r >= 1). */
  readonly r: number;
  /** Activation radius in bits, inclusive (0 <= d <= n). Give exactly one of d and topK. */
  readonly d?: number;
  /** Top-k activation: the k nearest locations (1 <= k <= r), ties to the lowest index. Replaces d. */
  readonly topK?: number;
  /** Value width w in bits (w = n for autoassociative memories). */
  readonly valueBits: number;
  /** Seed of the hard-location addresses (stream 'sdm:hard-locations', index = location). Non-negative integer. */
  readonly seed: number;
  /** Counter width (default 16). */
  readonly counterBits?: CounterBits;
  /** Saturation c_max, 1 <= c_max <= the type's largest symmetric value (default that value). */
  readonly saturation?: number;
  /** Tie rule for sums of exactly 0 (default 'zero'). */
  readonly tie?: TieRule;
  /**
   * Caller-supplied hard-location addresses, packed (r * ceil(n / 32) words, bit i in word i >>> 5 at position
   * i & 31, padding bits 0). Copied into the memory's own storage (`addresses`); `seed` then draws nothing.
   */
  readonly addresses?: ReadonlyUint32Array;
  /** Also record every written (address, value) pair for the pattern-based read (default false). */
  readonly keepPatterns?: boolean;
  /** Distance kernel (default 'auto': wasm when available, else js; both exact). */
  readonly kernel?: ScanKernel;
  /**
   * Keep addresses and counters in shared memory (a shared WebAssembly.Memory and a SharedArrayBuffer) so that worker
   * threads can read them in place (backends/cpu/sdm, `SdmReadPool`). Default false.
   */
  readonly shared?: boolean;
  /** Shape of the batched scan's code (scan-block.ts; default DEFAULT_BLOCK_TUNING): exact whatever the choice. */
  readonly blockScan?: { readonly unroll?: number; readonly simd?: boolean; readonly step?: number };
}

/** What a worker thread needs to read a shared memory in place (structured-cloneable: postMessage it). */
export interface SharedSdmState {
  readonly scanner: SharedScannerState;
  /** The buffer holding the counters (location-major, r * valueBits of counterBits bits) from `countersOffset`. */
  readonly counters: SharedArrayBuffer;
  readonly countersOffset: number;
  readonly counterBits: CounterBits;
  readonly valueBits: number;
  readonly saturation: number;
}

/** A typed-array view of `length` counters of width `bits` on `buffer` from byte `offset`. */
export function countersView(bits: CounterBits, buffer: ArrayBuffer | SharedArrayBuffer, length: number, offset = 0): Counters {
  return bits === 8 ? new Int8Array(buffer, offset, length) : bits === 16 ? new Int16Array(buffer, offset, length) : new Int32Array(buffer, offset, length);
}

/** Kanerva's (1988) example memory: 1000-bit addresses, a million hard locations, radius 451 (~1072 active). */
export const KANERVA_1988 = Object.freeze({ n: 1000, r: 1_000_000, d: 451 });

export const BINARY_SDM_DEFAULTS = Object.freeze({
  counterBits: 16 as CounterBits,
  tie: 'zero' as TieRule,
  keepPatterns: false,
  kernel: 'auto' as ScanKernel,
});

/** Largest symmetric counter value per counter width. */
export const COUNTER_MAX: Readonly<Record<CounterBits, number>> = Object.freeze({ 8: 127, 16: 32767, 32: 2147483647 });

/** Largest typed-array length in Node 20 (buffer.constants.MAX_LENGTH = 2^32). */
const MAX_TYPED_LENGTH = 4294967295;
const INT32_MAX = 2147483647;

export interface SdmReadResult {
  /** y_j, one 0/1 per value bit. */
  readonly bits: Uint8Array;
  /** s_j, the counter sums (clamped to the Int32 range). */
  readonly sums: Int32Array;
  /** |A(x)|, the number of active locations. */
  readonly active: number;
}

export interface IterativeReadOptions {
  /** Most reads to perform (default 20). */
  readonly maxSteps?: number;
  /** When given, the Hamming distance of every iterate to it is reported. */
  readonly target?: Uint8Array;
}

export interface IterativeReadResult {
  /** The last iterate. */
  readonly bits: Uint8Array;
  /** True when the last read returned its own address (x_{t+1} = x_t). */
  readonly converged: boolean;
  /** Reads performed (the read that confirms a fixed point counts). */
  readonly steps: number;
  /** dist(x_t, target) for t = 0..steps (x_0 = the cue), or null without a target. */
  readonly targetDistances: number[] | null;
  /** |A(x_t)| for each read, t = 0..steps-1. */
  readonly active: number[];
}

function checkInt(v: unknown, where: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InputError(`BinarySdm ${where}`, `an integer in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}

export class BinarySdm {
  readonly n: number;
  readonly r: number;
  /** Activation radius, or null for top-k activation. */
  readonly d: number | null;
  /** k of top-k activation, or null for radius activation. */
  readonly topK: number | null;
  readonly valueBits: number;
  readonly seed: number;
  readonly counterBits: CounterBits;
  readonly saturation: number;
  readonly tie: TieRule;
  /** Words per address, ceil(n / 32). */
  readonly words: number;
  /** Pattern store when `keepPatterns` was set, else null. */
  readonly patterns: PatternStore | null;
  private readonly scanner: HammingScanner;
  private readonly counters_: Counters;
  private readonly acc: Float64Array;
  private readonly bipolar: Int8Array;

  constructor(params: BinarySdmParams) {
    const n = checkInt(params.n, 'n', 1, 2 ** 24);
    const r = checkInt(params.r, 'r', 1, MAX_TYPED_LENGTH);
    const w = checkInt(params.valueBits, 'valueBits', 1, 2 ** 24);
    if ((params.d === undefined) === (params.topK === undefined)) throw new InputError('BinarySdm params', 'exactly one of d (radius) and topK');
    this.d = params.d === undefined ? null : checkInt(params.d, 'd', 0, n);
    this.topK = params.topK === undefined ? null : checkInt(params.topK, 'topK', 1, r);
    const seed = checkInt(params.seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
    const counterBits = params.counterBits ?? BINARY_SDM_DEFAULTS.counterBits;
    if (counterBits !== 8 && counterBits !== 16 && counterBits !== 32) throw new InputError('BinarySdm counterBits', `8, 16 or 32, got ${String(counterBits)}`);
    const cmax = COUNTER_MAX[counterBits];
    this.saturation = params.saturation === undefined ? cmax : checkInt(params.saturation, 'saturation', 1, cmax);
    this.tie = checkTie(params.tie ?? BINARY_SDM_DEFAULTS.tie, 'BinarySdm tie');
    if (r * w > MAX_TYPED_LENGTH) {
      throw new InputError('BinarySdm r * valueBits', `at most 2^32 - 1 counters in one typed array, got ${r} * ${w} = ${r * w}`);
    }
    this.n = n;
    this.r = r;
    this.valueBits = w;
    this.seed = seed;
    this.counterBits = counterBits;
    this.words = wordsFor(n);
    const shared = params.shared === true;
    const block = params.blockScan ?? {};
    this.scanner = createScanner(n, r, params.kernel ?? BINARY_SDM_DEFAULTS.kernel, {
      shared,
      ...(block.unroll === undefined ? {} : { unroll: block.unroll }),
      ...(block.simd === undefined ? {} : { simd: block.simd }),
      ...(block.step === undefined ? {} : { step: block.step }),
      counters: { valueBits: w, bits: counterBits },
    });
    if (params.addresses !== undefined) this.adoptAddresses(params.addresses);
    else {
      const rng = new CounterRng(seed);
      const stream = streamId('sdm:hard-locations');
      const a = this.scanner.addresses;
      for (let i = 0, off = 0; i < r; i++, off += this.words) randomPackedInto(rng, n, stream, i, a, off);
    }
    const counterBytes = (r * w * counterBits) / 8;
    // in the wasm scanner's memory when it placed them there (its kernel sums them), else a buffer of their own
    this.counters_ = this.scanner.counters ?? countersView(counterBits, shared ? new SharedArrayBuffer(counterBytes) : new ArrayBuffer(counterBytes), r * w);
    this.acc = new Float64Array(w);
    this.bipolar = new Int8Array(w);
    this.patterns = params.keepPatterns === true ? new PatternStore(n, w) : null;
  }

  /** Which distance kernel this memory runs ('js' or 'wasm'). */
  get kernel(): 'js' | 'wasm' {
    return this.scanner.kind;
  }

  /**
   * Which code sums the counters of a read: 'wasm' (a SIMD kernel, scan-block.ts) when the counters sit in the wasm
   * scanner's memory (Int8 or Int16 counters, addresses and counters within 4 GiB), else 'js'.
   */
  get sumKernel(): 'js' | 'wasm' {
    return this.scanner.counters === null ? 'js' : 'wasm';
  }

  /** The packed hard-location addresses (r * words), read-only: share them, do not write them. */
  get addresses(): ReadonlyUint32Array {
    return this.scanner.addresses;
  }

  /** The counters, location-major (C_{i,j} at i * valueBits + j), read-only. */
  get counters(): ReadonlyCounters {
    return this.counters_;
  }

  /** Address of hard location i as a 0/1 vector. */
  locationAddress(i: number, out?: Uint8Array): Uint8Array {
    this.checkLocation(i);
    return unpackBits(this.scanner.addresses, this.n, out, i * this.words);
  }

  /** C_{i,j}. */
  counterAt(i: number, j: number): number {
    this.checkLocation(i);
    if (!Number.isInteger(j) || j < 0 || j >= this.valueBits) throw new RangeError(`value bit ${j} outside [0, ${this.valueBits})`);
    return this.counters_[i * this.valueBits + j]!;
  }

  /** A(x): sorted indices of the active locations for address x (0/1 vector of n bits). */
  activeSet(address: Uint8Array): Uint32Array {
    this.loadQuery(address);
    return this.topK === null ? this.withinLoaded(this.d!) : this.nearestLoaded(this.topK);
  }

  /** A(x) for an address packed as in bits.ts (words long, padding bits 0). */
  activeSetPacked(address: ArrayLike<number>): Uint32Array {
    this.loadPackedQuery(address);
    return this.topK === null ? this.withinLoaded(this.d!) : this.nearestLoaded(this.topK);
  }

  /** Sorted indices of the locations within Hamming radius `radius` of x (any radius, whatever the activation). */
  withinRadius(address: Uint8Array, radius: number): Uint32Array {
    this.loadQuery(address);
    return this.withinLoaded(radius);
  }

  /**
   * Top-k: the k locations nearest to x, ties in distance broken by the lowest index, returned sorted by index.
   * Exactly k indices for 1 <= k <= r. O(r) via a distance histogram: with D the smallest distance such that
   * #{dist <= D} >= k, take every location with dist < D and the lowest-indexed k - #{dist < D} with dist = D.
   */
  nearest(address: Uint8Array, k: number): Uint32Array {
    checkInt(k, 'k', 1, this.r);
    this.loadQuery(address);
    return this.nearestLoaded(k);
  }

  /** dist(x, a_i) for every location i (a fresh Uint32Array of length r). */
  distances(address: Uint8Array): Uint32Array {
    this.loadQuery(address);
    this.scanner.distances();
    return this.scanner.out.slice();
  }

  /** Writes value v (valueBits bits) at address x; returns |A(x)|. Also records the pair when keepPatterns is set. */
  write(address: Uint8Array, value: Uint8Array): number {
    this.checkValue(value);
    const active = this.activeSet(address);
    this.writeActive(active, value);
    this.patterns?.add(address, value);
    return active.length;
  }

  /**
   * The write rule on a given active set (e.g. one chosen by the spiking circuit); not recorded as a pattern. With
   * `plastic` (valueBits entries), only the bits j with plastic[j] != 0 are written.
   */
  writeActive(active: ArrayLike<number>, value: Uint8Array, plastic?: ArrayLike<number>): void {
    this.checkValue(value);
    const w = this.valueBits;
    if (plastic !== undefined && plastic.length !== w) throw new InputError('BinarySdm plastic', `${w} entries (one per value bit), got ${plastic.length}`);
    const bip = this.bipolar;
    for (let j = 0; j < w; j++) bip[j] = plastic !== undefined && plastic[j] === 0 ? 0 : 2 * value[j]! - 1;
    const c = this.counters_;
    const cmax = this.saturation;
    const r = this.r;
    for (let a = 0; a < active.length; a++) {
      const i = active[a]!;
      if (!(i >= 0 && i < r && Number.isInteger(i))) throw new RangeError(`active location ${i} outside [0, ${r})`);
      const base = i * w;
      for (let j = 0; j < w; j++) {
        let v = c[base + j]! + bip[j]!;
        if (v > cmax) v = cmax;
        else if (v < -cmax) v = -cmax;
        c[base + j] = v;
      }
    }
  }

  /**
   * Error-driven write of (x, v): reads at x (`cue` as for read), then writes v only at the bits read wrong, on the same
   * active set. Returns the read and the mask of wrong bits (all zero: nothing was written). Not recorded as a pattern.
   */
  writeError(address: Uint8Array, value: Uint8Array, cue?: Uint8Array): { readonly read: SdmReadResult; readonly wrong: Uint8Array; readonly wrongCount: number } {
    this.checkValue(value);
    const active = this.activeSet(address);
    const read = this.readActive(active, this.cueFor(address, cue));
    const wrong = wrongBits(read.bits, value);
    const wrongCount = hammingBits(read.bits, value);
    if (wrongCount > 0) this.writeActive(active, value, wrong);
    return { read, wrong, wrongCount };
  }

  /**
   * Reads at address x. `cue` feeds the 'keep' tie rule; it defaults to x when valueBits = n (autoassociative) and
   * must be given for a heteroassociative 'keep' read.
   */
  read(address: Uint8Array, cue?: Uint8Array): SdmReadResult {
    const active = this.activeSet(address);
    return this.readActive(active, this.cueFor(address, cue));
  }

  /** The read rule on a given active set. */
  readActive(active: ArrayLike<number>, cue?: Uint8Array): SdmReadResult {
    const w = this.valueBits;
    const r = this.r;
    const count = active.length;
    if (this.scanner.counters !== null && count <= r && count * this.saturation <= INT32_MAX) {
      // the wasm sum kernel, on the active set written as pairs (i, query 0)
      const pairs = this.scanner.pairs;
      for (let a = 0; a < count; a++) {
        const i = active[a]!;
        if (!(i >= 0 && i < r && Number.isInteger(i))) throw new RangeError(`active location ${i} outside [0, ${r})`);
        pairs[2 * a] = i;
        pairs[2 * a + 1] = 1;
      }
      return this.readFromSums(this.scanner.sumBlock(0, 1, 0, count).acc.subarray(0, w), count, cue);
    }
    const acc = this.acc;
    acc.fill(0);
    const c = this.counters_;
    for (let a = 0; a < count; a++) {
      const i = active[a]!;
      if (!(i >= 0 && i < r && Number.isInteger(i))) throw new RangeError(`active location ${i} outside [0, ${r})`);
      const base = i * w;
      for (let j = 0; j < w; j++) acc[j]! += c[base + j]!;
    }
    return this.readFromSums(acc, count, cue);
  }

  /**
   * The last step of the read rule: from exact sums s_j (valueBits long, e.g. summed by another thread) and |A(x)|,
   * the clamped Int32 sums and the read bits.
   */
  readFromSums(acc: ArrayLike<number>, active: number, cue?: Uint8Array): SdmReadResult {
    const w = this.valueBits;
    if (acc.length !== w) throw new InputError('BinarySdm readFromSums', `${w} sums, got ${acc.length}`);
    const sums = new Int32Array(w);
    for (let j = 0; j < w; j++) {
      const s = acc[j]!;
      sums[j] = s > INT32_MAX ? INT32_MAX : s < -INT32_MAX ? -INT32_MAX : s;
    }
    const bits = thresholdSums(acc, this.tie, cue ?? null, new Uint8Array(w));
    return { bits, sums, active };
  }

  /**
   * A(x) for several addresses at once: the same sets as `activeSet` on each. With radius activation the addresses
   * are scanned once per block of up to 32 queries (scan.ts, `withinBlock`); top-k activation reads them one by one.
   */
  activeSetBatch(addresses: readonly Uint8Array[]): Uint32Array[] {
    if (this.topK !== null) return addresses.map((x) => this.activeSet(x));
    const out: Uint32Array[] = [];
    for (let start = 0; start < addresses.length; start += BLOCK_MAX) {
      const nq = this.loadBlock(addresses, start);
      const count = this.scanner.withinBlock(nq, this.d!, 0, this.r);
      out.push(...activeSetsFromPairs(this.scanner.pairs, [{ start: 0, count }], nq));
    }
    return out;
  }

  /**
   * Reads at several addresses: exactly what `read` returns for each (same active sets, sums and bits), with one
   * scan of the addresses per block of up to 32 queries. `cues[q]` plays the role of read's `cue` for address q.
   */
  readBatch(addresses: readonly Uint8Array[], cues?: readonly (Uint8Array | undefined)[]): SdmReadResult[] {
    if (cues !== undefined && cues.length !== addresses.length) throw new InputError('BinarySdm readBatch cues', `${addresses.length} cues (one per address), got ${cues.length}`);
    if (this.topK !== null) return addresses.map((x, q) => this.read(x, cues?.[q]));
    const w = this.valueBits;
    const out: SdmReadResult[] = [];
    for (let start = 0; start < addresses.length; start += BLOCK_MAX) {
      const nq = this.loadBlock(addresses, start);
      const run = { start: 0, count: this.scanner.withinBlock(nq, this.d!, 0, this.r) };
      const pairs = this.scanner.pairs;
      const sets = activeSetsFromPairs(pairs, [run], nq);
      const { acc, stride } = this.sumBlockPairs(0, nq, 0, run.count);
      for (let b = 0; b < nq; b++) out.push(this.readFromSums(acc.subarray(b * stride, b * stride + w), sets[b]!.length, this.cueFor(addresses[start + b]!, cues?.[start + b])));
    }
    return out;
  }

  /**
   * Packs addresses[start .. start + nq) into the scanner's query block (nq = min(32, what is left)) and returns nq;
   * then `withinBlock` scans for them. For thread pools reading a shared memory.
   */
  loadBlock(addresses: readonly Uint8Array[], start: number): number {
    const nq = Math.min(BLOCK_MAX, addresses.length - start);
    if (!(Number.isInteger(start) && start >= 0 && nq >= 1)) throw new RangeError(`block start ${start} outside [0, ${addresses.length})`);
    const block = this.scanner.block;
    for (let b = 0; b < nq; b++) {
      const x = addresses[start + b]!;
      if (x.length !== this.n) throw new InputError(`BinarySdm address ${start + b}`, `${this.n} bits, got ${x.length}`);
      packBits(x, block, b * this.words, 'BinarySdm address');
    }
    return nq;
  }

  /**
   * Counter sums of a block's queries over `count` pairs written by a block scan from location `from` (scan.ts,
   * `withinBlock`): acc[b stride + j] for query b < nq and value bit j. The wasm sum kernel with accumulator slot
   * `slot` (one per thread) when the counters sit in the scanner's memory and no sum can pass 2^31 - 1, else
   * JavaScript in float64; both exact. The returned array is reused by the next call with the same slot.
   */
  sumBlockPairs(slot: number, nq: number, from: number, count: number): { readonly acc: Int32Array | Float64Array; readonly stride: number } {
    if (this.scanner.counters !== null && count * this.saturation <= INT32_MAX) return this.scanner.sumBlock(slot, nq, from, count);
    const w = this.valueBits;
    const acc = new Float64Array(nq * w);
    sumPairs(this.counters_, w, this.scanner.pairs, { start: 2 * from, count }, acc);
    return { acc, stride: w };
  }

  /** The cue `read` uses for the 'keep' tie rule: the one given, else the address when valueBits = n. */
  cueFor(address: Uint8Array, cue?: Uint8Array): Uint8Array | undefined {
    return cue ?? (this.valueBits === this.n ? address : undefined);
  }

  /** Addresses, query block, pairs and counters as shared memory for worker threads, or null unless built `shared`. */
  sharedState(): SharedSdmState | null {
    const scanner = this.scanner.sharedState();
    if (scanner === null) return null;
    const c = this.counters_;
    return { scanner, counters: c.buffer as SharedArrayBuffer, countersOffset: c.byteOffset, counterBits: this.counterBits, valueBits: this.valueBits, saturation: this.saturation };
  }

  /** The scanner's pairs output (2 r words), read by thread pools after their workers' block scans. */
  get blockPairs(): ReadonlyUint32Array {
    return this.scanner.pairs;
  }

  /**
   * Iterative autoassociative read (valueBits = n): x_0 = cue, x_{t+1} = read(x_t).bits, stopping at the first fixed
   * point (x_{t+1} = x_t: converged) or after maxSteps reads. The 'keep' tie rule keeps x_t's bit.
   */
  iterativeRead(cue: Uint8Array, options: IterativeReadOptions = {}): IterativeReadResult {
    if (this.valueBits !== this.n) throw new InputError('BinarySdm iterativeRead', `an autoassociative memory (valueBits = n = ${this.n}), got valueBits ${this.valueBits}`);
    const maxSteps = checkInt(options.maxSteps ?? 20, 'iterativeRead maxSteps', 1, 1_000_000);
    const target = options.target;
    if (target !== undefined && target.length !== this.n) throw new InputError('BinarySdm iterativeRead target', `${this.n} bits, got ${target.length}`);
    let x: Uint8Array = cue.slice();
    const dists: number[] | null = target === undefined ? null : [hammingBits(x, target)];
    const active: number[] = [];
    let converged = false;
    let steps = 0;
    while (steps < maxSteps) {
      const res = this.read(x, x);
      steps++;
      active.push(res.active);
      const same = hammingBits(res.bits, x) === 0;
      x = res.bits;
      if (dists !== null) dists.push(hammingBits(x, target!));
      if (same) {
        converged = true;
        break;
      }
    }
    return { bits: x, converged, steps, targetDistances: dists, active };
  }

  /** Pattern-based read over the recorded writes (keepPatterns), with weight table w[dv] (patterns.ts). */
  readPatterns(address: Uint8Array, weights: Float64Array, cue?: Uint8Array): PatternReadResult {
    if (this.patterns === null) throw new InputError('BinarySdm readPatterns', 'a memory built with keepPatterns: true');
    return this.patterns.read(address, weights, this.tie, cue);
  }

  /** Zeroes every counter and forgets the recorded patterns; the addresses stay. */
  clear(): void {
    this.counters_.fill(0);
    this.patterns?.clear();
  }

  toString(): string {
    const act = this.topK === null ? `d=${this.d}` : `topK=${this.topK}`;
    return `<BinarySdm n=${this.n} r=${this.r} ${act} w=${this.valueBits} int${this.counterBits}±${this.saturation} tie=${this.tie} kernel=${this.kernel}>`;
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  private adoptAddresses(src: ReadonlyUint32Array): void {
    const { r, words, n } = this;
    if (!(src instanceof Uint32Array) || src.length !== r * words) {
      throw new InputError('BinarySdm addresses', `a Uint32Array of r * ceil(n / 32) = ${r * words} packed words, got length ${(src as { length?: number }).length}`);
    }
    const mask = lastWordMask(n);
    if (mask !== 0xffffffff) {
      for (let i = 0; i < r; i++) {
        const last = src[i * words + words - 1]!;
        if ((last & ~mask) !== 0) throw new InputError(`BinarySdm addresses (location ${i})`, `padding bits ${n}..${32 * words - 1} must be 0`);
      }
    }
    this.scanner.addresses.set(src);
  }

  private loadQuery(address: Uint8Array): void {
    if (address.length !== this.n) throw new InputError('BinarySdm address', `${this.n} bits, got ${address.length}`);
    packBits(address, this.scanner.query, 0, 'BinarySdm address');
  }

  private loadPackedQuery(address: ArrayLike<number>): void {
    const words = this.words;
    if (address.length !== words) throw new InputError('BinarySdm packed address', `${words} words, got ${address.length}`);
    const q = this.scanner.query;
    for (let k = 0; k < words; k++) q[k] = address[k]!;
    if ((q[words - 1]! & ~lastWordMask(this.n)) !== 0) throw new InputError('BinarySdm packed address', 'padding bits must be 0');
  }

  private withinLoaded(radius: number): Uint32Array {
    const count = this.scanner.within(radius);
    return this.scanner.out.slice(0, count);
  }

  private nearestLoaded(k: number): Uint32Array {
    const { n, r } = this;
    this.scanner.distances();
    const dist = this.scanner.out;
    const hist = new Uint32Array(n + 1);
    for (let i = 0; i < r; i++) hist[dist[i]!]!++;
    let cut = 0;
    let below = 0; // #{dist < cut}
    while (below + hist[cut]! < k) below += hist[cut++]!;
    let atCut = k - below; // how many with dist = cut to take, lowest index first
    const out = new Uint32Array(k);
    let m = 0;
    for (let i = 0; i < r && m < k; i++) {
      const di = dist[i]!;
      if (di < cut) out[m++] = i;
      else if (di === cut && atCut > 0) {
        out[m++] = i;
        atCut--;
      }
    }
    return out;
  }

  private checkValue(value: Uint8Array): void {
    if (value.length !== this.valueBits) throw new InputError('BinarySdm value', `${this.valueBits} bits, got ${value.length}`);
    for (let j = 0; j < value.length; j++) {
      const b = value[j]!;
      if (b !== 0 && b !== 1) throw new InputError(`BinarySdm value[${j}]`, `0 or 1, got ${b}`);
    }
  }

  private checkLocation(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.r) throw new RangeError(`location ${i} outside [0, ${this.r})`);
  }
}
