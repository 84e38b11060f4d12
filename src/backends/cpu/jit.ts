/**
 * Specialised cpu kernels (code generation, as Brian2 does): the same arithmetic as a model's reference step, in the
 * same order, with the population size and every parameter and propagator written into the source as literals.
 * V8 then compiles one monomorphic loop per population with constant operands, about 2.5x faster than the generic
 * step function on CUBA (bench/results). Numbers are printed with JavaScript's shortest round-trip form, so the
 * literals are the exact float64 values: a compiled kernel is bit-identical to the reference (test/engine/cuba.test.ts).
 */
import type { PopulationKernel, PopulationKernelArgs } from '../../kernels/index.ts';
import { type LifDerived, type LifParams, settleLif } from '../../models/neurons/lif.ts';
import type { FloatArray, StepIO } from '../../models/neurons/types.ts';

type LifLoop = (off: number, ext: FloatArray | null) => number;
type LifLoopFactory = (v: FloatArray, ge: FloatArray, gi: FloatArray, refr: FloatArray, ringE: FloatArray, ringI: FloatArray, spikes: Uint32Array) => LifLoop;

function lit(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot compile a non-finite constant ${x}`);
  return `(${String(x)})`;
}

/** Source of the LIF loop of models/neurons/lif.ts#stepLif with constants inlined. */
export function lifLoopSource(n: number, p: LifParams, d: LifDerived, withExt: boolean): string {
  const u = withExt ? `const u = ${lit(p.v_rest + p.i_bias)} + ext[i];` : `const u = ${lit(p.v_rest + p.i_bias)};`;
  return `return function lifLoop(off, ext) {
    let count = 0;
    for (let i = 0; i < ${n}; i++) {
      const e = ge[i] + ringE[off + i];
      const g = gi[i] + ringI[off + i];
      ge[i] = e * ${lit(d.decayE)};
      gi[i] = g * ${lit(d.decayI)};
      const ref = refr[i];
      if (ref > 0) { refr[i] = ref - 1; continue; }
      ${u}
      const vn = u + (v[i] - u) * ${lit(d.decayM)} + e * ${lit(d.pE)} + g * ${lit(d.pI)};
      if (vn >= ${lit(p.v_th)}) { v[i] = ${lit(p.v_reset)}; refr[i] = ${lit(d.refTicks)}; spikes[count++] = i; }
      else v[i] = vn;
    }
    return count;
  };`;
}

/** The arrays are bound once (they live as long as the population), so V8 sees them as fixed closure values. */
function compile(source: string): LifLoopFactory {
  return new Function('v', 'ge', 'gi', 'refr', 'ringE', 'ringI', 'spikes', source) as LifLoopFactory;
}

export function compiledLifKernel(args: PopulationKernelArgs): PopulationKernel {
  const p = args.params as LifParams;
  const d = args.derived as LifDerived;
  const n = args.n;
  const s = args.state;
  const bind = (f: LifLoopFactory, io: StepIO) => f(s.v!, s.ge!, s.gi!, s.refr!, io.rings[0]!, io.rings[1]!, io.spikes);
  const plainFactory = compile(lifLoopSource(n, p, d, false));
  const drivenFactory = compile(lifLoopSource(n, p, d, true));
  let plain: LifLoop | null = null;
  let driven: LifLoop | null = null;
  const canRest = p.i_bias === 0 && p.v_rest < p.v_th;
  /**
   * V8 optimizes a function from the type feedback of what has already run: a branch that has not run yet (the first
   * spike, the first refractory tick) makes the optimized code deoptimize when it does, and about one run in six
   * then stayed in slower code for the rest of the simulation (CUBA 3.1 s instead of 1.35 s). So the first step
   * rehearses every branch on the real arrays and then restores them exactly: the results do not change.
   */
  const rehearsed = new Set<LifLoop>();
  const rehearse = (io: StepIO, loop: LifLoop, ext: FloatArray | null): void => {
    rehearsed.add(loop);
    if (n < 2) return;
    const names = ['v', 'ge', 'gi', 'refr'] as const;
    const saved = names.map((k) => s[k]!.slice());
    const rings = io.rings.map((r) => r.slice(io.slotOffset, io.slotOffset + n));
    for (let rep = 0; rep < 3; rep++) {
      s.refr![0] = 2; // refractory branch
      s.refr![1] = 0;
      s.v![1] = p.v_th + 1; // spike branch (v already above threshold integrates to above it for dt << tau_m)
      loop(io.slotOffset, ext);
    }
    names.forEach((k, q) => s[k]!.set(saved[q]!));
    io.rings.forEach((r, q) => r.set(rings[q]!, io.slotOffset));
  };
  return {
    implementation: 'cpu/float64/compiled',
    async: false,
    step(io: StepIO): number {
      const off = io.slotOffset;
      const ringE = io.rings[0]!;
      const ringI = io.rings[1]!;
      const ext = io.iExt;
      const loop = ext === null ? (plain ??= bind(plainFactory, io)) : (driven ??= bind(drivenFactory, io));
      if (!rehearsed.has(loop)) rehearse(io, loop, ext);
      const count = loop(off, ext);
      if (io.slotHasInput) {
        ringE.fill(0, off, off + n);
        ringI.fill(0, off, off + n);
      }
      io.status[0] = !io.slotHasInput && ext === null && canRest ? settleLif(s, n, p.v_rest, d.restTolerance) : 0;
      return count;
    },
    download: () => undefined,
    dispose: () => undefined,
  };
}
