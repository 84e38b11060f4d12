/**
 * The passage-of-time analysis (src/analysis/time-code.ts) against hand-computable cases: populations whose cells
 * fire in known windows decode exactly, a time-invariant population decodes at the closed-form chance error, the
 * held-out trial never enters its own templates, and the similarity index of known window codes.
 */
import { describe, expect, it } from 'vitest';
import { CounterRng, streamId } from '../../src/core/rng.ts';
import {
  addSpike,
  chanceErrorMs,
  codingLevel,
  cosine,
  createBinnedTrials,
  decodeElapsedTime,
  errorInRange,
  pearson,
  populationRateHz,
  populationVector,
  reproducibilityIndex,
  similarityIndex,
  similarityMatrix,
  trialMean,
  type BinnedTrials,
  type TemplateMetric,
} from '../../src/analysis/time-code.ts';

/** Each cell i fires `spikes` spikes in the bins [i * stride, i * stride + width) of every trial. */
function windowCode(trials: number, bins: number, width: number, binMs = 10): BinnedTrials {
  const d = createBinnedTrials(trials, bins, bins, binMs);
  for (let k = 0; k < trials; k++) {
    for (let i = 0; i < bins; i++) {
      for (let b = i; b < Math.min(bins, i + width); b++) addSpike(d, k, i, b * binMs + binMs / 2);
    }
  }
  return d;
}

/** Poisson counts at a constant rate per cell (a time-invariant population with trial-to-trial noise). */
function stationaryPoisson(trials: number, bins: number, cells: number, mean: number, seed: number): BinnedTrials {
  const d = createBinnedTrials(trials, bins, cells, 10);
  const rng = new CounterRng(seed);
  const st = streamId('time-code-test');
  const l = Math.exp(-mean);
  for (let k = 0; k < trials; k++) {
    for (let b = 0; b < bins; b++) {
      for (let i = 0; i < cells; i++) {
        let n = 0;
        let p = rng.uniform(st, i, k * bins + b, 0);
        while (p > l) p *= rng.uniform(st, i, k * bins + b, ++n);
        d.counts[(k * bins + b) * cells + i] = n;
      }
    }
  }
  return d;
}

describe('binning', () => {
  it('puts a spike at t in bin floor(t / binMs) and ignores spikes outside [0, bins binMs)', () => {
    const d = createBinnedTrials(2, 3, 2, 20);
    expect(addSpike(d, 0, 0, 0)).toBe(true);
    expect(addSpike(d, 0, 1, 19.99)).toBe(true);
    expect(addSpike(d, 1, 1, 20)).toBe(true);
    expect(addSpike(d, 1, 1, 59.9)).toBe(true);
    expect(addSpike(d, 1, 0, 60)).toBe(false);
    expect(addSpike(d, 1, 0, -0.1)).toBe(false);
    expect(Array.from(d.counts)).toEqual([1, 1, 0, 0, 0, 0, /* trial 1 */ 0, 0, 0, 1, 0, 1]);
    expect(Array.from(populationVector(d, 1, 2))).toEqual([0, 1]);
    expect(() => addSpike(d, 2, 0, 1)).toThrow(RangeError);
    expect(() => createBinnedTrials(0, 3, 2, 20)).toThrow(RangeError);
  });
});

describe('similarity measures', () => {
  it('computes Pearson and cosine by hand and returns 0 for a constant or zero vector', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // a = (1, 0, 0, 1), b = (1, 1, 0, 0): deviations (.5,-.5,-.5,.5), (.5,.5,-.5,-.5): sum 0.
    expect(pearson([1, 0, 0, 1], [1, 1, 0, 0])).toBeCloseTo(0, 12);
    expect(pearson([2, 2, 2], [1, 2, 3])).toBe(0);
    expect(cosine([1, 0, 1], [1, 1, 0])).toBeCloseTo(0.5, 12);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });
});

