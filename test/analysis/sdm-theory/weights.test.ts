import { describe, expect, it } from 'vitest';
import { bigRatio, compareWeights, intersectionTable } from '../../../src/analysis/sdm-theory/index.ts';
import { printed, published } from './published.ts';

const ref = published.softmax_vs_sdm_weights_n64_d11;
const beta = published.beta_fit['n=64,d=11'].published;

describe('SDM vs softmax weights on the grid dv = 0..64 (n = 64, d = 11)', () => {
  const cmp = compareWeights(64, 11, beta);

  // Independent references: SDM weights as exact BigInt ratios, softmax weights by plain doubles.
  const exact = intersectionTable(64, 11);
  const total = exact.reduce((s, x) => s + x, 0n);
  const sdmRef = exact.map((x) => bigRatio(x, total));
  const logits = Array.from({ length: 65 }, (_, dv) => beta * (1 - (2 * dv) / 64));
  const z = logits.reduce((s, l) => s + Math.exp(l), 0);
  const softmaxRef = logits.map((l) => Math.exp(l) / z);

  it('reproduces the published weights at dv = 0 and the KL divergence', () => {
    expect(Math.abs(cmp.sdm[0]! - ref.sdm_weight_dv0)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(cmp.softmax[0]! - ref.softmax_weight_dv0)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(cmp.klDivergence - ref.kl_divergence)).toBeLessThanOrEqual(printed(4));
  });

  it('matches exact and direct computations of both weight vectors', () => {
    cmp.sdm.forEach((w, dv) => expect(w).toBeCloseTo(sdmRef[dv]!, 12));
    cmp.softmax.forEach((w, dv) => expect(w).toBeCloseTo(softmaxRef[dv]!, 12));
    let kl = 0;
    sdmRef.forEach((w, dv) => (kl += w > 0 ? w * Math.log(w / softmaxRef[dv]!) : 0));
    expect(cmp.klDivergence).toBeCloseTo(kl, 12);
  });

  it('reports the largest difference and where the exponential approximation breaks down', () => {
    const diffs = sdmRef.map((w, dv) => Math.abs(w - softmaxRef[dv]!));
    const max = Math.max(...diffs);
    expect(cmp.maxAbsDifference).toBeCloseTo(max, 12);
    expect(cmp.maxAbsDifferenceDv).toBe(diffs.indexOf(max));
    const outside = sdmRef.findIndex((w, dv) => w / softmaxRef[dv]! > 2 || w / softmaxRef[dv]! < 0.5);
    expect(cmp.ratioFactor).toBe(2);
    expect(cmp.firstDvRatioOutside).toBe(outside);
    // The published table's first zero count is at dv = 23.
    expect(cmp.firstDvZeroIntersection).toBe(23);
    expect(published.circle_intersection['n=64,d=11']['23']).toBe('0');
    expect(compareWeights(64, 11, beta, { ratioFactor: 1e6 }).firstDvRatioOutside).toBeGreaterThan(outside);
  });

  it('weights are distributions', () => {
    expect(cmp.sdm.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 14);
    expect(cmp.softmax.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 14);
  });
});
