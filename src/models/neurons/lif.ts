/**
 * Leaky integrate-and-fire neuron with exponentially decaying current synapses (CUBA), integrated exactly
 * (Rotter & Diesmann 1999, "Exact digital simulation of time-invariant linear systems").
 *
 *   tau_m dv/dt = -(v - v_rest) + g_e + g_i + I          (all terms in mV: the drive R*I a current produces)
 *   dg_e/dt = -g_e / tau_e,  dg_i/dt = -g_i / tau_i     (an input of weight w adds w to g_e or g_i)
 *
 * Over one tick h with I constant, the exact propagator is
 *   v(t+h) = v_rest + I + (v - v_rest - I) e^{-h/tau_m} + g_e P_e + g_i P_i
 *   P_x = tau_x / (tau_x - tau_m) (e^{-h/tau_x} - e^{-h/tau_m})   (P_x = (h / tau_m) e^{-h/tau_m} when tau_x = tau_m)
 *   g_x(t+h) = g_x e^{-h/tau_x}
 * P_x is evaluated in a form without cancellation (see `synapticPropagator`), accurate for every tau_x - tau_m.
 *
 * Order within a tick (the population kernel of the engine schedule): deliver (g_x += ring slot, slot cleared) ->
 * integrate (v held at v_reset while refractory) -> threshold (v >= v_th) -> reset (v = v_reset, refractory for
 * t_ref). A spike computed in the tick [t, t + h) has time t + h.
 *
 * Resting fixed point: when v is within `restTolerance` of v_rest (about 1e-12 mV; where float64 rounding stalls the
 * decay), g_e and g_i are below 1e-15 mV and no current flows, the neuron is set exactly to rest, so a silent population reaches a fixed point the engine can skip (docs/DECISIONS.md).
 */
import { resetBelowThreshold, THRESHOLD_RESET_PARAMS } from './common.ts';
import { defineModel, type FloatArray, type StateArrays, type StepIO } from './types.ts';

export interface LifParams extends Record<string, number> {
  tau_m: number;
  tau_e: number;
  tau_i: number;
  v_rest: number;
  v_th: number;
  v_reset: number;
  t_ref: number;
  i_bias: number;
}

export interface LifDerived {
  decayM: number;
  decayE: number;
  decayI: number;
  pE: number;
  pI: number;
  refTicks: number;
  /** How close to v_rest counts as rest (mV): rounding stalls the decay about 1 / (2 (1 - decayM)) ulps away. */
  restTolerance: number;
}

/** Flush threshold of the synaptic variables at the resting fixed point (mV). */
export const LIF_SYN_FLUSH_MV = 1e-15;

/** Unit in the last place of x (float64). */
function ulp(x: number): number {
  const a = Math.abs(x);
  return a === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(a)) - 52);
}

/**
 * Distance from rest within which v is flushed to rest: in float64, u + (v - u) * decay stops moving once v - u is
 * below about ulp(u) / (2 (1 - decay)), so the tolerance is twice that, plus 1e-12 mV.
 */
export function restTolerance(vRest: number, decayM: number): number {
  return 1e-12 + (2 * ulp(vRest)) / (1 - decayM);
}

/** The same in float32 arithmetic (a float32 kernel's state stalls about 2^29 times farther from rest). */
export function restTolerance32(vRest: number, decayM: number): number {
  const a = Math.abs(vRest);
  const ulp32 = a === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return 1e-6 + (2 * ulp32) / (1 - decayM);
}

/**
 * Exact propagator from a synaptic variable with time constant tauX into v over h (all ms):
 *   P = tau_x / (tau_x - tau_m) (e^{-h/tau_x} - e^{-h/tau_m})
 *     = (h / tau_m) e^{-h / max(tau_x, tau_m)} (1 - e^{-y}) / y,   y = h |tau_x - tau_m| / (tau_m tau_x) >= 0.
 * The first form cancels catastrophically when tau_x is close to tau_m (tau_m 100 ms, tau_x = tau_m + 1e-10 ms,
 * h 0.001 ms gives 0 instead of 1e-5). The second has no cancellation: tau_x - tau_m is exact for close values
 * (Sterbenz), 1 - e^{-y} = -expm1(-y) keeps full precision for small y, (1 - e^{-y}) / y is well conditioned (an
 * error in y moves it by at most the same relative amount), and y = 0 is the equal-tau limit (h / tau_m) e^{-h/tau_m}.
 * The relative error is a few ulps for every tau_x (test/models/propagator.test.ts), and nothing overflows.
 */
export function synapticPropagator(tauX: number, tauM: number, h: number): number {
  const y = (h * Math.abs(tauX - tauM)) / (tauM * tauX);
  const phi = y === 0 ? 1 : -Math.expm1(-y) / y;
  return (h / tauM) * Math.exp(-h / Math.max(tauX, tauM)) * phi;
}

