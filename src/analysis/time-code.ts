/**
 * Passage-of-time code of a population (eyeblink conditioning: a sustained conditioned stimulus must produce a
 * population code that changes with the time elapsed since its onset). Pure functions on spike counts binned per
 * trial, time bin and cell:
 *
 * - `createBinnedTrials` / `addSpike`: the input format, counts[trial][bin][cell] in one Float64Array.
 * - `decodeElapsedTime`: cross-validated template decoder. For each held-out trial, the templates are the mean
 *   population vectors of every bin over the other K - 1 trials; each bin of the held-out trial is decoded as the
 *   bin whose template is the most similar (Pearson correlation or cosine) or the nearest (Euclidean). Ties are
 *   resolved as a uniform guess among the tied bins (the error is averaged over them), so a time-invariant
 *   population decodes exactly at chance (`chanceErrorMs`).
 * - `similarityIndex`, `similarityMatrix`, `reproducibilityIndex`: the similarity index of Yamazaki & Tanaka
 *   (2005 Neural Networks 18:1032; 2007 Eur J Neurosci 26:2279), C(t1, t2) = sum_i z_i(t1) z_i(t2) /
 *   sqrt(sum_i z_i(t1)^2 sum_i z_i(t2)^2) (the cosine of the population vectors), and the reproducibility index
 *   (the same between trials at the same time).
 * - `codingLevel`, `populationRateHz`: fraction of cells active per bin and the population rate per bin.
 *
 * Imports nothing.
 */

/** Spike counts of `cells` cells in `bins` bins of `binMs` after stimulus onset, for `trials` trials. */
export interface BinnedTrials {
  readonly trials: number;
  readonly bins: number;
  readonly cells: number;
  /** Bin width (ms); bin b covers [b binMs, (b + 1) binMs) after onset. */
  readonly binMs: number;
  /** counts[(trial * bins + bin) * cells + cell]. */
  readonly counts: Float64Array;
}

