/**
 * The LIF update as a WebAssembly SIMD kernel (wasm/lif.ts) on the arrays of the engine's arena: the population's
 * state, ring, spike and drive arrays are views on one linear memory, so the kernel reads and writes them in place and
 * nothing is copied per tick. The module is generated for the arrays' addresses at the first step (and again for the
 * driven variant when an external drive first appears).
 * - float64 (Float64Array state): f64x2, bit-identical to models/neurons/lif.ts#stepLif.
 * - float32 (Float32Array state and rings, a cpu backend of precision 32): f32x4, the same formula with every
 *   operation rounded to float32 (bit for bit that evaluation: test/backends/wasm-lif.test.ts); the resting flush
 *   uses a float32 tolerance (lif.ts restTolerance32).
 * Without an arena (or for an empty population) it falls back to the compiled JavaScript kernel (jit.ts).
 */
import type { PopulationKernel, PopulationKernelArgs } from '../../kernels/index.ts';
import { type LifDerived, type LifParams, restTolerance32, settleLif } from '../../models/neurons/lif.ts';
import type { FloatArray, StepIO } from '../../models/neurons/types.ts';
import { compiledLifKernel } from './jit.ts';
import { wasm, type WasmMemory } from './wasm/api.ts';
import { createLifWasm, type LifWasmKernel } from './wasm/lif.ts';

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

export function wasmLifKernel(args: PopulationKernelArgs): PopulationKernel {
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
  return {
    implementation: `cpu/float${precision}/wasm-simd`,
    async: false,
    step(io: StepIO): number {
      const k = kernelFor(io);
      const count = k.step(io.slotOffset, io.iExt === null ? 0 : 1);
      io.status[0] = !io.slotHasInput && io.iExt === null && canRest ? settleLif(s, n, p.v_rest, tolerance) : 0;
      return count;
    },
    download: () => undefined,
    dispose: () => kernels.clear(),
  };
}
