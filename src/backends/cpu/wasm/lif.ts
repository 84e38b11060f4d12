/**
 * LIF population update as a WebAssembly SIMD kernel (f64x2 or f32x4), generated per population like the compiled
 * JS loop of ../jit.ts: n, every parameter, every propagator and every array address are written into the code.
 *
 * Per neuron i and tick (models/neurons/lif.ts#stepLif, same operations in the same order):
 *   e = ge[i] + ringE[off+i];  g = gi[i] + ringI[off+i];  ringE[off+i] = ringI[off+i] = 0
 *   ge[i] = e * decayE;        gi[i] = g * decayI
 *   u  = (v_rest + i_bias) [+ ext[i]]
 *   vn = ((u + (v[i] - u) * decayM) + e * pE) + g * pI
 *   refractory (refr[i] > 0):  v[i] unchanged,  refr[i] = refr[i] - 1
 *   else spike (vn >= v_th):   v[i] = v_reset,  refr[i] = refTicks,  spikes[count++] = i
 *   else                       v[i] = vn,       refr[i] unchanged
 * Both paths are computed for every lane and chosen with bit masks, with act = refr > 0 and sp = (vn >= v_th) & !act:
 *   v' = sp ? v_reset : (act ? v : vn)        refr' = sp ? refTicks : refr - (act ? 1 : 0)
 * (refr - (+0) is refr for every value, -0 and NaN included, so refr' is stepLif's). The loop has no data-dependent
 * branch except the rare spike append: the lane bitmasks of `unroll` vectors are merged and, when nonzero, their set
 * bits appended lowest first (`i32.ctz`), so spike indices increase.
 * WebAssembly arithmetic is IEEE 754 binary64/binary32 with round-to-nearest, no fused multiply-add and no flush of
 * subnormals, so the float64 kernel is bit-identical to stepLif, and the float32 kernel equals the same formula
 * evaluated in float32 with every operation rounded (constants rounded once with Math.fround).
 *
 * The ring slot is cleared inside the loop (zeros written after the read), whether or not it held input.
 * What stepLif also does and this kernel leaves to its caller: `io.status` and the resting fixed point (settleLif,
 * generated as its own module in settle.ts).
 *
 * n need not be a multiple of the vector width: the last n mod W neurons (W = 2 for float64, 4 for float32) run the
 * same vector code on one lane each (`v128.load64_zero`/`load32_zero`, `v128.store64_lane`/`store32_lane`), so no
 * array needs padding and the tail rounds exactly like the body.
 */
import type { LifDerived, LifParams } from '../../../models/neurons/lif.ts';
import { isSharedMemory, wasm, WASM_PAGE_BYTES, type WasmMemory, type WasmModule } from './api.ts';
import { Code, I32, moduleBytes, OP, SIMD, V128, type ValType } from './emit.ts';

/** Floating-point width of the state and ring arrays: 64 (Float64Array, f64x2) or 32 (Float32Array, f32x4). */
export type LifWasmPrecision = 32 | 64;

/**
 * Where the arrays of one population live in the memory: byte offsets, each a multiple of the element size (8 for
 * float64, 4 for float32 and for spikes); 16 keeps the vector accesses aligned. Lengths, in elements:
 * v, ge, gi, refr, ext: n; ringE, ringI: (slots - 1) * ringStride + n (slot k at elements [k ringStride, k ringStride
 * + n)); spikes (Uint32): n.
 *
 * A kernel may update a part of a larger population, neurons [k, k + n) of N (one part per worker thread): point
 * v, ge, gi, refr, ext and the rings at element k of the population's arrays, set ringStride = N (the population's
 * slot length, so `off` stays StepIO.slotOffset) and spikeBase = k (spike indices are then the population's), and
 * give each part its own spikes array; concatenating the parts' spikes in order gives the increasing list.
 */
export interface LifWasmLayout {
  readonly v: number;
  readonly ge: number;
  readonly gi: number;
  readonly refr: number;
  readonly ringE: number;
  readonly ringI: number;
  /** External drive (mV, same unit as i_bias), or null when the population has none: then `step(off, 1)` traps. */
  readonly ext: number | null;
  /** Spike indices (Uint32), written from element 0. */
  readonly spikes: number;
  /** Number of slots in each ring buffer. */
  readonly slots: number;
  /** Elements from one ring slot to the next (default n). */
  readonly ringStride?: number;
  /** Added to every spike index written (default 0). */
  readonly spikeBase?: number;
}

