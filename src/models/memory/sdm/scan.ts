/**
 * The hot loop of a binary SDM: the Hamming distance from one query to every hard-location address.
 *
 * Two interchangeable, exact kernels compute the same integers (the tests check both against a naive reference):
 *  - `js`: plain TypeScript, XOR then SWAR popcount per 32-bit word (see `popcount32`);
 *  - `wasm`: a tiny hand-assembled WebAssembly function (about 200 bytes, built in memory below, no file, no
 *    dependency) using the `i64.popcnt` instruction on pairs of words. It reads the addresses in place from its
 *    linear memory, so the addresses are stored there and exposed as a `Uint32Array` view. At Kanerva's scale
 *    (n = 1000, r = 10^6: 128 MB of addresses) one scan takes about 11 ms with `wasm` and about 75 ms with `js`
 *    (2-core AMD EPYC, Node 20; the wasm scan runs at ~12 GB/s, close to memory bandwidth, so SIMD gained < 10%).
 *
 * Batched: `withinBlock` answers up to 32 queries in one pass over the addresses (scan-block.ts), so a read is no
 * longer bound by memory bandwidth but by the popcounts (16 per location and query at n = 1000). The wasm scanner
 * can also hold the counters (Int8, Int16) with a SIMD kernel that sums them (`sumBlock`), and its memory can be a
 * shared WebAssembly.Memory that worker threads attach to (`sharedState`, `attachScanner`; backends/cpu/sdm).
 *
 * Layout: location i's address is words [i W, (i + 1) W) of `addresses` (W = ceil(n / 32), packing as in bits.ts).
 * The wasm memory holds, in order: the query (W words, padded to 8 bytes), `out` (r words), the addresses (r W
 * words), the query block (32 W words), the pairs (2 r words) and, when counters are placed there, ACC_SLOTS
 * accumulators of 32 accStride i32 and the counters (+16 bytes of padding): 4 r (W + 3) + 128 W bytes plus those.
 */
import { uleb, wasmName, wasmSection } from '../../../core/wasm-bytes.ts';
import { popcount32 } from './bits.ts';
import { ACC_SLOTS, accStride, BLOCK_MAX, blockModuleBytes, sumModuleBytes } from './scan-block.ts';

/** Which kernel computes the distances: 'auto' picks 'wasm' when WebAssembly is available and the memory fits. */
export type ScanKernel = 'auto' | 'js' | 'wasm';

/** Distances from `query` to every hard location, over addresses owned by the scanner. */
export interface HammingScanner {
  readonly kind: 'js' | 'wasm';
  /** Bits per address. */
  readonly n: number;
  /** Number of hard locations. */
  readonly r: number;
  /** Words per address, ceil(n / 32). */
  readonly words: number;
  /** r * words packed addresses (padding bits 0). Written once when the memory is built. */
  readonly addresses: Uint32Array;
  /** The packed query (words long): set it, then call `within` or `distances`. */
  readonly query: Uint32Array;
  /** Output, length r: active indices (`within`) or all distances (`distances`). */
  readonly out: Uint32Array;
  /** Writes the indices i with dist(query, address_i) <= d to out[0..count), increasing; returns count. */
  within(d: number): number;
  /** Writes dist(query, address_i) to out[i] for every i. */
  distances(): void;
  /** The packed query block (BLOCK_MAX * words): query b at words [b W, (b + 1) W). Set it, then call `withinBlock`. */
  readonly block: Uint32Array;
  /**
   * Output of `withinBlock`, 2 r words: the pairs (location i, mask of the block queries within d of it) found in
   * [from, to) are written from word 2 from on, so disjoint ranges (one per thread) never overlap.
   */
  readonly pairs: Uint32Array;
  /**
   * One pass over locations [from, to) for the first `nq` queries of `block` (1 <= nq <= BLOCK_MAX): writes, in
   * increasing i, the pairs (i, mask) with mask != 0, bit b of mask set when dist(block query b, address_i) <= d, to
   * pairs[2 from ..]; returns how many.
   */
  withinBlock(nq: number, d: number, from: number, to: number): number;
  /** What another thread needs to attach to the same addresses (`attachScanner`), or null when not shared. */
  sharedState(): SharedScannerState | null;
  /**
   * The counters (r * valueBits, location-major) when ScannerOptions.counters placed them in this scanner's memory
   * (wasm kernel, Int8 or Int16 counters, all within 4 GiB), else null: then the caller keeps them.
   */
  readonly counters: Int8Array | Int16Array | null;
  /**
   * Sums the counters for `count` pairs written by `withinBlock` from word 2 from (needs `counters`), into accumulator
   * slot `slot` (0 <= slot < ACC_SLOTS; one per thread): acc[b stride + j] = sum over the pairs holding query b of
   * counter j of the pair's location, for b < nq. Exact while count * saturation < 2^31 (the caller checks).
   */
  sumBlock(slot: number, nq: number, from: number, count: number): { readonly acc: Int32Array; readonly stride: number };
}

