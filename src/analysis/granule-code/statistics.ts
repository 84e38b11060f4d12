/**
 * Statistics of a granule code over random addresses: its dimension (participation ratio), how much the codes of two
 * addresses overlap against chance, and how many granule cells ever fire.
 *
 * Participation ratio (Litwin-Kumar, Harris, Axel, Sompolinsky & Abbott 2017, Neuron 93:1153, "Optimal degrees of
 * synaptic connectivity"): PR = (tr C)^2 / tr(C^2), C the r x r covariance of granule activity x over addresses. PR is
 * r for independent units and counts each group of identical units once (r / 2 when every unit is duplicated).
 *
 * Estimator (no r x r matrix): P sample codes x_a and an independent sample of Q codes whose mean mu estimates m = E x.
 * With y_a = x_a - mu and G the P x P Gram matrix of the y (from the overlaps |A_a n A_b| through an inverted index,
 * or popcounts of bit sets for dense codes):
 *   tr C    = mean_a G_aa / (1 + 1/Q)                                               (E G_aa = tr C (1 + 1/Q))
 *   tr C^2  = (M - (tr C)^2 (Q - 1) / Q^3) / (1 + 2/Q + 2 (Q - 1) / Q^3),  M = mean_{a<b} G_ab^2.
 * Derivation: with delta = mu - m (covariance C / Q, independent of a and b), E[G_ab^2 | delta] =
 * sum_jl (C_jl + delta_j delta_l)^2 = tr C^2 + 2 delta' C delta + |delta|^4, and E[delta' C delta] = tr C^2 / Q,
 * E|delta|^4 = (Q - 1)((tr C)^2 + 2 tr C^2) / Q^3 + E|x - m|^4 / Q^3. The estimator removes these terms but the
 * last one, so its relative bias is O(PR / Q^3) (PR <= r): tr C^2 is slightly overestimated and PR underestimated,
 * by under 0.1% at r = 20,000, Q = 500. The uncorrected M would overestimate tr C^2 by about 2/Q + PR / Q^2 (8% at
 * PR = 20,000, Q = 500). PR itself is a ratio of estimates, with a further relative bias and spread of order
 * 1/P (for independent units the relative standard error of M is about 2 / P).
 */
import { popcount32, toBitset } from './capacity.ts';

export interface CodeStatistics {
  /** P, the codes the statistics are estimated from, and Q, the independent codes of the mean. */
  readonly samples: number;
  readonly meanSamples: number;
  /** Mean |A| / r over the P codes. */
  readonly codingLevel: number;
  readonly traceC: number;
  readonly traceC2: number;
  /** (tr C)^2 / tr C^2. */
  readonly participationRatio: number;
  /** Mean |A_a n A_b| over pairs a < b of the P codes. */
  readonly meanOverlap: number;
  /** Its value for independent random sets of the same sizes: mean |A_a| |A_b| / r (r f^2). */
  readonly chanceOverlap: number;
  /** meanOverlap / chanceOverlap (1 for independent codes). */
  readonly overlapRatio: number;
  /**
   * Coincidences: pairs a < b of the P codes and a cell active in both, sum_{a<b} |A_a n A_b|. tr C^2 is learnt from
   * them; with few (under 100 or so: codes nearly empty, f^2 r P^2 / 2 small) the PR estimate is noise.
   */
  readonly coincidences: number;
  /** Fraction of granule cells active in at least one of the P + Q codes. */
  readonly everActive: number;
}