/** Defaults: Vogels & Abbott (2005) / Brette et al. (2007) benchmark network, resting at -60 mV. */
export const LIF = defineModel<LifParams, LifDerived>({
  name: 'lif',
  doc: 'Leaky integrate-and-fire, exponential current synapses (mV), exact integration',
  params: {
    tau_m: { unit: 'ms', default: 20, gt: 0, doc: 'membrane time constant' },
    tau_e: { unit: 'ms', default: 5, gt: 0, doc: 'excitatory synaptic time constant' },
    tau_i: { unit: 'ms', default: 10, gt: 0, doc: 'inhibitory synaptic time constant' },
    v_rest: { unit: 'mV', default: -60, doc: 'resting potential E_L' },
    ...THRESHOLD_RESET_PARAMS,
    i_bias: { unit: 'mV', default: 0, doc: 'constant drive R*I added to v_rest' },
  },
  receptors: ['exc', 'inh'],
  stateVars: ['v', 'ge', 'gi', 'refr'],
  validate: resetBelowThreshold,
  derive(p, h) {
    return {
      decayM: Math.exp(-h / p.tau_m),
      decayE: Math.exp(-h / p.tau_e),
      decayI: Math.exp(-h / p.tau_i),
      pE: synapticPropagator(p.tau_e, p.tau_m, h),
      pI: synapticPropagator(p.tau_i, p.tau_m, h),
      refTicks: Math.round(p.t_ref / h),
      restTolerance: restTolerance(p.v_rest, Math.exp(-h / p.tau_m)),
    };
  },
  init(n, p) {
    return {
      v: new Float64Array(n).fill(p.v_rest),
      ge: new Float64Array(n),
      gi: new Float64Array(n),
      refr: new Float64Array(n),
    };
  },
  step: stepLif,
});

const ZERO_DRIVE = new Float64Array(0);

/**
 * One tick of LIF for every neuron: the cpu reference kernel (see NeuronModel.step).
 * The hot loop carries no rest bookkeeping; a tick without input runs `settleLif`, which flushes neurons within the
 * tolerances to rest and reports whether the whole population is at rest. Whether a neuron is flushed depends on its
 * own state and the population's input flags only (not on other neurons' spikes), so a population stepped in slices
 * (engine threads) ends every tick in the same state as one stepped whole.
 */
export function stepLif(io: StepIO, p: LifParams, d: LifDerived): number {
  const { n, state, rings, slotOffset, iExt, spikes } = io;
  const v = state.v!;
  const ge = state.ge!;
  const gi = state.gi!;
  const refr = state.refr!;
  const ringE = rings[0]!;
  const ringI = rings[1]!;
  const { decayM, decayE, decayI, pE, pI, refTicks } = d;
  const vTh = p.v_th;
  const vReset = p.v_reset;
  const u0 = p.v_rest + p.i_bias;
  const off = slotOffset;
  const ext = iExt ?? ZERO_DRIVE;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const e = ge[i]! + ringE[off + i]!;
    const g = gi[i]! + ringI[off + i]!;
    ge[i] = e * decayE;
    gi[i] = g * decayI;
    const ref = refr[i]!;
    if (ref > 0) {
      refr[i] = ref - 1;
      continue;
    }
    const u = ext === ZERO_DRIVE ? u0 : u0 + ext[i]!;
    const vn = u + (v[i]! - u) * decayM + e * pE + g * pI;
    if (vn >= vTh) {
      v[i] = vReset;
      refr[i] = refTicks;
      spikes[count++] = i;
    } else v[i] = vn;
  }
  if (io.slotHasInput) {
    ringE.fill(0, off, off + n);
    ringI.fill(0, off, off + n);
  }
  io.status[0] = !io.slotHasInput && iExt === null && p.i_bias === 0 && p.v_rest < vTh ? settleLif(state, n, p.v_rest, d.restTolerance) : 0;
  return count;
}

/**
 * Flushes neurons that are within `tol` mV of rest with synaptic variables below LIF_SYN_FLUSH_MV to exact rest;
 * returns 1 when every neuron is then exactly at rest and not refractory.
 */
export function settleLif(state: StateArrays, n: number, vRest: number, tol: number): number {
  const { v, ge, gi, refr } = state as Record<'v' | 'ge' | 'gi' | 'refr', FloatArray>;
  let all = 1;
  for (let i = 0; i < n; i++) if (!flushToRest(v, ge, gi, refr, i, vRest, tol)) all = 0;
  return all;
}

/**
 * The resting flush of neuron i (settleLif's rule): when it is not refractory, within `tol` mV of rest and its
 * synaptic variables are below LIF_SYN_FLUSH_MV, it is set exactly to rest and true is returned; else false.
 * The cpu backend's WebAssembly kernels run this rule in SIMD (backends/cpu/wasm/settle.ts, tested bit for bit
 * against settleLif): a change here must be made there too.
 */
export function flushToRest(v: FloatArray, ge: FloatArray, gi: FloatArray, refr: FloatArray, i: number, vRest: number, tol: number): boolean {
  const e = ge[i]!;
  const g = gi[i]!;
  const dv = v[i]! - vRest;
  if (refr[i]! > 0 || !(e < LIF_SYN_FLUSH_MV && e > -LIF_SYN_FLUSH_MV && g < LIF_SYN_FLUSH_MV && g > -LIF_SYN_FLUSH_MV && dv < tol && dv > -tol)) return false;
  v[i] = vRest;
  ge[i] = 0;
  gi[i] = 0;
  return true;
}
