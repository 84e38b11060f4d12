/**
 * The LIF update as a WebAssembly SIMD kernel (wasm/lif.ts) on the arrays of the engine's arena: the population's
 * state, ring, spike and drive arrays are views on one linear memory, so the kernel reads and writes them in place and
 * nothing is copied per tick. The module is generated for the arrays' addresses at the first step (and again for the
 * driven variant when an external drive first appears).
 * - float64 (Float64Array state): f64x2, bit-identical to models/neurons/lif.ts#stepLif.
 * - float32 (Float32Array state and rings, a cpu backend of precision 32): f32x4, the same formula with every
 *   operation rounded to float32 (bit for bit that evaluation: test/backends/wasm-lif.test.ts); the resting flush
 *   uses a float32 tolerance (lif.ts restTolerance32).
 * The resting flush of a tick without input (settleLif's rule) runs in WebAssembly SIMD as well (wasm/settle.ts,
 * generated at the first settle, bit for bit settleLif: test/backends/wasm-settle.test.ts): `settle` for the plain
 * flush, `settleWord` for RestingSet.settleAll, which also needs the bitmap of the neurons left away from rest (the
 * bitmap stays a JavaScript Int32Array: the arena is sized by the engine for the population arrays only, so the
 * module returns it one 32-bit word per call). In sdm-recall-lif at 100,000 granule cells the flush in JavaScript
 * was a third of the run; in wasm the run takes about 0.6 of the time (100,000 neurons: about 110 us a flush
 * against 700-1100 us).
 * A thread's slice (engine/threads.ts) gets its own kernel on its part of the arrays (state views at its first
 * neuron), so its flush module covers exactly its neurons.
 * Without an arena (or for an empty population) it falls back to the compiled JavaScript kernel (jit.ts).
 */
import { markWords, type PopulationKernel, type PopulationKernelArgs } from '../../kernels/index.ts';
import { flushToRest, type LifDerived, type LifParams, restTolerance32 } from '../../models/neurons/lif.ts';
import type { FloatArray, StateArrays, StepIO } from '../../models/neurons/types.ts';
import { compiledLifKernel } from './jit.ts';
import { wasm, type WasmMemory } from './wasm/api.ts';
import { createLifWasm, type LifWasmConstants, type LifWasmKernel, lifWasmConstants } from './wasm/lif.ts';
import { createSettleWasm, type SettleWasmKernel } from './wasm/settle.ts';

/** Whether this host runs WebAssembly SIMD (a one-instruction module that uses v128). */
export const WASM_SIMD: boolean = (() => {
  try {
    // (module (func (result v128) v128.const i32x4 0 0 0 0))
    const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
    return wasm.validate(bytes);
  } catch {
    return false;
  }
})();

/** Byte offset of a view inside the memory, or -1 when it is not a view on it. */
function addressIn(memory: WasmMemory, a: FloatArray | Uint32Array): number {
  return a.buffer === memory.buffer ? a.byteOffset : -1;
}