/** Counters to place in a wasm scanner's memory next to the addresses (so that a wasm kernel sums them). */
export interface CounterSpec {
  readonly valueBits: number;
  readonly bits: 8 | 16 | 32;
}

/** Options of `createScanner`. */
export interface ScannerOptions {
  /** Keep addresses, query block and pairs in shared memory (a shared WebAssembly.Memory or SharedArrayBuffer). */
  readonly shared?: boolean;
  /** Block scan: queries per step sharing each loaded address word (1, 2, 4, 8, 16 or 32; default DEFAULT_BLOCK_TUNING). */
  readonly unroll?: number;
  /** Block scan: i8x16.popcnt on 128-bit chunks instead of i64.popcnt (slower on x86, see scan-block.ts; n <= 3968). */
  readonly simd?: boolean;
  /** Block scan, i64 path: word pairs per loop iteration over an address (0: fully unrolled; default DEFAULT_BLOCK_STEP). */
  readonly step?: number;
  /** Place these counters in the wasm memory too (Int8 and Int16 only; skipped when they do not fit in 4 GiB). */
  readonly counters?: CounterSpec;
}

/** A scanner's shared memory and shape, structured-cloneable (postMessage to a worker). */
export interface SharedScannerState {
  readonly kind: 'js' | 'wasm';
  readonly n: number;
  readonly r: number;
  readonly tuning: BlockTuning;
  /** wasm: the shared WebAssembly.Memory; js: the SharedArrayBuffer holding addresses, block and pairs. */
  readonly memory: unknown;
  /** The counters placed in the memory, or null. */
  readonly counters: CounterSpec | null;
}

/** The block scan's code shape (scan-block.ts), all exact: only the speed differs. */
export interface BlockTuning {
  readonly unroll: number;
  readonly simd: boolean;
  readonly step: number;
}

/** Default block-scan shape, the fastest measured on a 2-core AMD EPYC (Zen 3), Node 20 (bench/sdm-algebraic.ts). */
export const DEFAULT_BLOCK_TUNING: BlockTuning = Object.freeze({ unroll: 1, simd: false, step: 0 });

/** Byte offsets of the regions of a scanner's memory (the same in every thread). */
interface Layout {
  readonly words: number;
  readonly out: number;
  readonly addr: number;
  readonly block: number;
  readonly pairs: number;
  /** Accumulator slots (ACC_SLOTS of BLOCK_MAX * accStride i32) and counters, when counters are placed here. */
  readonly acc: number;
  readonly accStride: number;
  readonly counters: number;
  readonly total: number;
}

function layoutOf(n: number, r: number, counters: CounterSpec | null): Layout {
  const words = (n + 31) >>> 5;
  const queryBytes = 8 * Math.ceil(words / 2);
  const out = queryBytes;
  const addr = out + 4 * r;
  const block = addr + 4 * r * words;
  const pairs = block + 4 * BLOCK_MAX * words;
  const end = pairs + 8 * r;
  if (counters === null || counters.bits === 32) return { words, out, addr, block, pairs, acc: end, accStride: 0, counters: end, total: end };
  const acc = Math.ceil(end / 16) * 16;
  const stride = accStride(counters.valueBits, counters.bits === 8 ? 1 : 2);
  const ctr = acc + ACC_SLOTS * BLOCK_MAX * stride * 4;
  // 16 bytes past the last row: the sum kernel's last v128 load may run over the row's end
  return { words, out, addr, block, pairs, acc, accStride: stride, counters: ctr, total: ctr + (r * counters.valueBits * counters.bits) / 8 + 16 };
}

