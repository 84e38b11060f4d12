/**
 * The LIF resting flush (models/neurons/lif.ts#settleLif and #flushToRest) as a WebAssembly SIMD module, generated
 * per population like the update kernel (lif.ts): n, v_rest, the tolerance and the four state array addresses are
 * written into the code. Two exports on the population's v, ge, gi, refr:
 * - `settle() -> i32`: settleLif over all n neurons; returns 1 when every neuron was flushed (settleLif's flag).
 * - `settleWord(w) -> i32`: the same flush of neurons [32 w, min(n, 32 w + 32)); returns the bitmap of those not
 *   exactly at rest after it (bit k = neuron 32 w + k; at rest: v == v_rest as a float, g_e, g_i and refr all +0 bits,
 *   the engine's RestingSet definition). Traps for w >= ceil(n / 32).
 *
 * Per neuron (flushToRest, the comparisons in float64 as JavaScript does them):
 *   flushed = !(refr > 0) && ge < F && ge > -F && gi < F && gi > -F && dv < tol && dv > -tol,
 *   dv = v - v_rest, F = LIF_SYN_FLUSH_MV;  flushed: v = v_rest, ge = gi = +0; else nothing changes.
 * Every lane is computed and the result chosen with bit masks (`v128.bitselect`, `v128.andnot`), so a lane that is
 * not flushed is stored back with its own bits (NaN payloads and -0 included): the memory ends as settleLif leaves it.
 * (Storing only the vectors whose bits change measured no faster, 100,000 neurons mostly at rest.)
 * - float64 (f64x2): exactly the JavaScript operations (IEEE 754 binary64 subtraction and ordered comparisons).
 * - float32 (f32x4 state): JavaScript widens each float32 element to float64 and compares in float64; here the
 *   lanes are widened the same way (`f64x2.promote_low_f32x4`, exact) and compared in f64x2, two lanes at a time,
 *   and the two float64 masks are narrowed to one f32x4 mask (`i8x16.shuffle`). refr > 0 is compared in f32x4, which
 *   is the same test (widening is exact and keeps order). The value written, v_rest, is Math.fround(v_rest), as a
 *   Float32Array store rounds it.
 * n need not be a multiple of the vector width: the last n mod W neurons (W = 2 or 4) are one lane each
 * (`v128.load64_zero`/`load32_zero`, `v128.store64_lane`/`store32_lane`), so nothing past the arrays is touched.
 * Tests: test/backends/wasm-settle.test.ts (bit for bit against settleLif, float64 and float32, edge values).
 */
import { LIF_SYN_FLUSH_MV } from '../../../models/neurons/lif.ts';
import { isSharedMemory, wasm, WASM_PAGE_BYTES, type WasmMemory } from './api.ts';
import { Code, type FuncSpec, I32, moduleBytes, OP, SIMD, V128, type ValType } from './emit.ts';
import { LIF_WASM_MEMORY_IMPORT, type LifWasmPrecision } from './lif.ts';

/** Byte offsets of a population's state arrays (n elements each, float64 or float32, aligned to their size). */
export interface SettleWasmLayout {
  readonly v: number;
  readonly ge: number;
  readonly gi: number;
  readonly refr: number;
}

/** One instantiated flush module (see the file comment). */
export interface SettleWasmKernel {
  /** settleLif(state, n, vRest, tol): 1 when every neuron was flushed, else 0. */
  readonly settle: () => number;
  /** The flush of neurons [32 w, 32 w + 32) (n at most); the bitmap of those left not exactly at rest. */
  readonly settleWord: (w: number) => number;
  readonly precision: LifWasmPrecision;
  readonly n: number;
}

/** Export names. */
export const SETTLE_WASM_EXPORTS = { settle: 'settle', word: 'settleWord' } as const;