export function wasmLifKernel(args: PopulationKernelArgs, skipRest = true): PopulationKernel {
  const memory = args.memory as WasmMemory | undefined;
  const s = args.state;
  const arrays = [s.v!, s.ge!, s.gi!, s.refr!];
  if (!WASM_SIMD || memory === undefined || args.n === 0 || arrays.some((a) => addressIn(memory, a) < 0)) return compiledLifKernel(args);
  const precision = s.v instanceof Float32Array ? 32 : 64;
  if (arrays.some((a) => (a instanceof Float32Array ? 32 : 64) !== precision)) throw new Error('internal: a LIF population mixes float32 and float64 state');
  const p = args.params as LifParams;
  const d = args.derived as LifDerived;
  const n = args.n;
  const stride = args.slotStride ?? n;
  const canRest = p.i_bias === 0 && p.v_rest < p.v_th;
  const tolerance = precision === 32 ? restTolerance32(p.v_rest, d.decayM) : d.restTolerance;
  const kernels = new Map<number, LifWasmKernel>();
  const kernelFor = (io: StepIO): LifWasmKernel => {
    const ext = io.iExt === null ? null : addressIn(memory, io.iExt);
    const key = ext ?? -1;
    let k = kernels.get(key);
    if (k) return k;
    const at = (a: FloatArray | Uint32Array, what: string) => {
      const x = addressIn(memory, a);
      if (x < 0) throw new Error(`internal: the ${what} array of a wasm LIF population is not in the engine's arena`);
      if (!(a instanceof Uint32Array) && (a instanceof Float32Array ? 32 : 64) !== precision) throw new Error(`internal: the ${what} array of a float${precision} LIF population is not float${precision}`);
      return x;
    };
    if (ext !== null) at(io.iExt!, 'drive');
    const slots = Math.floor((io.rings[0]!.length - n) / stride) + 1;
    k = createLifWasm(
      memory,
      n,
      p,
      d,
      { v: at(s.v!, 'v'), ge: at(s.ge!, 'ge'), gi: at(s.gi!, 'gi'), refr: at(s.refr!, 'refr'), ringE: at(io.rings[0]!, 'ring'), ringI: at(io.rings[1]!, 'ring'), ext, spikes: at(io.spikes, 'spike'), slots, ringStride: stride },
      { precision },
    );
    kernels.set(key, k);
    return k;
  };
  // The resting flush (settleLif's rule) in WebAssembly too (wasm/settle.ts), generated at the first settle.
  let settler: SettleWasmKernel | null = null;
  const flush = (): SettleWasmKernel =>
    (settler ??= createSettleWasm(memory, n, p.v_rest, tolerance, { v: addressIn(memory, s.v!), ge: addressIn(memory, s.ge!), gi: addressIn(memory, s.gi!), refr: addressIn(memory, s.refr!) }, precision));
  const rest = new RestingSet(s, n, p, d, precision, tolerance);
  const sparseCapable = skipRest && canRest && n >= SPARSE_MIN_NEURONS;
  return {
    implementation: `cpu/float${precision}/wasm-simd`,
    async: false,
    inputMarks: sparseCapable,
    get sparseTicks() {
      return rest.sparseTicks;
    },
    step(io: StepIO): number {
      const settle = !io.slotHasInput && io.iExt === null && canRest;
      if (rest.sparse && io.iExt === null) {
        const count = rest.step(io);
        io.status[0] = settle ? rest.settle() : 0;
        rest.maybeLeave();
        return count;
      }
      rest.sparse = false;
      const count = kernelFor(io).step(io.slotOffset, io.iExt === null ? 0 : 1);
      if (io.marks) io.marks.fill(0, io.marksOffset!, io.marksOffset! + markWords(n));
      // A settle of a population that can skip rest may also find the neurons away from rest: when they are few, from
      // the next tick on only they and those with input are stepped. That costs a little more than a plain settle, so
      // after it found too many it is tried more and more rarely; a settle that finds every neuron at rest always
      // switches (an empty active set needs no scan).
      if (!settle) io.status[0] = 0;
      else if (sparseCapable && rest.tryNow()) io.status[0] = rest.settleAll(flush().settleWord);
      else {
        io.status[0] = flush().settle();
        if (sparseCapable && io.status[0] === 1) rest.enterEmpty();
      }
      return count;
    },
    download: () => undefined,
    dispose: () => {
      kernels.clear();
      settler = null;
    },
  };
}