/** Overlaps |A_a n A_b| of P codes, a P x P matrix (both triangles and the diagonal |A_a|). */
export function overlapMatrix(codes: readonly Uint32Array[], r: number): Uint32Array {
  const P = codes.length;
  const G = new Uint32Array(P * P);
  const counts = new Uint32Array(r + 1);
  for (const c of codes) for (let i = 0; i < c.length; i++) counts[c[i]! + 1]!++;
  let sparseCost = 0;
  for (let j = 1; j <= r; j++) sparseCost += (counts[j]! * (counts[j]! - 1)) / 2;
  const words = Math.ceil(r / 32);
  const denseCost = ((P * (P - 1)) / 2) * words * 2;
  if (sparseCost <= denseCost) {
    // Inverted index: for each cell, the codes it is active in (ascending), then every pair of them.
    for (let j = 1; j <= r; j++) counts[j]! += counts[j - 1]!;
    const start = counts.slice(0, r + 1);
    const list = new Uint32Array(counts[r]!);
    const fill = start.slice();
    codes.forEach((c, a) => {
      for (let i = 0; i < c.length; i++) list[fill[c[i]!]!++] = a;
    });
    for (let j = 0; j < r; j++) {
      const s = start[j]!;
      const e = start[j + 1]!;
      for (let p = s; p < e; p++) {
        const row = list[p]! * P;
        for (let q = p + 1; q < e; q++) G[row + list[q]!]!++;
      }
    }
    for (let a = 0; a < P; a++) {
      G[a * P + a] = codes[a]!.length;
      for (let b = a + 1; b < P; b++) G[b * P + a] = G[a * P + b]!;
    }
  } else {
    const bits = new Uint32Array(P * words);
    codes.forEach((c, a) => toBitset(c, r, bits.subarray(a * words, (a + 1) * words)));
    for (let a = 0; a < P; a++) {
      G[a * P + a] = codes[a]!.length;
      for (let b = a + 1; b < P; b++) {
        let o = 0;
        for (let q = 0, ia = a * words, ib = b * words; q < words; q++) {
          const x = bits[ia + q]! & bits[ib + q]!;
          if (x !== 0) o += popcount32(x);
        }
        G[a * P + b] = o;
        G[b * P + a] = o;
      }
    }
  }
  return G;
}

/**
 * Dimension, overlap and participation of a granule code, from P codes (`codes`) and Q independent ones
 * (`meanCodes`, for the mean), over r cells. P >= 2, Q >= 1.
 */
export function codeStatistics(codes: readonly Uint32Array[], meanCodes: readonly Uint32Array[], r: number): CodeStatistics {
  const P = codes.length;
  const Q = meanCodes.length;
  if (P < 2) throw new RangeError(`at least 2 sample codes needed, got ${P}`);
  if (Q < 1) throw new RangeError('at least 1 code for the mean needed');
  const mu = new Float64Array(r);
  const ever = new Uint8Array(r);
  for (const c of meanCodes)
    for (let i = 0; i < c.length; i++) {
      mu[c[i]!]! += 1 / Q;
      ever[c[i]!] = 1;
    }
  let muNorm = 0;
  for (let j = 0; j < r; j++) muNorm += mu[j]! * mu[j]!;
  const dotMu = new Float64Array(P);
  let sizeSum = 0;
  let sizeSq = 0;
  codes.forEach((c, a) => {
    let s = 0;
    for (let i = 0; i < c.length; i++) {
      s += mu[c[i]!]!;
      ever[c[i]!] = 1;
    }
    dotMu[a] = s;
    sizeSum += c.length;
    sizeSq += c.length * c.length;
  });
  const G = overlapMatrix(codes, r);
  let diag = 0;
  for (let a = 0; a < P; a++) diag += G[a * P + a]! - 2 * dotMu[a]! + muNorm;
  let m2 = 0;
  let overlap = 0;
  for (let a = 0; a < P; a++)
    for (let b = a + 1; b < P; b++) {
      const g = G[a * P + b]!;
      overlap += g;
      const y = g - dotMu[a]! - dotMu[b]! + muNorm;
      m2 += y * y;
    }
  const pairs = (P * (P - 1)) / 2;
  const traceC = diag / P / (1 + 1 / Q);
  const M = m2 / pairs;
  const traceC2 = (M - (traceC * traceC * (Q - 1)) / Q ** 3) / (1 + 2 / Q + (2 * (Q - 1)) / Q ** 3);
  const meanOverlap = overlap / pairs;
  const chanceOverlap = (sizeSum * sizeSum - sizeSq) / (P * (P - 1)) / r;
  let everActive = 0;
  for (let j = 0; j < r; j++) everActive += ever[j]!;
  return {
    samples: P,
    meanSamples: Q,
    codingLevel: sizeSum / P / r,
    traceC,
    traceC2,
    participationRatio: (traceC * traceC) / traceC2,
    meanOverlap,
    chanceOverlap,
    coincidences: overlap,
    overlapRatio: meanOverlap / chanceOverlap,
    everActive: everActive / r,
  };
}
