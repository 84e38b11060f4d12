/**
 * Conductance-based leaky integrate-and-fire neuron with exponentially decaying conductances (COBA; Brette et al.
 * 2007 benchmark 1, NEST `iaf_cond_exp`).
 *
 *   c_m dv/dt = g_l (e_l - v) + g_e (e_e - v) + g_i (e_i - v) + I      (pF, nS, mV, pA)
 *   dg_x/dt = -g_x / tau_x                                            (an input of weight w nS adds w to g_x)
 *
 * v has no closed form with time-varying conductances; each tick uses the exponential-Euler step that is exact for
 * conductances frozen at their start-of-tick value (as Brian2's `exponential_euler` does):
 *   g = g_l + g_e + g_i,  v_inf = (g_l e_l + g_e e_e + g_i e_i + I) / g,  v <- v_inf + (v - v_inf) exp(-h g / c_m)
 * The conductances themselves are propagated exactly. Tick order as in lif.ts.
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
  hOverC: number;
  refTicks: number;
}

/** Defaults: Brette et al. (2007), COBA benchmark (200 pF, 10 nS leak so tau_m = 20 ms). */
export const COBA = defineModel<CobaParams, CobaDerived>({
  name: 'lif_cond',
  doc: 'Leaky integrate-and-fire, exponential conductance synapses (nS), exponential-Euler membrane step',
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
      hOverC: h / p.c_m,
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

export function stepCoba(io: StepIO, p: CobaParams, d: CobaDerived): number {
  const { n, state, rings, slotOffset, iExt, spikes } = io;
  const v = state.v!;
  const ge = state.ge!;
  const gi = state.gi!;
  const refr = state.refr!;
  const ringE = rings[0]!;
  const ringI = rings[1]!;
  const { decayE, decayI, hOverC, refTicks } = d;
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
    const gTot = gL + e + g;
    const vInf = (gL * eL + e * eE + g * eI + current) / gTot;
    let vn = vInf + (v[i]! - vInf) * Math.exp(-hOverC * gTot);
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