function checkBlock(nq: number, from: number, to: number, r: number): void {
  if (!(Number.isInteger(nq) && nq >= 1 && nq <= BLOCK_MAX)) throw new RangeError(`block of ${nq} queries outside [1, ${BLOCK_MAX}]`);
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= r)) throw new RangeError(`location range [${from}, ${to}) outside [0, ${r}]`);
}

class JsScanner implements HammingScanner {
  readonly kind = 'js' as const;
  readonly words: number;
  readonly addresses: Uint32Array;
  readonly query: Uint32Array;
  readonly out: Uint32Array;
  readonly block: Uint32Array;
  readonly pairs: Uint32Array;
  private readonly buffer: ArrayBuffer | SharedArrayBuffer;
  private readonly shared: boolean;

  constructor(
    readonly n: number,
    readonly r: number,
    shared: boolean,
    attach?: SharedArrayBuffer,
  ) {
    const lay = layoutOf(n, r, null);
    this.words = lay.words;
    this.shared = shared || attach !== undefined;
    // addresses, block and pairs in one buffer, at the wasm layout's offsets less the private query and out
    const base = lay.addr;
    this.buffer = attach ?? (this.shared ? new SharedArrayBuffer(lay.total - base) : new ArrayBuffer(lay.total - base));
    this.addresses = new Uint32Array(this.buffer, 0, r * this.words);
    this.block = new Uint32Array(this.buffer, lay.block - base, BLOCK_MAX * this.words);
    this.pairs = new Uint32Array(this.buffer, lay.pairs - base, 2 * r);
    this.query = new Uint32Array(this.words);
    this.out = new Uint32Array(r);
  }

  withinBlock(nq: number, d: number, from: number, to: number): number {
    checkBlock(nq, from, to, this.r);
    if (d < 0) return 0;
    const { addresses: a, block: q, pairs, words: w } = this;
    let count = 0;
    let o = 2 * from;
    for (let i = from, base = from * w; i < to; i++, base += w) {
      let mask = 0;
      for (let b = 0, qb = 0; b < nq; b++, qb += w) {
        let dist = 0;
        for (let k = 0; k < w; k++) {
          let x = a[base + k]! ^ q[qb + k]!;
          x = x - ((x >>> 1) & 0x55555555);
          x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
          x = (x + (x >>> 4)) & 0x0f0f0f0f;
          dist += Math.imul(x, 0x01010101) >>> 24;
        }
        if (dist <= d) mask |= 1 << b;
      }
      if (mask !== 0) {
        pairs[o++] = i;
        pairs[o++] = mask;
        count++;
      }
    }
    return count;
  }

  sharedState(): SharedScannerState | null {
    return this.shared ? { kind: 'js', n: this.n, r: this.r, tuning: DEFAULT_BLOCK_TUNING, memory: this.buffer, counters: null } : null;
  }

  readonly counters = null;

  sumBlock(): { readonly acc: Int32Array; readonly stride: number } {
    throw new Error('js scanner: counters are not in its memory, sum them in JavaScript');
  }

  within(d: number): number {
    const { addresses: a, query: q, out, r, words: w } = this;
    let count = 0;
    for (let i = 0, base = 0; i < r; i++, base += w) {
      let dist = 0;
      for (let k = 0; k < w; k++) {
        let x = a[base + k]! ^ q[k]!;
        x = x - ((x >>> 1) & 0x55555555);
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        x = (x + (x >>> 4)) & 0x0f0f0f0f;
        dist += Math.imul(x, 0x01010101) >>> 24;
      }
      if (dist <= d) out[count++] = i;
    }
    return count;
  }

  distances(): void {
    const { addresses: a, query: q, out, r, words: w } = this;
    for (let i = 0, base = 0; i < r; i++, base += w) {
      let dist = 0;
      for (let k = 0; k < w; k++) dist += popcount32(a[base + k]! ^ q[k]!);
      out[i] = dist;
    }
  }
}

// ---- WebAssembly kernel -------------------------------------------------------------------------------------------