/** How to generate the kernel. */
export interface LifWasmOptions {
  readonly precision: LifWasmPrecision;
  /** Import a shared memory (`shared: true`); it must match the memory given at instantiation. Default false. */
  readonly shared?: boolean;
  /**
   * Where the constants live: 'hoisted' (default) splats each once per call into a v128 local, as passing them as
   * arguments would; 'inline' writes a `v128.const` at every use. bench/wasm-lif.ts measures both.
   */
  readonly constants?: 'hoisted' | 'inline';
  /** Vectors per loop iteration (their spike masks are tested with one branch); default DEFAULT_UNROLL. */
  readonly unroll?: number;
}

/**
 * Default vectors per loop iteration. 1, 2 and 4 ran within the noise of each other in bench/wasm-lif.ts (2 cores,
 * shared machine); 2 halves the spike-mask branches at no cost in code size worth noting.
 */
export const DEFAULT_UNROLL: Readonly<Record<LifWasmPrecision, number>> = Object.freeze({ 64: 2, 32: 2 });

/**
 * One instantiated kernel. `step(off, hasExt)` advances every neuron one tick with the ring slot that starts at
 * element `off` (k ringStride for slot k, as StepIO.slotOffset), adding `ext` when hasExt is nonzero, and
 * returns the number of spikes written. It traps (WebAssembly.RuntimeError) for an `off` outside the rings and for
 * hasExt without an ext array.
 */
export interface LifWasmKernel {
  readonly step: (off: number, hasExt: number) => number;
  readonly precision: LifWasmPrecision;
  readonly n: number;
}

/** Export name of the update function. */
export const LIF_WASM_EXPORT = 'step';
/** Import (module, name) of the memory. */
export const LIF_WASM_MEMORY_IMPORT = ['env', 'memory'] as const;

const ARRAYS = ['v', 'ge', 'gi', 'refr', 'ringE', 'ringI', 'ext', 'spikes'] as const;
type ArrayName = (typeof ARRAYS)[number];

/** Length in elements and element size in bytes of each array of a layout. */
function extents(n: number, slots: number, stride: number, precision: LifWasmPrecision): Record<ArrayName, { len: number; size: number }> {
  const s = precision / 8;
  const state = { len: n, size: s };
  const ring = { len: (slots - 1) * stride + n, size: s };
  return { v: state, ge: state, gi: state, refr: state, ringE: ring, ringI: ring, ext: state, spikes: { len: n, size: 4 } };
}