describe('chanceErrorMs', () => {
  it('is the mean |b - c| binMs over all pairs of bins', () => {
    // 3 bins: |b - c| sums to 8 over the 9 pairs.
    expect(chanceErrorMs(3, 10)).toBeCloseTo(80 / 9, 12);
    for (const n of [1, 2, 7, 30]) {
      let s = 0;
      for (let b = 0; b < n; b++) for (let c = 0; c < n; c++) s += Math.abs(b - c) * 20;
      expect(chanceErrorMs(n, 20)).toBeCloseTo(s / (n * n), 10);
    }
  });
});

describe('decodeElapsedTime', () => {
  const metrics: TemplateMetric[] = ['correlation', 'cosine', 'euclidean'];

  it.each(metrics)('decodes a population of cells firing in known windows exactly (%s)', (metric) => {
    for (const width of [1, 3]) {
      const d = windowCode(4, 30, width);
      const r = decodeElapsedTime(d, { metric });
      expect(r.meanAbsErrorMs).toBe(0);
      expect(Array.from(r.perTrialAbsErrorMs)).toEqual([0, 0, 0, 0]);
      for (let b = 0; b < 30; b++) expect(r.confusion[b * 30 + b]).toBeCloseTo(1, 12);
    }
  });

  it.each(metrics)('decodes a time-invariant population exactly at chance (%s)', (metric) => {
    const d = createBinnedTrials(3, 25, 8, 20);
    for (let k = 0; k < 3; k++) for (let b = 0; b < 25; b++) for (let i = 0; i < 8; i++) d.counts[(k * 25 + b) * 8 + i] = i % 3;
    const r = decodeElapsedTime(d, { metric });
    expect(r.meanAbsErrorMs).toBeCloseTo(chanceErrorMs(25, 20), 10);
    expect(r.chanceMs).toBeCloseTo(chanceErrorMs(25, 20), 12);
    for (let j = 0; j < 25 * 25; j++) expect(r.confusion[j]).toBeCloseTo(1 / 25, 12);
    // The first and last bins are the worst guessed: mean |0 - c| = 20 * 24 / 2.
    expect(r.perBinAbsErrorMs[0]).toBeCloseTo(240, 10);
    expect(r.perBinAbsErrorMs[12]).toBeCloseTo((20 * 2 * (12 * 13) / 2) / 25, 10);
  });

  it('decodes a noisy time-invariant population near chance', () => {
    const d = stationaryPoisson(8, 30, 200, 0.5, 11);
    const r = decodeElapsedTime(d);
    expect(r.meanAbsErrorMs / r.chanceMs).toBeGreaterThan(0.8);
    expect(r.meanAbsErrorMs / r.chanceMs).toBeLessThan(1.2);
  });

  it('keeps the held-out trial out of its templates', () => {
    // Trial 0: cell i fires in bin i; trial 1: cell i fires in bin 3 - i. Held out, each trial is decoded with the
    // other's templates, so bin b reads as 3 - b: errors 30, 10, 10, 30 ms.
    const d = createBinnedTrials(2, 4, 4, 10);
    for (let i = 0; i < 4; i++) {
      addSpike(d, 0, i, i * 10 + 5);
      addSpike(d, 1, i, (3 - i) * 10 + 5);
    }
    const r = decodeElapsedTime(d);
    expect(Array.from(r.perBinAbsErrorMs)).toEqual([30, 10, 10, 30]);
    expect(r.meanAbsErrorMs).toBe(20);
    expect(r.confusion[0 * 4 + 3]).toBe(1);
    expect(errorInRange(r, 0, 20)).toBe(20);
    expect(errorInRange(r, 10, 30)).toBe(10);
    expect(errorInRange(r, 100, 200)).toBeNaN();
  });

  it('averages the error over tied templates', () => {
    // Bins 0 and 1 identical, bin 2 distinct: bins 0 and 1 each decode half to 0, half to 1 -> 5 ms; bin 2 exact.
    const d = createBinnedTrials(2, 3, 2, 10);
    for (let k = 0; k < 2; k++) {
      addSpike(d, k, 0, 1);
      addSpike(d, k, 0, 11);
      addSpike(d, k, 1, 21);
    }
    const r = decodeElapsedTime(d, { metric: 'euclidean' });
    expect(Array.from(r.perBinAbsErrorMs)).toEqual([5, 5, 0]);
    expect(r.meanAbsErrorMs).toBeCloseTo(10 / 3, 12);
  });

  it('rejects a single trial', () => {
    expect(() => decodeElapsedTime(createBinnedTrials(1, 3, 2, 10))).toThrow(RangeError);
  });
});