/** Checks a layout (aligned, non-negative, non-overlapping arrays of n elements); returns its end in bytes. */
export function checkSettleWasmLayout(n: number, layout: SettleWasmLayout, precision: LifWasmPrecision): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wasm settle: n must be a positive integer, got ${n}`);
  const size = precision / 8;
  const spans = (['v', 'ge', 'gi', 'refr'] as const).map((k) => {
    const ptr = layout[k];
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % size !== 0) throw new RangeError(`wasm settle: layout.${k} = ${ptr} must be a non-negative multiple of ${size} bytes`);
    return { k, start: ptr, end: ptr + n * size };
  });
  spans.sort((a, b) => a.start - b.start);
  for (let q = 1; q < spans.length; q++)
    if (spans[q]!.start < spans[q - 1]!.end) throw new RangeError(`wasm settle: layout.${spans[q - 1]!.k} overlaps layout.${spans[q]!.k}`);
  const end = spans[spans.length - 1]!.end;
  if (end > 2 ** 32) throw new RangeError(`wasm settle: layout ends at byte ${end}, beyond the 4 GiB of a 32-bit memory`);
  return end;
}

/** Vectors per iteration of settle's loop (8 neurons either way). */
const UNROLL: Readonly<Record<LifWasmPrecision, number>> = { 64: 4, 32: 2 };

/**
 * The binary: imports `env.memory` (minimum: the pages the layout needs), exports `settle` and `settleWord`.
 * vRest and tol are float64 (tol: lif.ts restTolerance or restTolerance32, as the caller passes to settleLif).
 */
export function settleWasmBytes(n: number, vRest: number, tol: number, layout: SettleWasmLayout, precision: LifWasmPrecision, shared = false): Uint8Array {
  const end = checkSettleWasmLayout(n, layout, precision);
  const f64 = precision === 64;
  const S = precision / 8;
  const shift = Math.log2(S);
  const W = 16 / S;
  const words = Math.ceil(n / 32);
  const ops = f64
    ? { gt: SIMD.f64x2_gt, eq: SIMD.f64x2_eq, ieq: SIMD.i64x2_eq, bitmask: SIMD.i64x2_bitmask, allTrue: SIMD.i64x2_all_true, loadOne: SIMD.v128_load64_zero, storeOne: SIMD.v128_store64_lane }
    : { gt: SIMD.f32x4_gt, eq: SIMD.f32x4_eq, ieq: SIMD.i32x4_eq, bitmask: SIMD.i32x4_bitmask, allTrue: SIMD.i32x4_all_true, loadOne: SIMD.v128_load32_zero, storeOne: SIMD.v128_store32_lane };
  /** Lanes 1..W-1 all ones: or-ed into the flush mask of a one-lane step so that settle's flag ignores them. */
  const pad = f64 ? [...new Array<number>(8).fill(0), ...new Array<number>(8).fill(0xff)] : [0, 0, 0, 0, ...new Array<number>(12).fill(0xff)];
  const zeroBytes = new Array<number>(16).fill(0);

  const fn = (kind: 'settle' | 'word'): FuncSpec => {
    const params: ValType[] = kind === 'word' ? [I32] : [];
    const locals: ValType[] = [];
    const local = (t: ValType): number => locals.push(t) - 1 + params.length;
    const B = local(I32);
    const BITS = local(I32);
    const V = local(V128);
    const E = local(V128);
    const G = local(V128);
    const R = local(V128);
    const FL = local(V128);
    const VN = local(V128);
    const ACC = local(V128);
    const D = local(V128);
    const EP = local(V128);
    const GP = local(V128);
    const LO = local(V128);
    const HI = local(V128);
    const K_F = local(V128);
    const K_NF = local(V128);
    const K_TOL = local(V128);
    const K_NTOL = local(V128);
    const K_REST = local(V128); // v_rest in float64 lanes (the subtraction)
    const K_RESTW = f64 ? K_REST : local(V128); // the value written and compared at rest, in the state's precision
    const c = new Code();
    const splat64 = (x: number, at: number) => c.f64(x).simd(SIMD.f64x2_splat).set(at);
    splat64(LIF_SYN_FLUSH_MV, K_F);
    splat64(-LIF_SYN_FLUSH_MV, K_NF);
    splat64(tol, K_TOL);
    splat64(-tol, K_NTOL);
    splat64(vRest, K_REST);
    if (!f64) c.f32(Math.fround(vRest)).simd(SIMD.f32x4_splat).set(K_RESTW);
    const zero = (): Code => c.v128(zeroBytes);

    /** Pushes the float64 mask of the six comparisons for the float64 lanes in EP (ge), GP (gi) and D (v - v_rest). */
    const inWindow = (): void => {
      c.get(EP).get(K_F).simd(SIMD.f64x2_lt);
      c.get(EP).get(K_NF).simd(SIMD.f64x2_gt).simd(SIMD.v128_and);
      c.get(GP).get(K_F).simd(SIMD.f64x2_lt).simd(SIMD.v128_and);
      c.get(GP).get(K_NF).simd(SIMD.f64x2_gt).simd(SIMD.v128_and);
      c.get(D).get(K_TOL).simd(SIMD.f64x2_lt).simd(SIMD.v128_and);
      c.get(D).get(K_NTOL).simd(SIMD.f64x2_gt).simd(SIMD.v128_and);
    };
    /** float32: widens lanes 0-1 (high = false) or 2-3 (high = true) of x into the f64x2 local `to`. */
    const widen = (x: number, high: boolean, to: number): void => {
      c.get(x);
      if (high) c.get(x).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
      c.simd(SIMD.f64x2_promote_low_f32x4).set(to);
    };
    const halfWindow = (high: boolean): void => {
      widen(E, high, EP);
      widen(G, high, GP);
      widen(V, high, D);
      c.get(D).get(K_REST).simd(SIMD.f64x2_sub).set(D);
      inWindow();
    };

    /**
     * The flush of W neurons at bytes B + at (lanes 'all') or of one neuron in lane 0 at B + at ('one'). Leaves the
     * flush mask in FL; with `bits`, ors the bitmap of the lanes left away from rest, shifted by `bitAt`, into BITS.
     */
    const flush = (lanes: 'all' | 'one', at: number, bits: boolean, bitAt: number): void => {
      const load = (ptr: number, to: number): Code => c.get(B).simdMem(lanes === 'all' ? SIMD.v128_load : ops.loadOne, shift, ptr + at).set(to);
      const store = (ptr: number): Code => (lanes === 'all' ? c.simdMem(SIMD.v128_store, shift, ptr + at) : c.simdMem(ops.storeOne, shift, ptr + at, 0));
      load(layout.v, V);
      load(layout.ge, E);
      load(layout.gi, G);
      load(layout.refr, R);
      if (f64) {
        c.get(E).set(EP).get(G).set(GP);
        c.get(V).get(K_REST).simd(SIMD.f64x2_sub).set(D);
        inWindow();
      } else if (lanes === 'one') {
        // Lane 0 of the float64 mask's low half is the neuron's 32-bit lane 0 (the other lanes are ignored).
        halfWindow(false);
      } else {
        // The float64 masks of lanes 0-1 and 2-3, narrowed to one mask of 32-bit lanes.
        halfWindow(false);
        c.set(LO);
        halfWindow(true);
        c.set(HI);
        c.get(LO).get(HI).shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
      }
      // FL = window and not refractory (refr > 0).
      c.get(R);
      zero();
      c.simd(ops.gt).simd(SIMD.v128_andnot).set(FL);
      c.get(K_RESTW).get(V).get(FL).simd(SIMD.v128_bitselect).set(VN);
      c.get(B).get(VN);
      store(layout.v);
      c.get(B).get(E).get(FL).simd(SIMD.v128_andnot);
      store(layout.ge);
      c.get(B).get(G).get(FL).simd(SIMD.v128_andnot);
      store(layout.gi);
      if (kind === 'settle') {
        c.get(ACC).get(FL);
        if (lanes === 'one') c.v128(pad).simd(SIMD.v128_or);
        c.simd(SIMD.v128_and).set(ACC);
      }
      if (bits) {
        c.get(VN).get(K_RESTW).simd(ops.eq);
        c.get(E).get(FL).simd(SIMD.v128_andnot);
        zero();
        c.simd(ops.ieq).simd(SIMD.v128_and);
        c.get(G).get(FL).simd(SIMD.v128_andnot);
        zero();
        c.simd(ops.ieq).simd(SIMD.v128_and);
        c.get(R);
        zero();
        c.simd(ops.ieq).simd(SIMD.v128_and);
        c.simd(ops.bitmask).i32(lanes === 'all' ? (1 << W) - 1 : 1).op(OP.i32_xor);
        if (lanes === 'one') c.i32(1).op(OP.i32_and);
        if (bitAt > 0) c.i32(bitAt).op(OP.i32_shl);
        c.get(BITS).op(OP.i32_or).set(BITS);
      }
    };
    if (kind === 'settle') {
      // Every vector, in groups of UNROLL, then the remaining full vectors, then the n mod W last neurons.
      c.v128(new Array<number>(16).fill(0xff)).set(ACC);
      const perGroup = UNROLL[precision] * W;
      const nLoop = Math.floor(n / perGroup) * perGroup;
      const nVec = Math.floor(n / W) * W;
      if (nLoop > 0) {
        c.i32(0).set(B).open(OP.loop);
        for (let q = 0; q < UNROLL[precision]; q++) flush('all', 16 * q, false, 0);
        c.get(B).i32(16 * UNROLL[precision]).op(OP.i32_add).tee(B).i32(nLoop * S).op(OP.i32_lt_u).brIf(0);
        c.end();
      }
      c.i32(nLoop * S).set(B);
      for (let q = 0; q < (nVec - nLoop) / W; q++) flush('all', 16 * q, false, 0);
      for (let i = nVec; i < n; i++) flush('one', (i - nLoop) * S, false, 0);
      c.get(ACC).simd(ops.allTrue);
    } else {
      // w >= words traps; B = the word's first byte; a full word is 32 / W vectors, the last one may be partial.
      const W_ARG = 0;
      c.get(W_ARG).i32(words).op(OP.i32_ge_u).open(OP.if).op(OP.unreachable).end();
      c.get(W_ARG).i32(5 + shift).op(OP.i32_shl).set(B);
      const word = (len: number): void => {
        const full = Math.floor(len / W);
        for (let q = 0; q < full; q++) flush('all', 16 * q, true, q * W);
        for (let j = full * W; j < len; j++) flush('one', j * S, true, j);
      };
      const last = n - 32 * (words - 1);
      if (last === 32) word(32);
      else if (words === 1) word(last);
      else {
        c.get(W_ARG).i32(words - 1).op(OP.i32_eq).open(OP.if);
        word(last);
        c.op(OP.else);
        word(32);
        c.end();
      }
      c.get(BITS);
    }
    return { params, results: [I32], locals, body: c, exportName: kind === 'settle' ? SETTLE_WASM_EXPORTS.settle : SETTLE_WASM_EXPORTS.word };
  };
  const minPages = Math.ceil(end / WASM_PAGE_BYTES);
  return moduleBytes({ module: LIF_WASM_MEMORY_IMPORT[0], name: LIF_WASM_MEMORY_IMPORT[1], minPages, ...(shared ? { maxPages: 65536 } : {}), shared }, [fn('settle'), fn('word')]);
}

/**
 * Generates, compiles and instantiates the flush for the n neurons at `layout` in `memory` (shared or not, detected).
 * Throws a RangeError when the layout is invalid or does not fit in the memory.
 */
export function createSettleWasm(memory: WasmMemory, n: number, vRest: number, tol: number, layout: SettleWasmLayout, precision: LifWasmPrecision): SettleWasmKernel {
  const end = checkSettleWasmLayout(n, layout, precision);
  if (end > memory.buffer.byteLength) throw new RangeError(`wasm settle: the layout needs ${end} bytes, the memory has ${memory.buffer.byteLength}`);
  const module = new wasm.Module(settleWasmBytes(n, vRest, tol, layout, precision, isSharedMemory(memory)));
  const instance = new wasm.Instance(module, { [LIF_WASM_MEMORY_IMPORT[0]]: { [LIF_WASM_MEMORY_IMPORT[1]]: memory } });
  const settle = instance.exports[SETTLE_WASM_EXPORTS.settle];
  const settleWord = instance.exports[SETTLE_WASM_EXPORTS.word];
  if (typeof settle !== 'function' || typeof settleWord !== 'function') throw new TypeError('wasm settle: the module lacks its exports');
  return { settle: settle as () => number, settleWord: settleWord as (w: number) => number, precision, n };
}
