/**
 * Conductance-based leaky integrate-and-fire neuron with exponentially decaying conductances (COBA; Brette et al.
 * 2007 benchmark 1, NEST `iaf_cond_exp`).
 *
 *   c_m dv/dt = g_l (e_l - v) + g_e (e_e - v) + g_i (e_i - v) + I      (pF, nS, mV, pA)
 *   dg_x/dt = -g_x / tau_x                                            (an input of weight w nS adds w to g_x)
 *
 * v has no closed form with time-varying conductances. Within a tick of length h the conductances decay exactly,
 * g_x(t) = g_x e^{-t/tau_x} (g_x after this tick's input), so their averages over the tick are
 *   gbar_x = a_x g_x,   a_x = tau_x (1 - e^{-h/tau_x}) / h,
 * and each tick takes the exponential-Euler step with these averaged conductances:
 *   G = g_l + gbar_e + gbar_i,  v_inf = (g_l e_l + gbar_e e_e + gbar_i e_i + I) / G,  v <- v_inf + (v - v_inf) e^{-h G / c_m}
 * The decay factor e^{-h G / c_m} = e^{-(1/c_m) int g_total dt} is then exact; the only approximation left is that the
 * drive of the tick is spread evenly over it, a second-order error: a PSP's amplitude is off by about
 * h^2 / (12 tau_x tau_eff) relative (tau_eff = c_m / G), 2e-4 for tau_x 0.2 ms, h 0.1 ms, tau_m 20 ms
 * (test/models/coba.test.ts, against RK4 on the ODE). Freezing the conductances at their start-of-tick value
 * instead (Brian2's `exponential_euler`) overestimates each PSP by about h / (2 tau_x), first order: 27% for
 * tau_x 0.2 ms and 1% for tau_x 5 ms at h 0.1 ms (docs/DECISIONS.md). Tick order as in lif.ts.
 */
import { resetBelowThreshold, THRESHOLD_RESET_PARAMS } from './common.ts';
import { defineModel, type StepIO } from './types.ts';

export interface CobaParams extends Record<string, number> {
  c_m: number;
  g_l: number;
  e_l: number;
  e_e: number;
  e_i: number;
  tau_e: number;
  tau_i: number;
  v_th: number;
  v_reset: number;
  t_ref: number;
  i_bias: number;
}

export interface CobaDerived {
  decayE: number;
  decayI: number;
  /** Mean over a tick of the excitatory conductance relative to its start-of-tick value: tau_e (1 - e^{-h/tau_e}) / h. */
  avgE: number;
  /** The same for the inhibitory conductance. */
  avgI: number;
  hOverC: number;
  /** e^{-h g_l / c_m}: the decay factor of a tick without synaptic conductance. */
  leakDecay: number;
  refTicks: number;
}

/** Mean of e^{-t/tau} over 0 <= t < h: tau (1 - e^{-h/tau}) / h, without cancellation for h << tau. */
export function stepAverage(tau: number, h: number): number {
  return (-Math.expm1(-h / tau) * tau) / h;
}

/** Defaults: Brette et al. (2007), COBA benchmark (200 pF, 10 nS leak so tau_m = 20 ms). */
export const COBA = defineModel<CobaParams, CobaDerived>({
  name: 'lif_cond',
  doc: 'Leaky integrate-and-fire, exponential conductance synapses (nS), exponential-Euler step on tick-averaged conductances',
  params: {
    c_m: { unit: 'pF', default: 200, gt: 0, doc: 'membrane capacitance' },
    g_l: { unit: 'nS', default: 10, gt: 0, doc: 'leak conductance' },
    e_l: { unit: 'mV', default: -60, doc: 'leak reversal potential' },
    e_e: { unit: 'mV', default: 0, doc: 'excitatory reversal potential' },
    e_i: { unit: 'mV', default: -80, doc: 'inhibitory reversal potential' },
    tau_e: { unit: 'ms', default: 5, gt: 0, doc: 'excitatory conductance time constant' },
    tau_i: { unit: 'ms', default: 10, gt: 0, doc: 'inhibitory conductance time constant' },
    ...THRESHOLD_RESET_PARAMS,
    i_bias: { unit: 'pA', default: 0, doc: 'constant injected current' },
  },
  receptors: ['exc', 'inh'],
  stateVars: ['v', 'ge', 'gi', 'refr'],
  validate: resetBelowThreshold,
  derive(p, h) {
    return {
      decayE: Math.exp(-h / p.tau_e),
      decayI: Math.exp(-h / p.tau_i),
      avgE: stepAverage(p.tau_e, h),
      avgI: stepAverage(p.tau_i, h),
      hOverC: h / p.c_m,
      leakDecay: Math.exp(-(h / p.c_m) * p.g_l),
      refTicks: Math.round(p.t_ref / h),
    };
  },
  init(n, p) {
    return {
      v: new Float64Array(n).fill(p.e_l),
      ge: new Float64Array(n),
      gi: new Float64Array(n),
      refr: new Float64Array(n),
    };
  },
  step: stepCoba,
});

/** One tick of lif_cond for every neuron: the cpu reference kernel (see NeuronModel.step and the header). */
export function stepCoba(io: StepIO, p: CobaParams, d: CobaDerived): number {
  const { n, state, rings, slotOffset, iExt, spikes } = io;
  const v = state.v!;
  const ge = state.ge!;
  const gi = state.gi!;
  const refr = state.refr!;
  const ringE = rings[0]!;
  const ringI = rings[1]!;
  const { decayE, decayI, avgE, avgI, hOverC, leakDecay, refTicks } = d;
  const { g_l: gL, e_l: eL, e_e: eE, e_i: eI, v_th: vTh, v_reset: vReset, i_bias: bias } = p;
  let count = 0;
  let atRest = bias === 0 && iExt === null && eL < vTh;
  for (let i = 0; i < n; i++) {
    const r = slotOffset + i;
    const e = ge[i]! + ringE[r]!;
    const g = gi[i]! + ringI[r]!;
    ringE[r] = 0;
    ringI[r] = 0;
    ge[i] = e * decayE;
    gi[i] = g * decayI;
    const ref = refr[i]!;
    if (ref > 0) {
      atRest = false;
      refr[i] = ref - 1;
      continue;
    }
    const current = iExt === null ? bias : bias + iExt[i]!;
    const eBar = e * avgE;
    const gBar = g * avgI;
    const gTot = gL + eBar + gBar;
    const vInf = (gL * eL + eBar * eE + gBar * eI + current) / gTot;
    let vn = vInf + (v[i]! - vInf) * (e === 0 && g === 0 ? leakDecay : Math.exp(-hOverC * gTot));
    if (vn >= vTh) {
      atRest = false;
      vn = vReset;
      refr[i] = refTicks;
      spikes[count++] = i;
    } else if (atRest && !(e === 0 && g === 0 && vn === eL)) {
      atRest = false;
    }
    v[i] = vn;
  }
  io.status[0] = atRest ? 1 : 0;
  return count;
}
