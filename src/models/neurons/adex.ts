/**
 * Adaptive exponential integrate-and-fire neuron (AdEx; Brette & Gerstner 2005) with exponentially decaying current
 * synapses, in NEST's `aeif_psc_exp` convention (pF, nS, mV, ms, pA):
 *
 *   c_m dv/dt = -g_l (v - e_l) + g_l delta_t exp((v - v_t) / delta_t) - w + i_e + i_i + I
 *   tau_w dw/dt = a (v - e_l) - w
 *   di_x/dt = -i_x / tau_x                 (an input of weight J pA adds J to i_e or i_i; inhibitory weights < 0)
 *   v >= v_peak: a spike; v <- v_reset, w <- w + b, v held at v_reset for t_ref
 *
 * Subthreshold adaptation (a > 0) gives post-inhibitory rebound and sag; spike-triggered adaptation (b > 0) gives
 * adapting tonic firing; the same equations give the firing patterns of Naud et al. (2008). With delta_t = 0 the
 * exponential term vanishes and the spike is at v >= v_t (an adaptive LIF), as in NEST.
 *
 * Integration (as NEST's aeif models do with GSL): each tick is integrated with an adaptive embedded Runge-Kutta
 * method, Dormand-Prince 5(4), absolute error tolerance `tol` (default 1e-6, NEST's gsl_error_tol) on v (mV) and
 * w (pA). The synaptic currents are exact exponentials of time inside the step, so they add no error. Each neuron
 * keeps its last step size between ticks (state `hstep`). A threshold crossing is located inside the tick to 1e-6 ms
 * (the substep that crosses is halved until it is that short) and the reset applied there, as an event-locating
 * solver does (NEST's GSL driver resets at the end of whatever substep crossed, which delays later spikes by up to a
 * few microseconds each); the rest of the tick continues from the reset (held at v_reset while refractory). The spike is reported at the end of the tick (time t + h, the engine's grid). At most one spike
 * per neuron and tick is reported: a second crossing in the same tick (rates above 1 / h) is reset but not counted.
 * The exponential's argument uses min(v, v_peak) so that it cannot overflow between detections.
 *
 * Refractoriness as in NEST: after a spike v is held at v_reset for the rest of the tick and then for round(t_ref / h)
 * more ticks (dv/dt = 0, and w evolves with v = v_reset). Order within a tick as in lif.ts (deliver -> integrate ->
 * threshold -> reset).
 *
 * Defaults: Brette & Gerstner (2005) Table 1 (regular spiking cortical cell), with NEST's v_peak (0 mV) and synaptic
 * time constants (0.2 and 2 ms). Tests: closed forms (subthreshold, delta_t = 0) and reference traces of Brian2 and
 * NEST (test/models/adex.test.ts, test/fixtures/adex/).
 */
import { defineModel, type StepIO } from './types.ts';

export interface AdexParams extends Record<string, number> {
  c_m: number;
  g_l: number;
  e_l: number;
  v_t: number;
  delta_t: number;
  v_peak: number;
  v_reset: number;
  tau_w: number;
  a: number;
  b: number;
  t_ref: number;
  tau_e: number;
  tau_i: number;
  i_bias: number;
  tol: number;
}

export interface AdexDerived {
  h: number;
  decayE: number;
  decayI: number;
  refTicks: number;
  /** Where a spike is detected: v_peak, or v_t when delta_t = 0. */
  vSpike: number;
}