/** Set bits of a 32-bit word. */
function popcount32(x: number): number {
  let y = x - ((x >>> 1) & 0x55555555);
  y = (y & 0x33333333) + ((y >>> 2) & 0x33333333);
  return Math.imul((y + (y >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Populations at least this large keep an active set (smaller ones are stepped whole: nothing to gain). */
export const SPARSE_MIN_NEURONS = 512;

/**
 * The neurons of a LIF population that are not exactly at rest (v = v_rest, g_e = g_i = +0, not refractory), as a
 * bitmap. A neuron exactly at rest with no input this tick and no drive stays exactly at rest under the update (the
 * propagator maps rest to rest), so stepping only the active neurons and those with input (the engine's input marks)
 * gives exactly the full update's state and spikes. The same arithmetic as the SIMD kernel, one neuron at a time:
 * float64 as models/neurons/lif.ts#stepLif, float32 with every operation rounded (wasm/lif.ts's contract).
 * The resting flush (settleLif's rule) applies to active neurons only; the others are at rest already. The whole
 * population's flush with the bitmap (settleAll) is wasm/settle.ts's settleWord; the flush of the few active
 * neurons (settle) stays here, one neuron at a time (flushToRest).
 */
class RestingSet {
  sparse = false;
  sparseTicks = 0;
  private readonly active: Int32Array;
  private count = 0;
  private readonly words: number;
  private readonly k: LifWasmConstants;
  private readonly restV: number;

  constructor(
    private readonly s: StateArrays,
    private readonly n: number,
    private readonly p: LifParams,
    d: LifDerived,
    private readonly precision: 32 | 64,
    private readonly tolerance: number,
  ) {
    this.words = markWords(n);
    this.active = new Int32Array(this.words);
    this.k = lifWasmConstants(p, d, precision);
    this.restV = precision === 32 ? Math.fround(p.v_rest) : p.v_rest;
  }

  private atRest(i: number): boolean {
    const s = this.s;
    return s.v![i] === this.restV && Object.is(s.ge![i], 0) && Object.is(s.gi![i], 0) && Object.is(s.refr![i], 0);
  }

  private settles = 0;
  private nextTry = 0;
  private gap = 1;

  /** Whether this settle should look for the active set (see step: a backoff after failed tries). */
  tryNow(): boolean {
    return this.settles++ >= this.nextTry;
  }

  /** Every neuron is exactly at rest (a plain settle said so). */
  enterEmpty(): void {
    this.active.fill(0);
    this.count = 0;
    this.sparse = true;
  }

  /**
   * settleLif's flush over the whole population, recording the neurons left away from rest (bit i & 31 of word
   * i >> 5 set when neuron i is not exactly at rest after its flush); goes sparse when they are at most a sixteenth.
   * `settleWord(w)` does the flush of word w's 32 neurons and returns that word (wasm/settle.ts). Returns 1 when
   * none is left away from rest.
   */
  settleAll(settleWord: (w: number) => number): number {
    const active = this.active;
    let count = 0;
    for (let w = 0; w < this.words; w++) {
      const keep = settleWord(w);
      active[w] = keep;
      if (keep !== 0) count += popcount32(keep);
    }
    this.count = count;
    this.sparse = count <= this.n / 16;
    this.gap = this.sparse ? 1 : Math.min(4096, 2 * this.gap);
    this.nextTry = this.settles + (this.sparse ? 0 : this.gap);
    return count === 0 ? 1 : 0;
  }

  /** Back to whole-population steps when the active set has grown past an eighth (the dense SIMD step is cheaper). */
  maybeLeave(): void {
    if (this.count > this.n / 8) this.sparse = false;
  }

  /** One tick for the active neurons and those marked as having input; returns the spikes (ascending). */
  step(io: StepIO): number {
    this.sparseTicks++;
    const { v, ge, gi, refr } = this.s as Record<'v' | 'ge' | 'gi' | 'refr', FloatArray>;
    const ringE = io.rings[0]!;
    const ringI = io.rings[1]!;
    const off = io.slotOffset;
    const marks = io.marks!;
    const mo = io.marksOffset!;
    const spikes = io.spikes;
    const { decayE, decayI, decayM, pE, pI, u0, vTh, vReset, refTicks } = this.k;
    const f32 = this.precision === 32;
    const f = Math.fround;
    let count = 0;
    let active = 0;
    for (let w = 0; w < this.words; w++) {
      let bits = this.active[w]! | marks[mo + w]!;
      marks[mo + w] = 0;
      let keep = 0;
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const i = (w << 5) + b;
        const r = off + i;
        if (f32) {
          const e = f(ge[i]! + ringE[r]!);
          const g = f(gi[i]! + ringI[r]!);
          ringE[r] = 0;
          ringI[r] = 0;
          ge[i] = f(e * decayE);
          gi[i] = f(g * decayI);
          const ref = refr[i]!;
          if (ref > 0) refr[i] = f(ref - 1);
          else {
            const vn = f(f(f(u0 + f(f(v[i]! - u0) * decayM)) + f(e * pE)) + f(g * pI));
            if (vn >= vTh) {
              v[i] = vReset;
              refr[i] = refTicks;
              spikes[count++] = i;
            } else v[i] = vn;
          }
        } else {
          const e = ge[i]! + ringE[r]!;
          const g = gi[i]! + ringI[r]!;
          ringE[r] = 0;
          ringI[r] = 0;
          ge[i] = e * decayE;
          gi[i] = g * decayI;
          const ref = refr[i]!;
          if (ref > 0) refr[i] = ref - 1;
          else {
            const vn = u0 + (v[i]! - u0) * decayM + e * pE + g * pI;
            if (vn >= vTh) {
              v[i] = vReset;
              refr[i] = refTicks;
              spikes[count++] = i;
            } else v[i] = vn;
          }
        }
        if (!this.atRest(i)) {
          keep |= 1 << b;
          active++;
        }
      }
      this.active[w] = keep;
    }
    this.count = active;
    return count;
  }

  /** settleLif's flush on the active neurons; 1 when none is left away from rest. */
  settle(): number {
    const { v, ge, gi, refr } = this.s as Record<'v' | 'ge' | 'gi' | 'refr', FloatArray>;
    const vRest = this.p.v_rest;
    const tol = this.tolerance;
    let active = 0;
    for (let w = 0; w < this.words; w++) {
      let bits = this.active[w]!;
      let keep = 0;
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const i = (w << 5) + b;
        flushToRest(v, ge, gi, refr, i, vRest, tol);
        if (!this.atRest(i)) {
          keep |= 1 << b;
          active++;
        }
      }
      this.active[w] = keep;
    }
    this.count = active;
    return active === 0 ? 1 : 0;
  }
}