/** Checks a layout: aligned, non-negative, non-overlapping arrays. Returns the end of the highest array in bytes. */
export function checkLifWasmLayout(n: number, layout: LifWasmLayout, precision: LifWasmPrecision): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`wasm lif: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(layout.slots) || layout.slots < 1) throw new RangeError(`wasm lif: slots must be a positive integer, got ${layout.slots}`);
  const stride = layout.ringStride ?? n;
  if (!Number.isInteger(stride) || stride < n) throw new RangeError(`wasm lif: ringStride must be an integer >= n = ${n}, got ${stride}`);
  const spikeBase = layout.spikeBase ?? 0;
  if (!Number.isInteger(spikeBase) || spikeBase < 0 || spikeBase + n > 2 ** 31) throw new RangeError(`wasm lif: spikeBase must be a non-negative integer with spikeBase + n <= 2^31, got ${spikeBase}`);
  const ext = extents(n, layout.slots, stride, precision);
  const spans: Array<{ name: ArrayName; start: number; end: number }> = [];
  for (const k of ARRAYS) {
    const ptr = layout[k];
    if (ptr === null) continue;
    const { len, size } = ext[k];
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % size !== 0) throw new RangeError(`wasm lif: layout.${k} = ${ptr} must be a non-negative multiple of ${size} bytes`);
    spans.push({ name: k, start: ptr, end: ptr + len * size });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let q = 1; q < spans.length; q++) {
    const a = spans[q - 1]!;
    const b = spans[q]!;
    if (b.start < a.end) throw new RangeError(`wasm lif: layout.${a.name} [${a.start}, ${a.end}) overlaps layout.${b.name} [${b.start}, ${b.end})`);
  }
  const end = Math.max(...spans.map((x) => x.end));
  if (end > 2 ** 32) throw new RangeError(`wasm lif: layout ends at byte ${end}, beyond the 4 GiB of a 32-bit memory`);
  return end;
}

/**
 * A packed layout for one population starting at byte `base`: every array 16-byte aligned, in the order
 * v, ge, gi, refr, ext, spikes, ringE, ringI. Returns the layout and the first free byte after it.
 */
export function packLifWasmLayout(n: number, slots: number, precision: LifWasmPrecision, base = 0): { layout: LifWasmLayout; end: number } {
  const ext = extents(n, slots, n, precision);
  let at = base;
  const take = (k: ArrayName): number => {
    at = Math.ceil(at / 16) * 16;
    const ptr = at;
    at += ext[k].len * ext[k].size;
    return ptr;
  };
  const v = take('v');
  const ge = take('ge');
  const gi = take('gi');
  const refr = take('refr');
  const extPtr = take('ext');
  const spikes = take('spikes');
  const ringE = take('ringE');
  const ringI = take('ringI');
  return { layout: { v, ge, gi, refr, ringE, ringI, ext: extPtr, spikes, slots }, end: Math.ceil(at / 16) * 16 };
}

/** Typed-array views of a population's arrays (recreate them after the memory grows: its buffer changes). */
export interface LifWasmViews<A extends Float64Array | Float32Array> {
  readonly v: A;
  readonly ge: A;
  readonly gi: A;
  readonly refr: A;
  readonly ringE: A;
  readonly ringI: A;
  readonly ext: A | null;
  readonly spikes: Uint32Array;
}

/** Views over the memory's current buffer for a layout (float64 or float32 by `precision`). */
export function lifWasmViews(memory: WasmMemory, n: number, layout: LifWasmLayout, precision: 64): LifWasmViews<Float64Array>;
export function lifWasmViews(memory: WasmMemory, n: number, layout: LifWasmLayout, precision: 32): LifWasmViews<Float32Array>;
export function lifWasmViews(memory: WasmMemory, n: number, layout: LifWasmLayout, precision: LifWasmPrecision): LifWasmViews<Float64Array> | LifWasmViews<Float32Array>;
export function lifWasmViews(memory: WasmMemory, n: number, layout: LifWasmLayout, precision: LifWasmPrecision): LifWasmViews<Float64Array> | LifWasmViews<Float32Array> {
  const buf = memory.buffer;
  const ringLen = (layout.slots - 1) * (layout.ringStride ?? n) + n;
  const spikes = new Uint32Array(buf, layout.spikes, n);
  if (precision === 64) {
    const f = (ptr: number, len: number) => new Float64Array(buf, ptr, len);
    return { v: f(layout.v, n), ge: f(layout.ge, n), gi: f(layout.gi, n), refr: f(layout.refr, n), ringE: f(layout.ringE, ringLen), ringI: f(layout.ringI, ringLen), ext: layout.ext === null ? null : f(layout.ext, n), spikes };
  }
  const f = (ptr: number, len: number) => new Float32Array(buf, ptr, len);
  return { v: f(layout.v, n), ge: f(layout.ge, n), gi: f(layout.gi, n), refr: f(layout.refr, n), ringE: f(layout.ringE, ringLen), ringI: f(layout.ringI, ringLen), ext: layout.ext === null ? null : f(layout.ext, n), spikes };
}

/** The constants of the loop in the kernel's precision (float32: each float64 value rounded once). */
export interface LifWasmConstants {
  readonly decayE: number;
  readonly decayI: number;
  readonly decayM: number;
  readonly pE: number;
  readonly pI: number;
  /** v_rest + i_bias, summed in float64 (as stepLif does), then rounded for float32. */
  readonly u0: number;
  readonly vTh: number;
  readonly vReset: number;
  readonly refTicks: number;
}

/** The loop's constants for a precision; float32 rounds each with Math.fround (the float32 reference uses these). */
export function lifWasmConstants(p: LifParams, d: LifDerived, precision: LifWasmPrecision): LifWasmConstants {
  const r = precision === 64 ? (x: number) => x : Math.fround;
  const c = { decayE: d.decayE, decayI: d.decayI, decayM: d.decayM, pE: d.pE, pI: d.pI, u0: p.v_rest + p.i_bias, vTh: p.v_th, vReset: p.v_reset, refTicks: d.refTicks };
  const out = {} as Record<keyof LifWasmConstants, number>;
  for (const [k, x] of Object.entries(c) as Array<[keyof LifWasmConstants, number]>) {
    if (!Number.isFinite(x)) throw new RangeError(`wasm lif: constant ${k} = ${x} is not finite`);
    out[k] = r(x);
  }
  return out;
}

/** The lane-typed SIMD operations of one precision. */
interface Lanes {
  readonly bits: 32 | 64;
  readonly width: number;
  readonly add: number;
  readonly sub: number;
  readonly mul: number;
  readonly gt: number;
  readonly ge: number;
  readonly splat: number;
  readonly bitmask: number;
  readonly loadOne: number;
  readonly storeOne: number;
}
const LANES64: Lanes = { bits: 64, width: 2, add: SIMD.f64x2_add, sub: SIMD.f64x2_sub, mul: SIMD.f64x2_mul, gt: SIMD.f64x2_gt, ge: SIMD.f64x2_ge, splat: SIMD.f64x2_splat, bitmask: SIMD.i64x2_bitmask, loadOne: SIMD.v128_load64_zero, storeOne: SIMD.v128_store64_lane };
const LANES32: Lanes = { bits: 32, width: 4, add: SIMD.f32x4_add, sub: SIMD.f32x4_sub, mul: SIMD.f32x4_mul, gt: SIMD.f32x4_gt, ge: SIMD.f32x4_ge, splat: SIMD.f32x4_splat, bitmask: SIMD.i32x4_bitmask, loadOne: SIMD.v128_load32_zero, storeOne: SIMD.v128_store32_lane };

/** The 16 bytes of a vector with every lane equal to x. */
function splatBytes(x: number, bits: 32 | 64): number[] {
  const buf = new DataView(new ArrayBuffer(16));
  for (let k = 0; k < 16; k += bits / 8) {
    if (bits === 64) buf.setFloat64(k, x, true);
    else buf.setFloat32(k, x, true);
  }
  return Array.from(new Uint8Array(buf.buffer));
}

/**
 * The WebAssembly binary of the kernel: imports `env.memory`, exports `step(off: i32, hasExt: i32) -> i32`.
 * The memory import declares as minimum the pages the layout needs, so a memory too small fails at instantiation.
 */
export function lifWasmBytes(n: number, p: LifParams, d: LifDerived, layout: LifWasmLayout, options: LifWasmOptions): Uint8Array {
  const end = checkLifWasmLayout(n, layout, options.precision);
  const L = options.precision === 64 ? LANES64 : LANES32;
  const k = lifWasmConstants(p, d, options.precision);
  const hoisted = (options.constants ?? 'hoisted') === 'hoisted';
  const unroll = options.unroll ?? DEFAULT_UNROLL[options.precision];
  if (!Number.isInteger(unroll) || unroll < 1 || unroll * L.width > 16) throw new RangeError(`wasm lif: unroll must be an integer in [1, ${16 / L.width}], got ${unroll}`);
  const S = L.bits / 8;
  const shift = Math.log2(S);
  const alignLog2 = shift;

  // Locals: parameters 0 (off), 1 (hasExt); then i32 b (byte index), rb (ring byte index), r (slot byte offset),
  // count, m (spike bitmask); then v128 working values and, when hoisted, the splatted constants.
  const OFF = 0;
  const HAS_EXT = 1;
  const locals: ValType[] = [];
  const local = (t: ValType): number => locals.push(t) + 1; // + 2 parameters - 1
  const B = local(I32);
  const RB = local(I32);
  const R = local(I32);
  const COUNT = local(I32);
  const M = local(I32);
  const E = local(V128);
  const G = local(V128);
  const REF = local(V128);
  const VO = local(V128);
  const VN = local(V128);
  const U = local(V128);
  const ACT = local(V128);
  const SP = local(V128);
  const constNames = ['decayE', 'decayI', 'decayM', 'pE', 'pI', 'u0', 'vTh', 'vReset', 'refTicks'] as const;
  type ConstName = (typeof constNames)[number] | 'one';
  const constValue = (c: ConstName): number => (c === 'one' ? 1 : k[c]);
  const constLocal = new Map<ConstName, number>();
  if (hoisted) for (const c of [...constNames, 'one' as const]) constLocal.set(c, local(V128));

  const c = new Code();
  /** Pushes a constant vector. */
  const K = (name: ConstName): Code => {
    const at = constLocal.get(name);
    return at === undefined ? c.v128(splatBytes(constValue(name), L.bits)) : c.get(at);
  };
  const zero = (): Code => c.v128(new Array<number>(16).fill(0));

  // Prologue: trap on a slot offset outside the rings; r = off * S; splat the constants.
  const maxOff = (layout.slots - 1) * (layout.ringStride ?? n);
  const spikeBase = layout.spikeBase ?? 0;
  c.get(OFF).i32(maxOff).op(OP.i32_gt_u).open(OP.if).op(OP.unreachable).end();
  c.get(OFF).i32(shift).op(OP.i32_shl).set(R);
  for (const [name, at] of constLocal) {
    if (L.bits === 64) c.f64(constValue(name));
    else c.f32(constValue(name));
    c.simd(L.splat).set(at);
  }

  /**
   * Updates W neurons (`lanes` = 'all', at bytes B + at) or one neuron in lane 0 (`lanes` = 'one', at bytes B), and
   * leaves the bitmask of the lanes that spiked on the stack (i32, bit k = lane k).
   * Stores take (address, value): each store pushes its address first, then computes its value.
   */
  const update = (lanes: 'all' | 'one', withExt: boolean, at: number): void => {
    const load = (addr: number, ptr: number): Code => c.get(addr).simdMem(lanes === 'all' ? SIMD.v128_load : L.loadOne, alignLog2, ptr + at);
    const store = (ptr: number): Code => (lanes === 'all' ? c.simdMem(SIMD.v128_store, alignLog2, ptr + at) : c.simdMem(L.storeOne, alignLog2, ptr + at, 0));
    // ge = (ge + ringE) * decayE, keeping e; gi likewise.
    c.get(B);
    load(B, layout.ge);
    load(RB, layout.ringE);
    c.simd(L.add).tee(E);
    K('decayE');
    c.simd(L.mul);
    store(layout.ge);
    c.get(B);
    load(B, layout.gi);
    load(RB, layout.ringI);
    c.simd(L.add).tee(G);
    K('decayI');
    c.simd(L.mul);
    store(layout.gi);
    // Clear the ring slot elements just read.
    c.get(RB);
    zero();
    store(layout.ringE);
    c.get(RB);
    zero();
    store(layout.ringI);
    load(B, layout.refr).set(REF);
    load(B, layout.v).set(VO);
    // u = u0 (+ ext); vn = ((u + (v - u) * decayM) + e * pE) + g * pI.
    const pushU = (): Code => (withExt ? c.get(U) : K('u0'));
    if (withExt) {
      K('u0');
      load(B, layout.ext!);
      c.simd(L.add).set(U);
    }
    pushU();
    c.get(VO);
    pushU();
    c.simd(L.sub);
    K('decayM');
    c.simd(L.mul).simd(L.add).get(E);
    K('pE');
    c.simd(L.mul).simd(L.add).get(G);
    K('pI');
    c.simd(L.mul).simd(L.add).set(VN);
    // act = refr > 0 (refractory); sp = (vn >= v_th) and not act (spikes).
    c.get(REF);
    zero();
    c.simd(L.gt).set(ACT);
    c.get(VN);
    K('vTh');
    c.simd(L.ge).get(ACT).simd(SIMD.v128_andnot).set(SP);
    // v = sp ? v_reset : (act ? v : vn)
    c.get(B);
    K('vReset');
    c.get(VO).get(VN).get(ACT).simd(SIMD.v128_bitselect).get(SP).simd(SIMD.v128_bitselect);
    store(layout.v);
    // refr = sp ? refTicks : refr - (act ? 1 : 0). refr - (+0) is refr for every refr (-0, NaN included), so this is
    // stepLif's refr - 1 when refractory and its untouched refr otherwise, with one select fewer.
    c.get(B);
    K('refTicks');
    c.get(REF);
    K('one');
    c.get(ACT).simd(SIMD.v128_and).simd(L.sub).get(SP).simd(SIMD.v128_bitselect);
    store(layout.refr);
    c.get(SP).simd(L.bitmask);
    if (lanes === 'one') c.i32(1).op(OP.i32_and);
  };

  /** Appends the indices of the bits set in M (lane k of the group at byte B is neuron spikeBase + B / S + k), lowest first. */
  const appendSpikes = (): void => {
    c.get(M).open(OP.if).open(OP.loop);
    c.get(COUNT).i32(2).op(OP.i32_shl);
    c.get(B).i32(shift).op(OP.i32_shr_u).get(M).op(OP.i32_ctz).op(OP.i32_add);
    if (spikeBase !== 0) c.i32(spikeBase).op(OP.i32_add);
    c.mem(OP.i32_store, 2, layout.spikes);
    c.get(COUNT).i32(1).op(OP.i32_add).set(COUNT);
    c.get(M).get(M).i32(1).op(OP.i32_sub).op(OP.i32_and).tee(M).brIf(0);
    c.end().end();
  };

  /** `vectors` consecutive full vectors from byte B, their spike masks merged into one (one branch per group). */
  const group = (vectors: number, withExt: boolean): void => {
    c.get(B).get(R).op(OP.i32_add).set(RB);
    for (let q = 0; q < vectors; q++) {
      update('all', withExt, 16 * q);
      if (q > 0) c.i32(q * L.width).op(OP.i32_shl).get(M).op(OP.i32_or);
      c.set(M);
    }
    appendSpikes();
  };

  /**
   * The whole population: a loop over groups of `unroll` vectors, the remaining full vectors as one straight group,
   * then the n mod W last neurons one lane each.
   */
  const population = (withExt: boolean): void => {
    const perGroup = unroll * L.width;
    const nLoop = Math.floor(n / perGroup) * perGroup;
    const nVec = Math.floor(n / L.width) * L.width;
    if (nLoop > 0) {
      c.i32(0).set(B).open(OP.loop);
      group(unroll, withExt);
      c.get(B).i32(16 * unroll).op(OP.i32_add).tee(B).i32(nLoop * S).op(OP.i32_lt_u).brIf(0);
      c.end();
    }
    if (nVec > nLoop) {
      c.i32(nLoop * S).set(B);
      group((nVec - nLoop) / L.width, withExt);
    }
    for (let i = nVec; i < n; i++) {
      c.i32(i * S).set(B).get(B).get(R).op(OP.i32_add).set(RB);
      update('one', withExt, 0);
      c.set(M);
      appendSpikes();
    }
  };

  c.get(HAS_EXT).open(OP.if);
  if (layout.ext === null) c.op(OP.unreachable);
  else population(true);
  c.op(OP.else);
  population(false);
  c.end();
  c.get(COUNT);

  const shared = options.shared ?? false;
  const minPages = Math.ceil(end / WASM_PAGE_BYTES);
  return moduleBytes(
    { module: LIF_WASM_MEMORY_IMPORT[0], name: LIF_WASM_MEMORY_IMPORT[1], minPages, ...(shared ? { maxPages: 65536 } : {}), shared },
    [{ params: [I32, I32], results: [I32], locals, body: c, exportName: LIF_WASM_EXPORT }],
  );
}

/** Compiles the kernel (synchronously: the module is small). A module can be posted to worker threads. */
export function compileLifWasm(n: number, p: LifParams, d: LifDerived, layout: LifWasmLayout, options: LifWasmOptions): WasmModule {
  return new wasm.Module(lifWasmBytes(n, p, d, layout, options));
}

/** Instantiates a compiled kernel on a memory (the one its layout describes). */
export function instantiateLifWasm(module: WasmModule, memory: WasmMemory, n: number, precision: LifWasmPrecision): LifWasmKernel {
  const instance = new wasm.Instance(module, { [LIF_WASM_MEMORY_IMPORT[0]]: { [LIF_WASM_MEMORY_IMPORT[1]]: memory } });
  const step = instance.exports[LIF_WASM_EXPORT];
  if (typeof step !== 'function') throw new TypeError(`wasm lif: the module exports no function '${LIF_WASM_EXPORT}'`);
  return { step: step as (off: number, hasExt: number) => number, precision, n };
}

/**
 * Generates, compiles and instantiates the kernel for one population whose arrays are at `layout` in `memory`
 * (shared or not, detected from the memory). Throws a RangeError naming the array when the layout is invalid or
 * does not fit in the memory.
 */
export function createLifWasm(memory: WasmMemory, n: number, p: LifParams, d: LifDerived, layout: LifWasmLayout, options: Omit<LifWasmOptions, 'shared'>): LifWasmKernel {
  const end = checkLifWasmLayout(n, layout, options.precision);
  if (end > memory.buffer.byteLength) throw new RangeError(`wasm lif: the layout needs ${end} bytes, the memory has ${memory.buffer.byteLength}`);
  const module = compileLifWasm(n, p, d, layout, { ...options, shared: isSharedMemory(memory) });
  return instantiateLifWasm(module, memory, n, options.precision);
}