/** Defaults: Brette & Gerstner (2005), Table 1; v_peak, t_ref and synaptic time constants as NEST's aeif_psc_exp. */
export const ADEX = defineModel<AdexParams, AdexDerived>({
  name: 'adex',
  doc: 'Adaptive exponential integrate-and-fire (Brette & Gerstner 2005), exponential current synapses (pA), adaptive Runge-Kutta 5(4)',
  params: {
    c_m: { unit: 'pF', default: 281, gt: 0, doc: 'membrane capacitance' },
    g_l: { unit: 'nS', default: 30, gt: 0, doc: 'leak conductance' },
    e_l: { unit: 'mV', default: -70.6, doc: 'leak reversal potential' },
    v_t: { unit: 'mV', default: -50.4, doc: 'spike initiation threshold (the exponential term is g_l delta_t at v = v_t)' },
    delta_t: { unit: 'mV', default: 2, min: 0, doc: 'slope factor of the exponential term (0: adaptive LIF with threshold v_t)' },
    v_peak: { unit: 'mV', default: 0, doc: 'spike detection potential (must lie above v_t when delta_t > 0)' },
    v_reset: { unit: 'mV', default: -70.6, doc: 'reset potential' },
    tau_w: { unit: 'ms', default: 144, gt: 0, doc: 'adaptation time constant' },
    a: { unit: 'nS', default: 4, doc: 'subthreshold adaptation (a > 0: rebound and sag)' },
    b: { unit: 'pA', default: 80.5, doc: 'spike-triggered adaptation increment' },
    t_ref: { unit: 'ms', default: 0, min: 0, doc: 'absolute refractory period (v held at v_reset)' },
    tau_e: { unit: 'ms', default: 0.2, gt: 0, doc: 'excitatory synaptic current time constant' },
    tau_i: { unit: 'ms', default: 2, gt: 0, doc: 'inhibitory synaptic current time constant' },
    i_bias: { unit: 'pA', default: 0, doc: 'constant injected current (an intrinsic drive for tonic firing)' },
    tol: { unit: 'mV, pA', default: 1e-6, gt: 0, max: 1, doc: 'absolute error tolerance of the adaptive integrator per substep' },
  },
  receptors: ['exc', 'inh'],
  stateVars: ['v', 'w', 'ie', 'ii', 'refr', 'hstep'],
  validate(p) {
    if (p.delta_t > 0 && !(p.v_peak > p.v_t)) return { field: 'v_peak', expected: `must be above v_t (${p.v_t} mV) when delta_t > 0` };
    const spikeAt = p.delta_t > 0 ? p.v_peak : p.v_t;
    if (!(p.v_reset < spikeAt)) return { field: 'v_reset', expected: `must be below ${p.delta_t > 0 ? 'v_peak' : 'v_t'} (${spikeAt} mV)` };
    return null;
  },
  derive(p, h) {
    return {
      h,
      decayE: Math.exp(-h / p.tau_e),
      decayI: Math.exp(-h / p.tau_i),
      refTicks: Math.round(p.t_ref / h),
      vSpike: p.delta_t > 0 ? p.v_peak : p.v_t,
    };
  },
  init(n, p) {
    return {
      v: new Float64Array(n).fill(p.e_l),
      w: new Float64Array(n),
      ie: new Float64Array(n),
      ii: new Float64Array(n),
      refr: new Float64Array(n),
      hstep: new Float64Array(n),
    };
  },
  step: stepAdex,
});

// Dormand-Prince 5(4) tableau (Dormand & Prince 1980): nodes, stage weights, 5th-order weights and error weights.
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
const B1 = 35 / 384;
const B3 = 500 / 1113;
const B4 = 125 / 192;
const B5 = -2187 / 6784;
const B6 = 11 / 84;
// Error weights: 5th-order minus 4th-order solution (b - b*), the 7th stage being the FSAL one.
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;

/** Stage times of a substep as fractions of it (the 7th, FSAL stage is at its end, like the 6th). */
const STAGE = [0, C2, C3, C4, C5, 1];

/** Smallest substep (ms): below it a step is accepted whatever its error (NEST's GSL driver would stall there). */
const H_MIN = 1e-8;
/** Resolution (ms) to which a threshold crossing is located inside a tick before the reset is applied. */
const H_SPIKE = 1e-6;

/**
 * One tick of AdEx for every neuron: the cpu reference kernel (see NeuronModel.step). Pure: it touches only the
 * arrays in `io`.
 */
