/**
 * The WebAssembly SIMD LIF kernels (src/backends/cpu/wasm): the binary emitter's encodings; the float64 kernel bit
 * for bit against the reference step (models/neurons/lif.ts#stepLif) over thousands of ticks of random ring input,
 * with refractory periods, spikes, external drive, edge values, n = 1, 3, 1000, 4097, plain and shared memory, both
 * constant placements; the float32 kernel bit for bit against the same update written here in float32 from the
 * definition; float32 against float64 over a driven CUBA population (stated tolerances); spike order; ring clearing;
 * and the errors and traps of the API.
 */
import { describe, expect, it } from 'vitest';
import { isSharedMemory, wasm, WASM_PAGE_BYTES, type WasmMemory } from '../../src/backends/cpu/wasm/api.ts';
import { Code, F64, I32, moduleBytes, OP, SIMD, sleb, uleb, V128 } from '../../src/backends/cpu/wasm/emit.ts';
import {
  createLifWasm,
  type LifWasmConstants,
  lifWasmBytes,
  lifWasmConstants,
  type LifWasmLayout,
  type LifWasmPrecision,
  lifWasmViews,
  packLifWasmLayout,
} from '../../src/backends/cpu/wasm/lif.ts';
import { CounterRng } from '../../src/core/rng.ts';
import { LIF, type LifDerived, type LifParams, stepLif } from '../../src/models/neurons/lif.ts';
import type { StepIO } from '../../src/models/neurons/types.ts';

const DT = 0.1;
/** Fast dynamics so that a few thousand ticks hold many spikes and refractory periods (t_ref = 10 ticks). */
const P: LifParams = { tau_m: 10, tau_e: 2, tau_i: 5, v_rest: -65, v_th: -50, v_reset: -70, t_ref: 1, i_bias: 14 };
const D = LIF.derive(P, DT) as LifDerived;
const SLOTS = 3;

function memoryFor(bytes: number, shared: boolean): WasmMemory {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES) + 1;
  return new wasm.Memory(shared ? { initial: pages, maximum: pages + 16, shared: true } : { initial: pages });
}

/** First index where two float arrays differ in their bits, or -1. */
function firstBitDiff(a: Float64Array | Float32Array, b: Float64Array | Float32Array): number {
  if (a.length !== b.length || a.BYTES_PER_ELEMENT !== b.BYTES_PER_ELEMENT) return 0;
  const w = a.BYTES_PER_ELEMENT / 4;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length * w);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length * w);
  for (let k = 0; k < ua.length; k++) if (ua[k] !== ub[k]) return Math.floor(k / w);
  return -1;
}

/** Inputs for n neurons over `ticks`: sparse random weights into the current and future ring slots (cached). */
interface InputPlan {
  readonly start: Uint32Array; // events of tick t: [start[t], start[t + 1])
  readonly index: Uint32Array;
  readonly inh: Uint8Array;
  readonly ahead: Uint8Array;
  readonly weight: Float64Array;
}
const plans = new Map<string, InputPlan>();
const rng = new CounterRng(20261205);

function inputPlan(n: number, ticks: number, density: number): InputPlan {
  const key = `${n}:${ticks}:${density}`;
  const cached = plans.get(key);
  if (cached) return cached;
  const perTick = Math.max(1, Math.round(n * density));
  const total = perTick * ticks;
  const plan: InputPlan = { start: new Uint32Array(ticks + 1), index: new Uint32Array(total), inh: new Uint8Array(total), ahead: new Uint8Array(total), weight: new Float64Array(total) };
  let q = 0;
  for (let t = 0; t < ticks; t++) {
    plan.start[t] = q;
    // Every 7th tick has no input at all (the kernel still clears the slot).
    const k = t % 7 === 6 ? 0 : perTick;
    for (let j = 0; j < k; j++, q++) {
      const w = rng.words(1, j, t);
      plan.index[q] = w[0]! % n;
      plan.inh[q] = w[1]! & 1;
      plan.ahead[q] = (w[1]! >>> 1) % SLOTS;
      const x = w[2]! / 4294967296;
      plan.weight[q] = plan.inh[q] ? -15 * x : 60 * x;
    }
  }
  plan.start[ticks] = q;
  const out: InputPlan = { ...plan, index: plan.index.subarray(0, q), inh: plan.inh.subarray(0, q), ahead: plan.ahead.subarray(0, q), weight: plan.weight.subarray(0, q) };
  plans.set(key, out);
  return out;
}