/** The few WebAssembly JS-API members used here (the project's TS lib has no DOM/WebAssembly typings). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

type BlockFn = (addr: number, from: number, to: number, q: number, nq: number, d: number, out: number, valid: number) => number;

type SumFn = (ctr: number, rowBytes: number, pairs: number, count: number, acc: number, accBytes: number) => void;

type ScanFn = (addr: number, r: number, pairs: number, tail: number, q: number, d: number, out: number, mode: number) => number;

const WASM_PAGE = 65536;
/** wasm32 linear memory holds at most 2^16 pages of 64 KiB (4 GiB). */
const WASM_MAX_PAGES = 65536;

// Opcodes (WebAssembly core spec 1.0, section 5.4).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const GET = 0x20, SET = 0x21, CONST = 0x41;
const I32_LOAD = 0x28, I64_LOAD = 0x29, I32_STORE = 0x36;
const I32_LE_U = 0x4d, I32_GE_U = 0x4f, I32_POPCNT = 0x69, I32_ADD = 0x6a, I32_XOR = 0x73, I32_SHL = 0x74;
const I64_POPCNT = 0x7b, I64_XOR = 0x85, I32_WRAP_I64 = 0xa7;
const I32 = 0x7f;

/**
 * scan(addr, r, pairs, tail, q, d, out, mode) -> count, all i32 byte offsets / counts:
 *
 *   p = addr
 *   for i in [0, r):
 *     dist = sum_{j < pairs} popcnt64(load64(p + 8j) ^ load64(q + 8j)) + (tail ? popcnt32(load32(p') ^ load32(q')) : 0)
 *     p += 4 words
 *     mode 1: store32(out + 4i, dist)
 *     mode 0: if dist <= d (unsigned): store32(out + 4 count, i); count++
 *   return count
 */
function scanModuleBytes(shared: boolean): Uint8Array {
  // params 0 addr, 1 r, 2 pairs, 3 tail, 4 q, 5 d, 6 out, 7 mode; locals 8 count, 9 i, 10 p, 11 dist, 12 j, 13 qp
  const body = [
    GET, 0, SET, 10,
    BLOCK, VOID, LOOP, VOID,
    /**/ GET, 9, GET, 1, I32_GE_U, BR_IF, 1,
    /**/ CONST, 0, SET, 11, GET, 4, SET, 13, CONST, 0, SET, 12,
    /**/ BLOCK, VOID, LOOP, VOID,
    /*    */ GET, 12, GET, 2, I32_GE_U, BR_IF, 1,
    /*    */ GET, 10, I64_LOAD, 3, 0, GET, 13, I64_LOAD, 3, 0, I64_XOR, I64_POPCNT, I32_WRAP_I64, GET, 11, I32_ADD, SET, 11,
    /*    */ GET, 10, CONST, 8, I32_ADD, SET, 10,
    /*    */ GET, 13, CONST, 8, I32_ADD, SET, 13,
    /*    */ GET, 12, CONST, 1, I32_ADD, SET, 12,
    /*    */ BR, 0,
    /**/ END, END,
    /**/ GET, 3, IF, VOID,
    /*    */ GET, 10, I32_LOAD, 2, 0, GET, 13, I32_LOAD, 2, 0, I32_XOR, I32_POPCNT, GET, 11, I32_ADD, SET, 11,
    /*    */ GET, 10, CONST, 4, I32_ADD, SET, 10,
    /**/ END,
    /**/ GET, 7, IF, VOID,
    /*    */ GET, 6, GET, 9, CONST, 2, I32_SHL, I32_ADD, GET, 11, I32_STORE, 2, 0,
    /**/ ELSE,
    /*    */ GET, 11, GET, 5, I32_LE_U, IF, VOID,
    /*        */ GET, 6, GET, 8, CONST, 2, I32_SHL, I32_ADD, GET, 9, I32_STORE, 2, 0,
    /*        */ GET, 8, CONST, 1, I32_ADD, SET, 8,
    /*    */ END,
    /**/ END,
    /**/ GET, 9, CONST, 1, I32_ADD, SET, 9,
    /**/ BR, 0,
    END, END,
    GET, 8,
    END,
  ];
  const name = wasmName;
  const section = wasmSection;
  const func = [1, 6, I32, ...body]; // one local group: 6 x i32
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, [1, 0x60, 8, I32, I32, I32, I32, I32, I32, I32, I32, 1, I32]), // type: (i32 x 8) -> i32
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, ...(shared ? [0x03, 0x00, 0x80, 0x80, 0x04] : [0x00, 0x00])]), // import memory env.mem, min 0 pages (shared: max 65536)
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...name('scan'), 0x00, 0]), // export "scan" = func 0
    ...section(10, [1, ...uleb(func.length), ...func]), // code
  ]);
}