export function stepAdex(io: StepIO, p: AdexParams, d: AdexDerived): number {
  const { n, state, rings, slotOffset: off, iExt, spikes } = io;
  const v = state.v!;
  const w = state.w!;
  const ie = state.ie!;
  const ii = state.ii!;
  const refr = state.refr!;
  const hstep = state.hstep!;
  const ringE = rings[0]!;
  const ringI = rings[1]!;
  const { h, decayE, decayI, refTicks, vSpike } = d;
  const { c_m: cm, g_l: gl, e_l: el, v_t: vt, delta_t: dT, v_peak: vPeak, v_reset: vReset, tau_w: tauW, a, b, tau_e: tauE, tau_i: tauI, tol } = p;
  const exponential = dT > 0;
  const vCap = exponential ? vPeak : Infinity;
  const glDt = exponential ? gl * dT : 0;
  const invDt = exponential ? 1 / dT : 0;
  let count = 0;
  // The neuron being stepped: its synaptic currents at the start of the tick, its constant drive, whether v is held.
  let e0 = 0;
  let g0 = 0;
  let drive = 0;
  let held = false;
  // The synaptic currents at stage q of the substep [t, t + dt): e0 e^{-(t + F_q dt)/tau} = base(t) * factor_q(dt).
  // The factors depend on dt only, which is the full tick for most substeps, so they are cached across neurons.
  const factorsE = new Float64Array(6);
  const factorsI = new Float64Array(6);
  let factorsDt = NaN;
  let baseE = 0;
  let baseI = 0;
  const startSubstep = (t: number, dt: number): void => {
    baseE = e0 === 0 ? 0 : t === 0 ? e0 : e0 * Math.exp(-t / tauE);
    baseI = g0 === 0 ? 0 : t === 0 ? g0 : g0 * Math.exp(-t / tauI);
    if (dt !== factorsDt) {
      for (let q = 0; q < 6; q++) {
        factorsE[q] = Math.exp((-STAGE[q]! * dt) / tauE);
        factorsI[q] = Math.exp((-STAGE[q]! * dt) / tauI);
      }
      factorsDt = dt;
    }
  };
  // dv/dt at stage q of the current substep, the synaptic currents exact; 0 while v is held at v_reset. Defined once
  // per call (not per neuron).
  const dv = (q: number, vv: number, ww: number): number => {
    if (held) return 0;
    const vc = vv < vCap ? vv : vCap;
    let x = -gl * (vc - el) - ww + drive;
    if (exponential) x += glDt * Math.exp((vc - vt) * invDt);
    if (baseE !== 0) x += baseE * factorsE[q]!;
    if (baseI !== 0) x += baseI * factorsI[q]!;
    return x / cm;
  };
  const dw = (vv: number, ww: number): number => (a * ((vv < vCap ? vv : vCap) - el) - ww) / tauW;
  for (let i = 0; i < n; i++) {
    e0 = ie[i]! + ringE[off + i]!;
    g0 = ii[i]! + ringI[off + i]!;
    ringE[off + i] = 0;
    ringI[off + i] = 0;
    drive = p.i_bias + (iExt === null ? 0 : iExt[i]!);
    held = refr[i]! > 0;
    let y0 = v[i]!;
    let y1 = w[i]!;
    let t = 0;
    let dt = hstep[i]! > 0 ? Math.min(hstep[i]!, h) : h;
    let spiked = false;
    startSubstep(0, dt);
    let k1v = dv(0, y0, y1);
    let k1w = dw(y0, y1);
    let proposed = dt;
    while (t < h) {
      proposed = dt;
      if (t + dt > h) dt = h - t;
      startSubstep(t, dt);
      let yv = y0 + dt * A21 * k1v;
      let yw = y1 + dt * A21 * k1w;
      const k2v = dv(1, yv, yw);
      const k2w = dw(yv, yw);
      yv = y0 + dt * (A31 * k1v + A32 * k2v);
      yw = y1 + dt * (A31 * k1w + A32 * k2w);
      const k3v = dv(2, yv, yw);
      const k3w = dw(yv, yw);
      yv = y0 + dt * (A41 * k1v + A42 * k2v + A43 * k3v);
      yw = y1 + dt * (A41 * k1w + A42 * k2w + A43 * k3w);
      const k4v = dv(3, yv, yw);
      const k4w = dw(yv, yw);
      yv = y0 + dt * (A51 * k1v + A52 * k2v + A53 * k3v + A54 * k4v);
      yw = y1 + dt * (A51 * k1w + A52 * k2w + A53 * k3w + A54 * k4w);
      const k5v = dv(4, yv, yw);
      const k5w = dw(yv, yw);
      yv = y0 + dt * (A61 * k1v + A62 * k2v + A63 * k3v + A64 * k4v + A65 * k5v);
      yw = y1 + dt * (A61 * k1w + A62 * k2w + A63 * k3w + A64 * k4w + A65 * k5w);
      const k6v = dv(5, yv, yw);
      const k6w = dw(yv, yw);
      const nv = y0 + dt * (B1 * k1v + B3 * k3v + B4 * k4v + B5 * k5v + B6 * k6v);
      const nw = y1 + dt * (B1 * k1w + B3 * k3w + B4 * k4w + B5 * k5w + B6 * k6w);
      const k7v = dv(5, nv, nw);
      const k7w = dw(nv, nw);
      const errV = Math.abs(dt * (E1 * k1v + E3 * k3v + E4 * k4v + E5 * k5v + E6 * k6v + E7 * k7v));
      const errW = Math.abs(dt * (E1 * k1w + E3 * k3w + E4 * k4w + E5 * k5w + E6 * k6w + E7 * k7w));
      const err = (errV > errW ? errV : errW) / tol;
      if (!(err <= 1) && dt > H_MIN) {
        // Rejected (or not finite): retry smaller.
        dt = Math.max(H_MIN, dt * (Number.isFinite(err) ? Math.max(0.2, 0.9 * err ** -0.2) : 0.2));
        continue;
      }
      if (!held && nv >= vSpike && dt > H_SPIKE) {
        // The threshold lies inside this substep: halve it until the crossing is located within H_SPIKE, so that
        // the reset (and w += b) happens at the crossing time, as an event-locating solver would put it.
        dt *= 0.5;
        continue;
      }
      t += dt;
      y0 = nv;
      y1 = nw;
      k1v = k7v;
      k1w = k7w;
      const grow = err > 1e-10 ? Math.min(5, 0.9 * err ** -0.2) : 5;
      proposed = Math.max(proposed, dt * grow);
      dt *= grow;
      if (held) y0 = vReset;
      else if (y0 >= vSpike) {
        y0 = vReset;
        y1 += b;
        if (!spiked) spikes[count++] = i;
        spiked = true;
        // NEST counts t_ref / h full ticks after the spike's own; +1 because the count-down starts in this tick.
        refr[i] = refTicks > 0 ? refTicks + 1 : 0;
        held = refTicks > 0;
        startSubstep(t, dt);
        k1v = dv(0, y0, y1);
        k1w = dw(y0, y1);
      }
    }
    v[i] = y0;
    w[i] = y1;
    ie[i] = e0 * decayE;
    ii[i] = g0 * decayI;
    hstep[i] = Math.min(proposed, h);
    if (refr[i]! > 0) refr[i] = refr[i]! - 1;
  }
  io.status[0] = 0;
  return count;
}