/** The state and rings of one population, as the reference steps them. */
interface Arrays<A extends Float64Array | Float32Array> {
  v: A;
  ge: A;
  gi: A;
  refr: A;
  ringE: A;
  ringI: A;
  ext: A | null;
  spikes: Uint32Array;
}

/** Random initial state with edge values: refractory, -0, negative and fractional refr, subnormal ge, v at v_th. */
function initState(s: Arrays<Float64Array | Float32Array>, n: number, seed: number): void {
  const r = new CounterRng(seed);
  for (let i = 0; i < n; i++) {
    s.v[i] = -75 + 30 * r.uniform(2, i, 0);
    s.ge[i] = 5 * r.uniform(3, i, 0);
    s.gi[i] = -5 * r.uniform(4, i, 0);
    s.refr[i] = r.uniform(5, i, 0) < 0.3 ? Math.floor(1 + D.refTicks * r.uniform(6, i, 0)) : 0;
  }
  const edge: Array<['v' | 'ge' | 'gi' | 'refr', number]> = [['refr', -0], ['refr', -1], ['refr', 0.5], ['ge', 1e-310], ['gi', -0], ['v', P.v_th], ['ge', -0], ['gi', -1e-320]];
  edge.forEach(([k, x], i) => {
    if (i < n) s[k][i] = x;
  });
}

function fillExt(ext: Float64Array | Float32Array, n: number, epoch: number): void {
  for (let i = 0; i < n; i++) ext[i] = -5 + 30 * rng.uniform(7, i, epoch);
}

/** The LIF update in float32 from its definition, every operation rounded to float32 (the float32 kernel's contract). */
function stepLif32(s: Arrays<Float32Array>, n: number, off: number, hasExt: boolean, k: LifWasmConstants): number {
  // A float32 +, - or * evaluated in float64 and then rounded equals the correctly rounded float32 result
  // (binary64 has more than 2 * 24 + 2 bits), so Math.fround after each operation is exact float32 arithmetic.
  const f = Math.fround;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const e = f(s.ge[i]! + s.ringE[off + i]!);
    const g = f(s.gi[i]! + s.ringI[off + i]!);
    s.ringE[off + i] = 0;
    s.ringI[off + i] = 0;
    s.ge[i] = f(e * k.decayE);
    s.gi[i] = f(g * k.decayI);
    const ref = s.refr[i]!;
    if (ref > 0) {
      s.refr[i] = f(ref - 1);
      continue;
    }
    const u = hasExt ? f(k.u0 + s.ext![i]!) : k.u0;
    const vn = f(f(f(u + f(f(s.v[i]! - u) * k.decayM)) + f(e * k.pE)) + f(g * k.pI));
    if (vn >= k.vTh) {
      s.v[i] = k.vReset;
      s.refr[i] = k.refTicks;
      s.spikes[count++] = i;
    } else s.v[i] = vn;
  }
  return count;
}

interface PairOptions {
  readonly n: number;
  readonly ticks: number;
  readonly precision: LifWasmPrecision;
  readonly ext: boolean;
  readonly shared: boolean;
  readonly constants?: 'hoisted' | 'inline';
  readonly unroll?: number;
  /** Propagators given to the kernel only (the reference keeps D): to show that a difference is detected. */
  readonly kernelDerived?: LifDerived;
  readonly density?: number;
}

interface PairResult {
  /** Description of the first difference between kernel and reference, or null. */
  readonly mismatch: string | null;
  readonly spikes: number;
  readonly refractoryUpdates: number;
}

/**
 * Runs the wasm kernel and its reference side by side on the same inputs and compares every array bit for bit
 * after every tick, and the spike lists (which must also increase).
 */
