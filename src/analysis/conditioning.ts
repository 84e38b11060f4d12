/**
 * Measures of delay eyeblink conditioning on binned spike counts (the nuclear output, the Purkinje cells), as the
 * literature reports them (e.g. Medina, Garcia, Nores, Taylor & Mauk 2000 J Neurosci 20:5516; Yamazaki & Tanaka 2007;
 * Kalmbach, Ohyama & Mauk 2010): the conditioned response (CR) of a trial, the CR fraction of a block of trials, the
 * time at which the learned response peaks, and the Purkinje pause.
 *
 * Input: a trial's peri-stimulus counts, summed over the cells of a population, in bins of `binMs` from the trial's
 * start (`Psth`); the CS starts at `csOnsetMs` in every trial. The baseline is the rate in the `baselineMs` before CS
 * onset.
 *
 * - A trial shows a CR when the count in the CR window, the `crWindowMs` before the US (CS onset + ISI), exceeds what
 *   the baseline rate predicts by `threshold` Poisson standard deviations: c > lambda + threshold sqrt(max(lambda, 1)),
 *   lambda = baseline rate x window (Poisson counts of the summed population).
 * - The CR fraction of a block is the fraction of its trials with a CR.
 * - The peak of the learned response: the block's mean PSTH minus its baseline, smoothed with a centred boxcar of
 *   `smoothMs`, maximised over [CS onset, CS onset + ISI + `afterUsMs`]; reported in ms after CS onset (the centre of
 *   the best bin).
 * - The Purkinje pause: the rate in the CR window over the rate in the same length early in the CS (after
 *   `pauseReferenceMs`), per block.
 *
 * Imports nothing.
 */

/** A trial's spike counts, summed over a population, per bin of `binMs` from the trial's start. */
export interface Psth {
  readonly binMs: number;
  readonly counts: ArrayLike<number>;
}

export interface ConditioningWindows {
  /** CS onset in every trial (ms from the trial's start). */
  readonly csOnsetMs: number;
  /** Interstimulus interval: the US comes at csOnsetMs + isiMs. */
  readonly isiMs: number;
  /** Baseline window before CS onset (ms). */
  readonly baselineMs: number;
  /** CR window: the last crWindowMs before the US. */
  readonly crWindowMs: number;
}

function checkPsth(p: Psth, upToMs: number): void {
  if (!(p.binMs > 0)) throw new RangeError(`binMs must be positive, got ${p.binMs}`);
  if (p.counts.length * p.binMs < upToMs) throw new RangeError(`the PSTH covers ${p.counts.length * p.binMs} ms, the windows need ${upToMs} ms`);
}

/** Sum of counts over [fromMs, toMs); both must fall on bin edges. */
export function countIn(p: Psth, fromMs: number, toMs: number): number {
  const a = fromMs / p.binMs;
  const b = toMs / p.binMs;
  if (!(Number.isInteger(Math.round(a * 1e9) / 1e9) && Number.isInteger(Math.round(b * 1e9) / 1e9)) || a < 0 || b < a)
    throw new RangeError(`window [${fromMs}, ${toMs}) ms must start and end on ${p.binMs} ms bin edges`);
  checkPsth(p, toMs);
  let s = 0;
  for (let i = Math.round(a); i < Math.round(b); i++) s += p.counts[i]!;
  return s;
}

/** Baseline rate (spikes per ms, summed population) in the baselineMs before CS onset. */
export function baselineRate(p: Psth, w: ConditioningWindows): number {
  if (!(w.baselineMs > 0) || w.baselineMs > w.csOnsetMs) throw new RangeError(`the baseline window (${w.baselineMs} ms) must fit before CS onset (${w.csOnsetMs} ms)`);
  return countIn(p, w.csOnsetMs - w.baselineMs, w.csOnsetMs) / w.baselineMs;
}

/** Whether a trial shows a conditioned response (see the file's comment), and the numbers behind the decision. */
export function conditionedResponse(p: Psth, w: ConditioningWindows, threshold = 2): { cr: boolean; count: number; expected: number } {
  if (!(w.crWindowMs > 0) || w.crWindowMs > w.isiMs) throw new RangeError(`the CR window (${w.crWindowMs} ms) must fit inside the ISI (${w.isiMs} ms)`);
  const us = w.csOnsetMs + w.isiMs;
  const count = countIn(p, us - w.crWindowMs, us);
  const expected = baselineRate(p, w) * w.crWindowMs;
  return { cr: count > expected + threshold * Math.sqrt(Math.max(expected, 1)), count, expected };
}

/** Fraction of the trials of a block with a conditioned response. */
export function crFraction(trials: readonly Psth[], w: ConditioningWindows, threshold = 2): number {
  if (trials.length === 0) throw new RangeError('a block needs at least one trial');
  return trials.filter((t) => conditionedResponse(t, w, threshold).cr).length / trials.length;
}

/** Mean of PSTHs with the same bins. */
export function meanPsth(trials: readonly Psth[]): Psth {
  if (trials.length === 0) throw new RangeError('no trials to average');
  const { binMs } = trials[0]!;
  const n = trials[0]!.counts.length;
  const out = new Float64Array(n);
  for (const t of trials) {
    if (t.binMs !== binMs || t.counts.length !== n) throw new RangeError('PSTHs to average must have the same bins');
    for (let i = 0; i < n; i++) out[i]! += t.counts[i]!;
  }
  for (let i = 0; i < n; i++) out[i]! /= trials.length;
  return { binMs, counts: out };
}

/**
 * Time after CS onset (ms, a bin centre) at which the learned response of a block peaks: the block's mean PSTH minus
 * its baseline, smoothed with a centred boxcar of smoothMs (an odd number of bins), maximised over
 * [CS onset, CS onset + ISI + afterUsMs). Returns null when the smoothed response is nowhere above baseline.
 */
export function responsePeakMs(trials: readonly Psth[], w: ConditioningWindows, smoothMs: number, afterUsMs = 0): number | null {
  const m = meanPsth(trials);
  const base = baselineRate(m, w) * m.binMs;
  const half = Math.floor(Math.round(smoothMs / m.binMs) / 2);
  const from = Math.round(w.csOnsetMs / m.binMs);
  const to = Math.round((w.csOnsetMs + w.isiMs + afterUsMs) / m.binMs);
  checkPsth(m, (to + half) * m.binMs);
  let best = -Infinity;
  let at = -1;
  for (let i = from; i < to; i++) {
    let s = 0;
    let k = 0;
    for (let j = Math.max(0, i - half); j <= i + half && j < m.counts.length; j++) {
      s += m.counts[j]! - base;
      k++;
    }
    const x = s / k;
    if (x > best) {
      best = x;
      at = i;
    }
  }
  return best > 0 ? (at + 0.5) * m.binMs - w.csOnsetMs : null;
}

/**
 * The Purkinje pause of a block: the mean rate in the CR window over the mean rate in a window of the same length that
 * starts pauseReferenceMs after CS onset (1: no pause, 0: silent before the US). NaN when the reference is silent.
 */
export function pauseRatio(trials: readonly Psth[], w: ConditioningWindows, pauseReferenceMs: number): number {
  const m = meanPsth(trials);
  const us = w.csOnsetMs + w.isiMs;
  if (pauseReferenceMs + w.crWindowMs > w.isiMs - w.crWindowMs) throw new RangeError('the reference window must end before the CR window starts');
  const ref = countIn(m, w.csOnsetMs + pauseReferenceMs, w.csOnsetMs + pauseReferenceMs + w.crWindowMs);
  return ref === 0 ? NaN : countIn(m, us - w.crWindowMs, us) / ref;
}
