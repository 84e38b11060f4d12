/**
 * k-winners-take-all unit: a population of binary units under fast global feedback inhibition, the spiking form of
 * the CLS notebook (models/memory/cls/notebook.ts; Buhmann, Divko & Schulten 1989, Phys Rev A 39, 2689). A tick in
 * which the population receives a clock spike is one synchronous cycle; in any other tick it does nothing (its
 * input, if any, is discarded) and keeps its state. The state s_i is whether unit i fired in the last cycle (`v`).
 *
 * Receptors (all summed over the tick, like `threshold_unit`):
 *   hebb       H_i = sum_{j != i} n_ij s_j: the recurrent synapses carry n_ij, the number of stored patterns that hold
 *              both i and j (integers, exact in float32 weights and float64 rings); the delay of one tick after the
 *              spike makes the cycle synchronous.
 *   seed       a cycle that starts a reactivation: s_i <- [seed_i > 0] (the units an external source fires).
 *   kwta       clock of a k-winners cycle: the k units of largest field fire; fields within `tie` of the k-th largest
 *              are tied with it and the lowest indices among them win, so exactly k units fire.
 *   threshold  clock of a fixed-threshold cycle: s_i <- [h_i >= u - tie].
 * A tick with seed input is a seed cycle whatever else arrives; kwta comes before threshold.
 *
 * The field is the notebook's h = W s with W_ij = (n_ij - a n_i - a n_j + P a^2) / norm - inhibition (i != j), where
 * n_i (`load`, a state variable the builder sets) counts the patterns that hold unit i. Only the Hebbian count n_ij
 * travels through synapses; the rest is global feedback inhibition, a linear function of the population's last
 * cycle, S = sum_j s_j and L = sum_j n_j s_j, that every unit receives (S' = S - s_i leaves out the unit itself):
 *   h_i = (H_i - a n_i S' - a (L - n_i s_i) + baseline S') / norm - inhibition S',   baseline = P a^2.
 * This lumps an inhibitory interneuron pool driven by the whole population (one tick of delay, like the recurrent
 * synapses) into the population's step, as the Golgi top-k abstraction of the granule layer lumps Golgi cells; the
 * k-winners rule is the limit of such inhibition that is fast enough to settle within the cycle at the level that
 * leaves k units above threshold. A population of this model is stepped as a whole (its k-th largest field is a
 * population quantity): `wholePopulation`, so the engine never splits it over threads.
 */
import { selectRank } from '../../core/select.ts';
import { defineModel, type FloatArray, type StepIO } from './types.ts';

export interface KwtaParams extends Record<string, number> {
  k: number;
  coding: number;
  norm: number;
  baseline: number;
  inhibition: number;
  u: number;
  tie: number;
}

export const KWTA_UNIT = defineModel<KwtaParams, null>({
  name: 'kwta_unit',
  doc: 'Binary unit under global inhibition: clocked synchronous k-winners-take-all or fixed-threshold cycles (the CLS notebook)',
  params: {
    k: { unit: 'units', default: 1, min: 1, integer: true, doc: 'winners of a k-winners cycle' },
    coding: { unit: '1', default: 0.05, min: 0, max: 1, doc: 'coding level a of the stored patterns' },
    norm: { unit: '1', default: 1, gt: 0, doc: 'normalisation M a (1 - a) of the Hebbian weights' },
    baseline: { unit: '1', default: 0, doc: 'P a^2: the constant part of every weight (times norm)' },
    inhibition: { unit: 'field', default: 0, doc: 'global inhibition per active unit, gamma / (M a)' },
    u: { unit: 'field', default: 0, doc: 'threshold of a fixed-threshold cycle' },
    tie: { unit: 'field', default: 1e-9, min: 0, doc: 'fields closer than this are equal (ties go to the lowest index)' },
  },
  receptors: ['hebb', 'seed', 'kwta', 'threshold'],
  wholePopulation: true,
  stateVars: ['v', 'input', 'load', 'work'],
  derive: () => null,
  init(n) {
    return { v: new Float64Array(n), input: new Float64Array(n), load: new Float64Array(n), work: new Float64Array(n) };
  },
  step: stepKwta,
});

export function stepKwta(io: StepIO, p: KwtaParams): number {
  const { n, state, rings, slotOffset: off, spikes } = io;
  const v = state.v!;
  const h = state.input!;
  const load = state.load!;
  const ringH = rings[0]!;
  const ringS = rings[1]!;
  const ringK = rings[2]!;
  const ringT = rings[3]!;
  io.status[0] = 1; // without input the next tick changes nothing
  if (!io.slotHasInput) return 0;
  let seeded = false;
  let kwta = false;
  let threshold = false;
  for (let i = 0; i < n; i++) {
    seeded ||= ringS[off + i]! > 0;
    kwta ||= ringK[off + i]! > 0;
    threshold ||= ringT[off + i]! > 0;
  }
  let count = 0;
  if (seeded) {
    for (let i = 0; i < n; i++) {
      const on = ringS[off + i]! > 0;
      v[i] = on ? 1 : 0;
      h[i] = 0;
      if (on) spikes[count++] = i;
    }
  } else if (kwta || threshold) {
    // The field of the last cycle's state (held in v), with the global inhibition from its totals.
    let total = 0;
    let loaded = 0;
    for (let i = 0; i < n; i++) {
      total += v[i]!;
      loaded += load[i]! * v[i]!;
    }
    const { coding: a, baseline, inhibition } = p;
    const inv = 1 / p.norm;
    for (let i = 0; i < n; i++) {
      const si = v[i]!;
      const others = total - si;
      h[i] = (ringH[off + i]! - a * load[i]! * others - a * (loaded - load[i]! * si) + baseline * others) * inv - inhibition * others;
    }
    const tol = p.tie;
    if (kwta) {
      const k = Math.min(p.k, n);
      const work = state.work!;
      work.set(h);
      const t = kthLargest(work, k, n);
      let greater = 0;
      for (let i = 0; i < n; i++) if (h[i]! > t + tol) greater++;
      let ties = k - greater;
      for (let i = 0; i < n; i++) {
        const x = h[i]!;
        let on = x > t + tol;
        if (!on && ties > 0 && x >= t - tol) {
          on = true;
          ties--;
        }
        v[i] = on ? 1 : 0;
        if (on) spikes[count++] = i;
      }
    } else {
      const theta = p.u - tol;
      for (let i = 0; i < n; i++) {
        const on = h[i]! >= theta;
        v[i] = on ? 1 : 0;
        if (on) spikes[count++] = i;
      }
    }
  }
  // Every receptor's slot is consumed (input in a tick without a clock is discarded).
  ringH.fill(0, off, off + n);
  ringS.fill(0, off, off + n);
  ringK.fill(0, off, off + n);
  ringT.fill(0, off, off + n);
  return count;
}

/** The k-th largest of a[0 .. n) (1 <= k <= n), by in-place selection (core/select.ts); reorders a. */
export function kthLargest(a: FloatArray, k: number, n: number): number {
  return selectRank(a, n - k, n);
}