function runPair(o: PairOptions): PairResult {
  const { n, ticks, precision } = o;
  const { layout, end } = packLifWasmLayout(n, SLOTS, precision, 48); // a nonzero base: pointers are honoured
  const memory = memoryFor(end, o.shared);
  expect(isSharedMemory(memory)).toBe(o.shared);
  const kernel = createLifWasm(memory, n, P, o.kernelDerived ?? D, o.ext ? layout : { ...layout, ext: null }, { precision, constants: o.constants ?? 'hoisted', ...(o.unroll === undefined ? {} : { unroll: o.unroll }) });
  const w = lifWasmViews(memory, n, layout, precision);
  const Ctor = precision === 64 ? Float64Array : Float32Array;
  const ref: Arrays<Float64Array | Float32Array> = { v: new Ctor(n), ge: new Ctor(n), gi: new Ctor(n), refr: new Ctor(n), ringE: new Ctor(SLOTS * n), ringI: new Ctor(SLOTS * n), ext: o.ext ? new Ctor(n) : null, spikes: new Uint32Array(n) };
  initState(ref, n, 11 + n);
  for (const k of ['v', 'ge', 'gi', 'refr'] as const) w[k].set(ref[k]);
  const plan = inputPlan(n, ticks, o.density ?? 0.15);
  const k32 = lifWasmConstants(P, D, 32);
  const io = (off: number): StepIO => ({
    n,
    state: { v: ref.v as Float64Array, ge: ref.ge as Float64Array, gi: ref.gi as Float64Array, refr: ref.refr as Float64Array },
    rings: [ref.ringE as Float64Array, ref.ringI as Float64Array],
    slotOffset: off,
    slotHasInput: true, // stepLif then clears the slot and never runs settleLif (the kernel leaves that to its caller)
    iExt: ref.ext as Float64Array | null,
    spikes: ref.spikes,
    status: new Int32Array(1),
  });
  let spikes = 0;
  let refractoryUpdates = 0;
  for (let t = 0; t < ticks; t++) {
    if (o.ext && t % 250 === 0) {
      fillExt(ref.ext!, n, t / 250);
      w.ext!.set(ref.ext!);
    }
    for (let q = plan.start[t]!; q < plan.start[t + 1]!; q++) {
      const at = ((t + plan.ahead[q]!) % SLOTS) * n + plan.index[q]!;
      const ring = plan.inh[q] ? 'ringI' : 'ringE';
      ref[ring][at] = ref[ring][at]! + plan.weight[q]!;
      w[ring][at] = w[ring][at]! + plan.weight[q]!;
    }
    const off = (t % SLOTS) * n;
    for (let i = 0; i < n; i++) if (ref.refr[i]! > 0) refractoryUpdates++;
    const want = precision === 64 ? stepLif(io(off), P, D) : stepLif32(ref as Arrays<Float32Array>, n, off, o.ext, k32);
    const got = kernel.step(off, o.ext ? 1 : 0);
    spikes += want;
    if (got !== want) return { mismatch: `tick ${t}: ${got} spikes, reference ${want}`, spikes, refractoryUpdates };
    for (let q = 0; q < got; q++) {
      if (w.spikes[q] !== ref.spikes[q]) return { mismatch: `tick ${t}: spike ${q} is neuron ${w.spikes[q]}, reference ${ref.spikes[q]}`, spikes, refractoryUpdates };
      if (q > 0 && w.spikes[q]! <= w.spikes[q - 1]!) return { mismatch: `tick ${t}: spike indices not increasing at ${q}`, spikes, refractoryUpdates };
    }
    for (const k of ['v', 'ge', 'gi', 'refr', 'ringE', 'ringI'] as const) {
      const i = firstBitDiff(w[k], ref[k]);
      if (i >= 0) return { mismatch: `tick ${t}: ${k}[${i}] = ${w[k][i]}, reference ${ref[k][i]}`, spikes, refractoryUpdates };
    }
  }
  return { mismatch: null, spikes, refractoryUpdates };
}