/** Empty (all-zero) counts. */
export function createBinnedTrials(trials: number, bins: number, cells: number, binMs: number): BinnedTrials {
  for (const [name, v] of [['trials', trials], ['bins', bins], ['cells', cells]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (!(binMs > 0)) throw new RangeError(`binMs must be positive, got ${binMs}`);
  return { trials, bins, cells, binMs, counts: new Float64Array(trials * bins * cells) };
}

/**
 * Counts one spike of `cell` at `tMs` after stimulus onset in `trial` (mutates `data`). Spikes outside
 * [0, bins binMs) are ignored; returns whether the spike was counted.
 */
export function addSpike(data: BinnedTrials, trial: number, cell: number, tMs: number): boolean {
  if (tMs < 0 || !(tMs < data.bins * data.binMs)) return false;
  if (trial < 0 || trial >= data.trials || cell < 0 || cell >= data.cells) throw new RangeError(`trial ${trial} or cell ${cell} out of range`);
  const b = Math.min(data.bins - 1, Math.floor(tMs / data.binMs));
  data.counts[(trial * data.bins + b) * data.cells + cell]! += 1;
  return true;
}

/** The population vector of (trial, bin), a view into `data.counts`. */
export function populationVector(data: BinnedTrials, trial: number, bin: number): Float64Array {
  const o = (trial * data.bins + bin) * data.cells;
  return data.counts.subarray(o, o + data.cells);
}

/** Pearson correlation; 0 when either vector has zero variance (an uninformative, e.g. silent, vector). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`length mismatch ${n} vs ${b.length}`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let s = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    s += x * y;
    sa += x * x;
    sb += y * y;
  }
  return sa > 0 && sb > 0 ? s / Math.sqrt(sa * sb) : 0;
}

/** Cosine of the angle between two vectors (Yamazaki & Tanaka's similarity); 0 when either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`length mismatch ${n} vs ${b.length}`);
  let s = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    s += a[i]! * b[i]!;
    sa += a[i]! * a[i]!;
    sb += b[i]! * b[i]!;
  }
  return sa > 0 && sb > 0 ? s / Math.sqrt(sa * sb) : 0;
}

/** Negative squared Euclidean distance (larger is more similar). */
export function negSquaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`length mismatch ${n} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i]! - b[i]!) ** 2;
  return -s;
}

export type TemplateMetric = 'correlation' | 'cosine' | 'euclidean';

const METRICS: Record<TemplateMetric, (a: ArrayLike<number>, b: ArrayLike<number>) => number> = {
  correlation: pearson,
  cosine,
  euclidean: negSquaredDistance,
};

/**
 * Mean absolute error (ms) of a decoder that guesses a bin uniformly at random, averaged over true bins:
 * binMs (N^2 - 1) / (3 N) for N bins.
 */
export function chanceErrorMs(bins: number, binMs: number): number {
  return (binMs * (bins * bins - 1)) / (3 * bins);
}

/** Result of `decodeElapsedTime`. */
export interface TimeDecoding {
  readonly bins: number;
  readonly binMs: number;
  /** Mean over held-out trials and bins of |decoded - true| (ms); 0 is perfect. */
  readonly meanAbsErrorMs: number;
  /** Per true bin, mean over held-out trials of |decoded - true| (ms). */
  readonly perBinAbsErrorMs: Float64Array;
  /** Per held-out trial, mean over bins of |decoded - true| (ms). */
  readonly perTrialAbsErrorMs: Float64Array;
  /** confusion[true * bins + decoded]: fraction of held-out trials (ties split evenly) decoding `true` as `decoded`. */
  readonly confusion: Float64Array;
  /** The error of a uniform guess (`chanceErrorMs`). */
  readonly chanceMs: number;
}

/** Options of `decodeElapsedTime`. */
export interface DecodeOptions {
  /** Template similarity: Pearson correlation (default), cosine, or nearest in Euclidean distance. */
  readonly metric?: TemplateMetric;
  /** Relative tolerance within which two similarities count as tied (default 1e-12). */
  readonly tieTolerance?: number;
}

/**
 * Leave-one-trial-out template decoding of elapsed time. For each held-out trial k, the template of bin c is the
 * mean over the other trials of their population vector in bin c; bin b of trial k is decoded as the template most
 * similar to its population vector. Ties (within `tieTolerance`, relative) count as a uniform guess among the tied
 * bins. Needs at least 2 trials.
 */
export function decodeElapsedTime(data: BinnedTrials, options: DecodeOptions = {}): TimeDecoding {
  const { trials, bins, cells, binMs, counts } = data;
  if (trials < 2) throw new RangeError(`cross-validation needs at least 2 trials, got ${trials}`);
  const sim = METRICS[options.metric ?? 'correlation'];
  const tol = options.tieTolerance ?? 1e-12;
  // Sum over all trials per bin; the template without trial k is (sum - trial k) / (K - 1).
  const total = new Float64Array(bins * cells);
  for (let k = 0; k < trials; k++) {
    const base = k * bins * cells;
    for (let j = 0; j < bins * cells; j++) total[j]! += counts[base + j]!;
  }
  const templates = new Float64Array(bins * cells);
  const perBin = new Float64Array(bins);
  const perTrial = new Float64Array(trials);
  const confusion = new Float64Array(bins * bins);
  const scores = new Float64Array(bins);
  for (let k = 0; k < trials; k++) {
    const base = k * bins * cells;
    for (let j = 0; j < bins * cells; j++) templates[j] = (total[j]! - counts[base + j]!) / (trials - 1);
    let trialErr = 0;
    for (let b = 0; b < bins; b++) {
      const v = populationVector(data, k, b);
      let best = -Infinity;
      for (let c = 0; c < bins; c++) {
        const s = sim(v, templates.subarray(c * cells, (c + 1) * cells));
        scores[c] = s;
        if (s > best) best = s;
      }
      const thr = best - tol * Math.max(1, Math.abs(best));
      let nTied = 0;
      for (let c = 0; c < bins; c++) if (scores[c]! >= thr) nTied++;
      let err = 0;
      for (let c = 0; c < bins; c++) {
        if (scores[c]! < thr) continue;
        err += (Math.abs(c - b) * binMs) / nTied;
        confusion[b * bins + c]! += 1 / (nTied * trials);
      }
      perBin[b]! += err / trials;
      trialErr += err / bins;
    }
    perTrial[k] = trialErr;
  }
  let mean = 0;
  for (let b = 0; b < bins; b++) mean += perBin[b]! / bins;
  return { bins, binMs, meanAbsErrorMs: mean, perBinAbsErrorMs: perBin, perTrialAbsErrorMs: perTrial, confusion, chanceMs: chanceErrorMs(bins, binMs) };
}

/** Mean of `decoding.perBinAbsErrorMs` over the bins whose start lies in [fromMs, toMs). NaN when there is none. */
export function errorInRange(decoding: TimeDecoding, fromMs: number, toMs: number): number {
  let s = 0;
  let n = 0;
  for (let b = 0; b < decoding.bins; b++) {
    const t = b * decoding.binMs;
    if (t >= fromMs && t < toMs) {
      s += decoding.perBinAbsErrorMs[b]!;
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** The trial-averaged population vectors, mean[bin * cells + cell]. */
export function trialMean(data: BinnedTrials): Float64Array {
  const { trials, bins, cells, counts } = data;
  const m = new Float64Array(bins * cells);
  for (let k = 0; k < trials; k++) for (let j = 0; j < bins * cells; j++) m[j]! += counts[k * bins * cells + j]! / trials;
  return m;
}

/**
 * Yamazaki & Tanaka's similarity matrix of a sequence of population vectors (vectors[bin * cells + cell]):
 * S[t1 * bins + t2] = cosine(z(t1), z(t2)).
 */
export function similarityMatrix(vectors: Float64Array, bins: number, cells: number): Float64Array {
  if (vectors.length !== bins * cells) throw new RangeError(`expected ${bins * cells} values, got ${vectors.length}`);
  const s = new Float64Array(bins * bins);
  for (let a = 0; a < bins; a++) {
    for (let b = a; b < bins; b++) {
      const c = cosine(vectors.subarray(a * cells, (a + 1) * cells), vectors.subarray(b * cells, (b + 1) * cells));
      s[a * bins + b] = c;
      s[b * bins + a] = c;
    }
  }
  return s;
}

/**
 * Similarity index at a lag: for every t, the mean over trials of C(t, t + lagBins) computed within each trial
 * (length bins - lagBins). A code that keeps changing has C well below 1 at lags of tens of ms; a time-invariant
 * one stays near 1 (up to noise).
 */
export function similarityIndex(data: BinnedTrials, lagBins: number): Float64Array {
  if (!Number.isInteger(lagBins) || lagBins < 0 || lagBins >= data.bins) throw new RangeError(`lagBins must be in [0, ${data.bins}), got ${lagBins}`);
  const out = new Float64Array(data.bins - lagBins);
  for (let k = 0; k < data.trials; k++) {
    for (let t = 0; t + lagBins < data.bins; t++) {
      out[t]! += cosine(populationVector(data, k, t), populationVector(data, k, t + lagBins)) / data.trials;
    }
  }
  return out;
}

/**
 * Reproducibility index (Yamazaki & Tanaka 2007): per bin, the mean over pairs of distinct trials of the cosine
 * of their population vectors in that bin. Needs at least 2 trials.
 */
export function reproducibilityIndex(data: BinnedTrials): Float64Array {
  if (data.trials < 2) throw new RangeError(`needs at least 2 trials, got ${data.trials}`);
  const out = new Float64Array(data.bins);
  const pairs = (data.trials * (data.trials - 1)) / 2;
  for (let b = 0; b < data.bins; b++) {
    for (let k = 0; k < data.trials; k++) {
      for (let l = k + 1; l < data.trials; l++) out[b]! += cosine(populationVector(data, k, b), populationVector(data, l, b)) / pairs;
    }
  }
  return out;
}

/** Per bin, the mean over trials of the fraction of cells with at least one spike (the coding level). */
export function codingLevel(data: BinnedTrials): Float64Array {
  const out = new Float64Array(data.bins);
  for (let k = 0; k < data.trials; k++) {
    for (let b = 0; b < data.bins; b++) {
      const v = populationVector(data, k, b);
      let n = 0;
      for (let i = 0; i < data.cells; i++) if (v[i]! > 0) n++;
      out[b]! += n / data.cells / data.trials;
    }
  }
  return out;
}

/** Per bin, the mean firing rate of the population (Hz), averaged over trials. */
export function populationRateHz(data: BinnedTrials): Float64Array {
  const out = new Float64Array(data.bins);
  for (let k = 0; k < data.trials; k++) {
    for (let b = 0; b < data.bins; b++) {
      const v = populationVector(data, k, b);
      let n = 0;
      for (let i = 0; i < data.cells; i++) n += v[i]!;
      out[b]! += (n / data.cells) * (1000 / data.binMs) / data.trials;
    }
  }
  return out;
}