const compiled = new Map<string, object>();

function compile(api: WasmApi, key: string, bytes: () => Uint8Array): object {
  let m = compiled.get(key);
  if (m === undefined) {
    m = new api.Module(bytes());
    compiled.set(key, m);
  }
  return m;
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

class WasmScanner implements HammingScanner {
  readonly kind = 'wasm' as const;
  readonly words: number;
  readonly addresses: Uint32Array;
  readonly query: Uint32Array;
  readonly out: Uint32Array;
  readonly block: Uint32Array;
  readonly pairs: Uint32Array;
  private readonly scan: ScanFn;
  private readonly blockScan: BlockFn;
  private readonly addrOff: number;
  private readonly outOff: number;
  private readonly blockOff: number;
  private readonly pairsOff: number;
  private readonly pairs64: number;
  private readonly tail: number;
  private readonly memory: WasmMemory;
  private readonly shared: boolean;
  readonly counters: Int8Array | Int16Array | null;
  private readonly counterSpec: CounterSpec | null;
  private readonly lay: Layout;
  private readonly sum: SumFn | null;

  constructor(
    readonly n: number,
    readonly r: number,
    api: WasmApi,
    shared: boolean,
    private readonly tuning: BlockTuning,
    counters: CounterSpec | null,
    attach?: WasmMemory,
  ) {
    const spec = counters !== null && counters.bits !== 32 ? counters : null;
    const lay = layoutOf(n, r, spec);
    this.lay = lay;
    this.counterSpec = spec;
    const words = lay.words;
    this.words = words;
    this.outOff = lay.out;
    this.addrOff = lay.addr;
    this.blockOff = lay.block;
    this.pairsOff = lay.pairs;
    const pages = Math.ceil(lay.total / WASM_PAGE);
    if (pages > WASM_MAX_PAGES) throw new RangeError(`wasm scan: ${lay.total} bytes exceed the 4 GiB of wasm32 memory`);
    this.shared = shared || attach !== undefined;
    const memory = attach ?? new api.Memory({ initial: Math.max(1, pages), maximum: Math.max(1, pages), ...(this.shared ? { shared: true } : {}) });
    this.memory = memory;
    const env = { env: { mem: memory } };
    this.scan = new api.Instance(compile(api, `scan:${this.shared}`, () => scanModuleBytes(this.shared)), env).exports.scan as ScanFn;
    const { unroll, simd, step } = tuning;
    const blockKey = `block:${words}:${unroll}:${simd}:${step}:${this.shared}`;
    const blockBytes = (): Uint8Array => blockModuleBytes({ words, unroll, shared: this.shared, simd, step });
    this.blockScan = new api.Instance(compile(api, blockKey, blockBytes), env).exports.block as BlockFn;
    this.query = new Uint32Array(memory.buffer, 0, words);
    this.out = new Uint32Array(memory.buffer, this.outOff, r);
    this.addresses = new Uint32Array(memory.buffer, this.addrOff, r * words);
    this.block = new Uint32Array(memory.buffer, this.blockOff, BLOCK_MAX * words);
    this.pairs = new Uint32Array(memory.buffer, this.pairsOff, 2 * r);
    this.pairs64 = words >>> 1;
    this.tail = words & 1;
    if (spec === null) {
      this.counters = null;
      this.sum = null;
    } else {
      const len = r * spec.valueBits;
      this.counters = spec.bits === 8 ? new Int8Array(memory.buffer, lay.counters, len) : new Int16Array(memory.buffer, lay.counters, len);
      const sums = new api.Instance(compile(api, `sum:${this.shared}`, () => sumModuleBytes(this.shared)), env).exports;
      this.sum = (spec.bits === 8 ? sums.sum8 : sums.sum16) as SumFn;
    }
  }

  sumBlock(slot: number, nq: number, from: number, count: number): { readonly acc: Int32Array; readonly stride: number } {
    if (this.sum === null || this.counterSpec === null) throw new Error('wasm scanner: no counters in its memory');
    if (!(Number.isInteger(slot) && slot >= 0 && slot < ACC_SLOTS)) throw new RangeError(`accumulator slot ${slot} outside [0, ${ACC_SLOTS})`);
    checkBlock(nq, from, from, this.r);
    if (!(Number.isInteger(count) && count >= 0 && from + count <= this.r)) throw new RangeError(`${count} pairs from location ${from} exceed r = ${this.r}`);
    const stride = this.lay.accStride;
    const off = this.lay.acc + slot * BLOCK_MAX * stride * 4;
    const acc = new Int32Array(this.memory.buffer, off, nq * stride);
    acc.fill(0);
    const e = this.counterSpec.bits / 8;
    this.sum(this.lay.counters, this.counterSpec.valueBits * e, this.pairsOff + 8 * from, count, off, stride * 4);
    return { acc, stride };
  }

  within(d: number): number {
    if (d < 0) return 0;
    return this.scan(this.addrOff, this.r, this.pairs64, this.tail, 0, Math.min(d, this.n), this.outOff, 0) >>> 0;
  }

  distances(): void {
    this.scan(this.addrOff, this.r, this.pairs64, this.tail, 0, 0, this.outOff, 1);
  }

  withinBlock(nq: number, d: number, from: number, to: number): number {
    checkBlock(nq, from, to, this.r);
    if (d < 0) return 0;
    const u = this.tuning.unroll;
    const padded = Math.ceil(nq / u) * u; // the kernel steps u queries at a time; `valid` masks the extra ones
    const valid = nq === 32 ? -1 : (1 << nq) - 1;
    return this.blockScan(this.addrOff, from, to, this.blockOff, padded, Math.min(d, this.n), this.pairsOff + 8 * from, valid) >>> 0;
  }

  sharedState(): SharedScannerState | null {
    return this.shared ? { kind: 'wasm', n: this.n, r: this.r, tuning: this.tuning, memory: this.memory, counters: this.counterSpec } : null;
  }
}

/** True when this runtime can run the wasm kernel. */
export function wasmAvailable(): boolean {
  return wasmApi() !== undefined;
}

function checkTuning(t: BlockTuning): BlockTuning {
  if (![1, 2, 4, 8, 16, 32].includes(t.unroll)) throw new RangeError(`block scan unroll must be 1, 2, 4, 8, 16 or 32, got ${t.unroll}`);
  if (!(Number.isInteger(t.step) && t.step >= 0 && t.step <= 64)) throw new RangeError(`block scan step must be an integer in [0, 64], got ${t.step}`);
  return t;
}

/**
 * A scanner for r addresses of n bits. 'auto' tries 'wasm' and falls back to 'js' when WebAssembly is missing or the
 * memory would exceed 4 GiB; 'wasm' throws in those cases.
 */
export function createScanner(n: number, r: number, kernel: ScanKernel = 'auto', options: ScannerOptions = {}): HammingScanner {
  const shared = options.shared === true;
  const d = DEFAULT_BLOCK_TUNING;
  const tuning = checkTuning({ unroll: options.unroll ?? d.unroll, simd: options.simd ?? d.simd, step: options.step ?? d.step });
  if (kernel === 'js') return new JsScanner(n, r, shared);
  const api = wasmApi();
  if (api === undefined) {
    if (kernel === 'wasm') throw new Error('wasm scan kernel: WebAssembly is not available in this runtime');
    return new JsScanner(n, r, shared);
  }
  if (options.counters !== undefined) {
    try {
      return new WasmScanner(n, r, api, shared, tuning, options.counters);
    } catch {
      // counters and addresses together exceed 4 GiB: addresses only, the caller keeps the counters
    }
  }
  try {
    return new WasmScanner(n, r, api, shared, tuning, null);
  } catch (e) {
    if (kernel === 'wasm') throw e;
    return new JsScanner(n, r, shared);
  }
}

/** A scanner over the memory of another thread's shared scanner (its `sharedState()`): same addresses, no copy. */
export function attachScanner(state: SharedScannerState): HammingScanner {
  if (state.kind === 'js') return new JsScanner(state.n, state.r, true, state.memory as SharedArrayBuffer);
  const api = wasmApi();
  if (api === undefined) throw new Error('wasm scan kernel: WebAssembly is not available in this runtime');
  return new WasmScanner(state.n, state.r, api, true, checkTuning(state.tuning), state.counters, state.memory as WasmMemory);
}