describe('similarity index, reproducibility, coding level', () => {
  it('gives C(t, t + 1) = 0 for disjoint windows and 1/2 for windows two bins wide', () => {
    const disjoint = similarityIndex(windowCode(2, 10, 1), 1);
    expect(disjoint.length).toBe(9);
    for (const c of disjoint) expect(c).toBe(0);
    // Width 2: bin t holds cells t - 1 and t (one spike each), bin t + 1 cells t and t + 1: cosine 1 / 2. Bin 0
    // holds only cell 0: C(0, 1) = 1 / sqrt(2).
    const w2 = similarityIndex(windowCode(2, 10, 2), 1);
    expect(w2[0]).toBeCloseTo(1 / Math.SQRT2, 12);
    for (let t = 1; t < 9; t++) expect(w2[t]).toBeCloseTo(0.5, 12);
    const lag0 = similarityIndex(windowCode(2, 10, 2), 0);
    for (const c of lag0) expect(c).toBeCloseTo(1, 12);
    expect(() => similarityIndex(windowCode(2, 10, 2), 10)).toThrow(RangeError);
  });

  it('builds the similarity matrix of the trial mean', () => {
    const d = windowCode(3, 5, 2);
    const s = similarityMatrix(trialMean(d), 5, 5);
    expect(s[2 * 5 + 2]).toBeCloseTo(1, 12);
    expect(s[2 * 5 + 3]).toBeCloseTo(0.5, 12);
    expect(s[3 * 5 + 2]).toBeCloseTo(0.5, 12);
    expect(s[1 * 5 + 4]).toBe(0);
  });

  it('reproducibility is 1 for identical trials and the cosine of the two trials otherwise', () => {
    for (const r of reproducibilityIndex(windowCode(3, 6, 2))) expect(r).toBeCloseTo(1, 12);
    const d = createBinnedTrials(2, 1, 2, 10);
    addSpike(d, 0, 0, 1);
    addSpike(d, 1, 0, 1);
    addSpike(d, 1, 1, 1);
    expect(reproducibilityIndex(d)[0]).toBeCloseTo(1 / Math.SQRT2, 12);
  });

  it('counts the coding level and the population rate per bin', () => {
    // 4 cells, 2 bins of 20 ms. Trial 0: bin 0 cell 0 fires twice; bin 1 cells 1, 2. Trial 1: bin 0 nothing; bin 1 cell 3.
    const d = createBinnedTrials(2, 2, 4, 20);
    addSpike(d, 0, 0, 1);
    addSpike(d, 0, 0, 2);
    addSpike(d, 0, 1, 25);
    addSpike(d, 0, 2, 25);
    addSpike(d, 1, 3, 39);
    expect(Array.from(codingLevel(d))).toEqual([0.125, 0.375]);
    // bin 0: (2 / 4 + 0) / 2 spikes per cell per 20 ms = 12.5 Hz; bin 1: (2 / 4 + 1 / 4) / 2 -> 18.75 Hz.
    const rate = populationRateHz(d);
    expect(rate[0]).toBeCloseTo(12.5, 12);
    expect(rate[1]).toBeCloseTo(18.75, 12);
  });
});