describe('wasm binary emitter', () => {
  it('encodes LEB128 as the specification examples', () => {
    expect(uleb([], 0)).toEqual([0x00]);
    expect(uleb([], 127)).toEqual([0x7f]);
    expect(uleb([], 128)).toEqual([0x80, 0x01]);
    expect(uleb([], 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb([], 2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb([], 0)).toEqual([0x00]);
    expect(sleb([], 63)).toEqual([0x3f]);
    expect(sleb([], 64)).toEqual([0xc0, 0x00]);
    expect(sleb([], -1)).toEqual([0x7f]);
    expect(sleb([], -64)).toEqual([0x40]);
    expect(sleb([], -65)).toEqual([0xbf, 0x7f]);
    expect(sleb([], -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb([], 2 ** 31 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(sleb([], -(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
    expect(() => uleb([], -1)).toThrow(RangeError);
    expect(() => sleb([], 2 ** 31)).toThrow(RangeError);
  });

  it('builds a SIMD module that Node validates and runs (f64x2 add of two vectors in memory)', () => {
    const c = new Code();
    // store at 32: load(0) + load(16), then return lane 1 of the sum as f64
    c.i32(32).i32(0).simdMem(SIMD.v128_load, 3, 0).i32(0).simdMem(SIMD.v128_load, 3, 16).simd(SIMD.f64x2_add).simdMem(SIMD.v128_store, 3, 0);
    c.i32(0).simdMem(SIMD.v128_load, 3, 32).lane(SIMD.f64x2_extract_lane, 1);
    const bytes = moduleBytes({ module: 'env', name: 'memory', minPages: 1, shared: false }, [{ params: [], results: [F64], locals: [V128, I32], body: c, exportName: 'f' }]);
    expect(wasm.validate(bytes)).toBe(true);
    const memory = new wasm.Memory({ initial: 1 });
    new Float64Array(memory.buffer, 0, 4).set([1, 2, 10, 20]);
    const f = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports.f as () => number;
    expect(f()).toBe(22);
    expect(new Float64Array(memory.buffer, 32, 2)).toEqual(new Float64Array([11, 22]));
  });

  it('emits kernels that Node validates, both precisions, with and without ext, plain and shared imports', () => {
    for (const precision of [64, 32] as const)
      for (const shared of [false, true]) {
        const { layout } = packLifWasmLayout(1003, SLOTS, precision);
        for (const ext of [layout.ext, null]) expect(wasm.validate(lifWasmBytes(1003, P, D, { ...layout, ext }, { precision, shared }))).toBe(true);
      }
  });

  it('rejects a broken body (the host validator is the safety net) and a shared import without maximum', () => {
    const c = new Code().op(OP.i32_add); // pops two values from an empty stack
    expect(wasm.validate(moduleBytes({ module: 'env', name: 'memory', minPages: 1, shared: false }, [{ params: [], results: [], locals: [], body: c, exportName: 'f' }]))).toBe(false);
    expect(() => moduleBytes({ module: 'env', name: 'memory', minPages: 1, shared: true }, [])).toThrow(/maxPages/);
  });
});

describe('wasm LIF float64: bit-identical to stepLif', () => {
  const cases = [1, 3, 1000, 4097].flatMap((n) => [false, true].map((ext) => ({ n, ext, shared: ext === (n % 2 === 1) })));
  it.each(cases)('n = $n, ext drive $ext, shared memory $shared', ({ n, ext, shared }) => {
    const r = runPair({ n, ticks: n > 1000 ? 2000 : 3000, precision: 64, ext, shared });
    expect(r.mismatch).toBeNull();
    // The run exercised what it claims to: spikes and refractory updates, many per neuron.
    expect(r.spikes).toBeGreaterThan(10 * n);
    expect(r.refractoryUpdates).toBeGreaterThan(50 * n);
  });

  it.each([false, true])('constants inline (v128.const at each use), ext drive %s', (ext) => {
    expect(runPair({ n: 1001, ticks: 2000, precision: 64, ext, shared: false, constants: 'inline' }).mismatch).toBeNull();
  });

  it.each([1, 2, 3, 4, 8])('unrolled by %i vectors: loop, leftover vectors and lane tail (n = 37, 1031)', (unroll) => {
    for (const n of [37, 1031]) expect(runPair({ n, ticks: 600, precision: 64, ext: n === 37, shared: false, unroll }).mismatch).toBeNull();
  });

  it('detects a kernel one ulp away (the comparison is not vacuous)', () => {
    const decayM = D.decayM + 2 ** -53; // the next float64 above decayM (in [0.5, 1))
    expect(decayM).not.toBe(D.decayM);
    const r = runPair({ n: 64, ticks: 200, precision: 64, ext: false, shared: false, kernelDerived: { ...D, decayM } });
    expect(r.mismatch).toMatch(/^tick \d+: /);
  });

  it('fires when v lands exactly on v_th (v >= v_th), as stepLif', () => {
    const p: LifParams = { ...P, v_rest: -50, i_bias: 0 }; // u = v_th, v = v_th, no input: vn = v_th exactly
    const d = LIF.derive(p, DT) as LifDerived;
    const n = 5;
    const { layout, end } = packLifWasmLayout(n, 1, 64);
    const memory = memoryFor(end, false);
    const k = createLifWasm(memory, n, p, d, layout, { precision: 64 });
    const w = lifWasmViews(memory, n, layout, 64);
    w.v.fill(p.v_th);
    expect(k.step(0, 0)).toBe(n);
    expect(Array.from(w.spikes)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(w.refr)).toEqual(new Array<number>(n).fill(d.refTicks));
  });
});

describe('wasm LIF float32', () => {
  it.each([1, 3, 1000, 4097])('n = %i: bit for bit the float32 update from the definition, with and without ext', (n) => {
    for (const ext of [false, true]) {
      const r = runPair({ n, ticks: n > 1000 ? 2000 : 3000, precision: 32, ext, shared: ext });
      expect(r.mismatch).toBeNull();
      expect(r.spikes).toBeGreaterThan(10 * n);
    }
  });

  it.each([1, 2, 3, 4])('unrolled by %i vectors: loop, leftover vectors and lane tail (n = 37, 1031)', (unroll) => {
    for (const n of [37, 1031]) expect(runPair({ n, ticks: 600, precision: 32, ext: n === 37, shared: false, unroll }).mismatch).toBeNull();
  });

  it('inline constants: bit for bit the float32 reference', () => {
    expect(runPair({ n: 1003, ticks: 2000, precision: 32, ext: true, shared: false, constants: 'inline' }).mismatch).toBeNull();
  });

  it('stays close to float64 over a driven CUBA population (4000 neurons, 0.5 s)', () => {
    // Brette et al. (2007) CUBA neurons (the bench's parameters) driven by the same random excitatory and inhibitory
    // input in both precisions, no recurrence, so any difference comes from rounding. Measured with this seed
    // (about 6 Hz): equal spike counts, 99.86 % of spikes on the same tick, |v32 - v64| sampled every 10 ticks over all
    // neurons: median 1.6e-5 mV (about 4 float32 ulps at 50 mV), 99th percentile 6.2e-5 mV; the largest differences
    // (up to the reset jump, 10 mV) belong to the 0.14 % of spikes that moved by one tick. The bounds below leave
    // margins of 5x or more.
    const p: LifParams = { tau_m: 20, tau_e: 5, tau_i: 10, v_rest: -49, v_th: -50, v_reset: -60, t_ref: 5, i_bias: 0 };
    const d = LIF.derive(p, DT) as LifDerived;
    const n = 4000;
    const ticks = 5000;
    const make = (precision: LifWasmPrecision) => {
      const { layout, end } = packLifWasmLayout(n, 2, precision);
      const memory = memoryFor(end, false);
      const k = createLifWasm(memory, n, p, d, { ...layout, ext: null }, { precision });
      const w = lifWasmViews(memory, n, layout, precision);
      for (let i = 0; i < n; i++) w.v[i] = -60 + 10 * rng.uniform(8, i, 0);
      return { k, w };
    };
    const a = make(64);
    const b = make(32);
    const spikeTimes = new Map<number, number>(); // tick * n + neuron, float64 spikes
    let count64 = 0;
    let count32 = 0;
    let sameTick = 0;
    const dv: number[] = [];
    for (let t = 0; t < ticks; t++) {
      const off = (t % 2) * n;
      for (let j = 0; j < 400; j++) {
        const x = rng.words(9, j, t);
        const i = x[0]! % n;
        const inh = x[1]! % 5 === 0; // 1 in 5 inputs inhibitory, 4x stronger: balanced-ish, irregular firing
        const wgt = inh ? -9 * (x[2]! / 4294967296) : 2.25 * (x[2]! / 4294967296);
        for (const s of [a, b]) {
          const ring = inh ? s.w.ringI : s.w.ringE;
          ring[off + i] = ring[off + i]! + wgt;
        }
      }
      const c64 = a.k.step(off, 0);
      const c32 = b.k.step(off, 0);
      count64 += c64;
      count32 += c32;
      for (let q = 0; q < c64; q++) spikeTimes.set(t * n + a.w.spikes[q]!, 1);
      for (let q = 0; q < c32; q++) if (spikeTimes.has(t * n + b.w.spikes[q]!)) sameTick++;
      if (t % 10 === 9) for (let i = 0; i < n; i++) dv.push(Math.abs(a.w.v[i]! - b.w.v[i]!));
    }
    dv.sort((x, y) => x - y);
    const median = dv[Math.floor(dv.length / 2)]!;
    const p99 = dv[Math.floor(dv.length * 0.99)]!;
    const firstOver = dv.findIndex((x) => x > 1e-3);
    const over = firstOver < 0 ? 0 : dv.length - firstOver;
    const rel = Math.abs(count32 - count64) / count64;
    console.info(`[wasm-lif] float32 vs float64, CUBA n=${n} ${ticks} ticks: spikes ${count32} vs ${count64} (rel ${rel.toExponential(2)}), same tick ${((100 * sameTick) / count64).toFixed(2)} %, |dv| median ${median.toExponential(2)} mV, p99 ${p99.toExponential(2)} mV, max ${dv[dv.length - 1]!.toFixed(2)} mV, ${((100 * over) / dv.length).toFixed(3)} % above 1e-3 mV`);
    expect(count64).toBeGreaterThan(n * 2.5); // at least 5 Hz: a meaningful number of spikes
    expect(rel).toBeLessThan(5e-3);
    expect(sameTick / count64).toBeGreaterThan(0.99);
    expect(median).toBeLessThan(1e-4);
    expect(p99).toBeLessThan(5e-4);
  });
});

describe('wasm LIF: rings, order and API', () => {
  it.each([64, 32] as const)('clears exactly the slot it read (float%i), leaves the other slots alone', (precision) => {
    const n = 7;
    const { layout, end } = packLifWasmLayout(n, SLOTS, precision);
    const memory = memoryFor(end, false);
    const k = createLifWasm(memory, n, P, D, layout, { precision });
    const w = lifWasmViews(memory, n, layout, precision);
    for (let slot = 0; slot < SLOTS; slot++) {
      for (let q = 0; q < SLOTS * n; q++) {
        w.ringE[q] = 1 + q;
        w.ringI[q] = -1 - q;
      }
      k.step(slot * n, 0);
      for (let q = 0; q < SLOTS * n; q++) {
        const inSlot = q >= slot * n && q < (slot + 1) * n;
        expect([w.ringE[q], w.ringI[q]]).toEqual(inSlot ? [0, 0] : [1 + q, -1 - q]);
      }
    }
  });

  it.each([64, 32] as const)('writes spike indices in increasing order across vectors and the tail (float%i)', (precision) => {
    const n = 4 * 5 + 3;
    const { layout, end } = packLifWasmLayout(n, 1, precision);
    const memory = memoryFor(end, false);
    const k = createLifWasm(memory, n, P, D, layout, { precision });
    const w = lifWasmViews(memory, n, layout, precision);
    const firing = [0, 1, 3, 4, 5, 6, 7, 9, 14, 19, 20, 22];
    w.v.fill(P.v_rest);
    for (const i of firing) w.v[i] = P.v_th + 5;
    w.refr[2] = 3; // refractory, above threshold: must not fire
    w.v[2] = P.v_th + 5;
    const count = k.step(0, 0);
    expect(Array.from(w.spikes.subarray(0, count))).toEqual(firing);
    expect(w.refr[2]).toBe(2);
    expect(w.v[2]).toBe(P.v_th + 5);
  });

  it.each([64, 32] as const)('parts of one population (ringStride, spikeBase) equal the whole (float%i)', (precision) => {
    // Neurons [0, 498) and [498, 1001) of a population of 1001 updated by two kernels on the same memory (as two
    // worker threads would), against one kernel for the whole population on a copy of the same state and input.
    const N = 1001;
    const cut = 498;
    const S = precision / 8;
    const { layout, end } = packLifWasmLayout(N, SLOTS, precision);
    const spikesB = end; // the second part's spike list, after the population's arrays
    const whole = memoryFor(end + 4 * N, false);
    const split = memoryFor(end + 4 * N, true);
    const one = createLifWasm(whole, N, P, D, layout, { precision });
    const part = (k: number, n: number, spikes: number) => {
      const at = (ptr: number) => ptr + k * S;
      const l: LifWasmLayout = { v: at(layout.v), ge: at(layout.ge), gi: at(layout.gi), refr: at(layout.refr), ringE: at(layout.ringE), ringI: at(layout.ringI), ext: at(layout.ext!), spikes, slots: SLOTS, ringStride: N, spikeBase: k };
      return createLifWasm(split, n, P, D, l, { precision });
    };
    const parts = [part(0, cut, layout.spikes), part(cut, N - cut, spikesB)];
    const a = lifWasmViews(whole, N, layout, precision);
    const b = lifWasmViews(split, N, layout, precision);
    const spikes2 = new Uint32Array(split.buffer, spikesB, N);
    initState(a, N, 5);
    initState(b, N, 5);
    const plan = inputPlan(N, 1000, 0.15);
    for (let t = 0; t < 1000; t++) {
      if (t % 250 === 0) {
        fillExt(a.ext!, N, t);
        b.ext!.set(a.ext!);
      }
      for (let q = plan.start[t]!; q < plan.start[t + 1]!; q++) {
        const at = ((t + plan.ahead[q]!) % SLOTS) * N + plan.index[q]!;
        for (const s of [a, b]) {
          const ring = plan.inh[q] ? s.ringI : s.ringE;
          ring[at] = ring[at]! + plan.weight[q]!;
        }
      }
      const off = (t % SLOTS) * N;
      const count = one.step(off, 1);
      const c0 = parts[0]!.step(off, 1);
      const c1 = parts[1]!.step(off, 1);
      expect(c0 + c1).toBe(count);
      expect([...b.spikes.subarray(0, c0), ...spikes2.subarray(0, c1)]).toEqual(Array.from(a.spikes.subarray(0, count)));
      for (const k of ['v', 'ge', 'gi', 'refr', 'ringE', 'ringI'] as const) expect(firstBitDiff(a[k], b[k])).toBe(-1);
    }
  });

  it('traps on a slot offset outside the rings and on ext drive without an ext array', () => {
    const n = 5;
    const { layout, end } = packLifWasmLayout(n, 2, 64);
    const memory = memoryFor(end, false);
    const k = createLifWasm(memory, n, P, D, { ...layout, ext: null }, { precision: 64 });
    expect(k.step(n, 0)).toBeGreaterThanOrEqual(0);
    expect(() => k.step(n + 1, 0)).toThrow(/unreachable/);
    expect(() => k.step(-1, 0)).toThrow(/unreachable/);
    expect(() => k.step(0, 1)).toThrow(/unreachable/);
  });

  it('rejects bad layouts and memories with a message naming the array', () => {
    const n = 10;
    const { layout, end } = packLifWasmLayout(n, 2, 64);
    const memory = memoryFor(end, false);
    const bad = (l: Partial<LifWasmLayout>) => () => createLifWasm(memory, n, P, D, { ...layout, ...l }, { precision: 64 });
    expect(bad({ ge: layout.ge + 4 })).toThrow(/layout\.ge = \d+ must be a non-negative multiple of 8 bytes/);
    expect(bad({ gi: layout.ge })).toThrow(/layout\.ge .* overlaps layout\.gi/);
    expect(bad({ spikes: -4 })).toThrow(/layout\.spikes/);
    expect(bad({ slots: 0 })).toThrow(/slots/);
    expect(bad({ ringStride: n - 1 })).toThrow(/ringStride must be an integer >= n/);
    expect(bad({ spikeBase: -1 })).toThrow(/spikeBase/);
    expect(() => createLifWasm(new wasm.Memory({ initial: 0 }), n, P, D, layout, { precision: 64 })).toThrow(/needs \d+ bytes/);
    expect(() => createLifWasm(memory, 0, P, D, layout, { precision: 64 })).toThrow(/n must be a positive integer/);
    expect(() => createLifWasm(memory, n, { ...P, v_th: Number.NaN }, D, layout, { precision: 64 })).toThrow(/vTh/);
    expect(() => createLifWasm(memory, n, P, D, layout, { precision: 32, unroll: 5 })).toThrow(/unroll must be an integer in \[1, 4\]/);
  });
});
