/**
 * Conditioning measures (src/analysis/conditioning.ts) on PSTHs whose answers can be worked out by hand: the Poisson
 * CR criterion at its boundary, block fractions, the peak of a bump placed at a known time, and the Purkinje pause.
 */
import { describe, expect, it } from 'vitest';
import { baselineRate, conditionedResponse, countIn, crFraction, meanPsth, pauseRatio, type Psth, responsePeakMs } from '../../src/analysis/conditioning.ts';

const W = { csOnsetMs: 100, isiMs: 300, baselineMs: 100, crWindowMs: 30 };

/** 10 ms bins over 600 ms, `base` spikes per bin, then `extra` added at the given bins. */
function psth(base: number, extra: Record<number, number> = {}): Psth {
  const counts = new Float64Array(60).fill(base);
  for (const [b, x] of Object.entries(extra)) counts[Number(b)]! += x;
  return { binMs: 10, counts };
}

describe('conditioning measures', () => {
  it('counts over bin-aligned windows and refuses others', () => {
    const p = psth(1, { 3: 4 });
    expect(countIn(p, 0, 50)).toBe(9);
    // Baseline [0, 100) ms: ten bins of 1 and the 4 extra in bin 3.
    expect(baselineRate(p, W)).toBeCloseTo(14 / 100, 12);
    expect(() => countIn(p, 5, 50)).toThrow(/bin edges/);
    expect(() => countIn(p, 0, 700)).toThrow(/covers 600 ms/);
  });

  it('a CR is a count above baseline + 2 Poisson SDs in the 30 ms before the US, and not one spike less', () => {
    // Baseline 1 per 10 ms: 3 expected in the CR window (bins 37-39, 370-400 ms); the bound is 3 + 2 sqrt(3) = 6.46.
    const at = (k: number) => psth(1, { 37: k, 38: 0, 39: 0 });
    expect(conditionedResponse(at(4), W).cr).toBe(true); // 7 spikes
    expect(conditionedResponse(at(3), W).cr).toBe(false); // 6 spikes
    expect(conditionedResponse(at(3), W, 1.5).cr).toBe(true); // 6 > 3 + 1.5 sqrt(3) = 5.60
    // A silent baseline still needs more than 2 spikes (sqrt(max(lambda, 1)) = 1).
    expect(conditionedResponse(psth(0, { 38: 2 }), W).cr).toBe(false);
    expect(conditionedResponse(psth(0, { 38: 3 }), W).cr).toBe(true);
    // A bump after the US is not a CR.
    expect(conditionedResponse(psth(1, { 40: 20 }), W).cr).toBe(false);
  });

  it('the CR fraction of a block', () => {
    const block = [psth(1, { 38: 10 }), psth(1, { 39: 10 }), psth(1), psth(1, { 37: 10 })];
    expect(crFraction(block, W)).toBe(0.75);
  });

  it('finds the peak of a bump at a known time, after smoothing, inside the analysis window only', () => {
    // A symmetric bump centred on bin 34 (340-350 ms, 245 ms after CS onset at 100 ms).
    const bump = psth(1, { 32: 2, 33: 4, 34: 6, 35: 4, 36: 2 });
    expect(responsePeakMs([bump, bump], W, 30)).toBe(245);
    // Averaging two trials whose bumps straddle bin 34 gives the same centre.
    expect(responsePeakMs([psth(1, { 33: 6 }), psth(1, { 35: 6 })], W, 30)).toBe(245);
    // A larger bump 60 ms after the US counts only when the window reaches it.
    const late = psth(1, { 20: 3, 46: 12 });
    expect(responsePeakMs([late], W, 10)).toBe(105);
    expect(responsePeakMs([late], W, 10, 100)).toBe(365);
    expect(responsePeakMs([psth(1)], W, 30)).toBeNull();
  });

  it('the Purkinje pause: CR-window rate over an early-CS reference', () => {
    const pc = psth(5, { 37: -4, 38: -4, 39: -4 });
    expect(pauseRatio([pc], W, 50)).toBeCloseTo(0.2, 12);
    expect(pauseRatio([psth(5)], W, 50)).toBe(1);
    expect(Number.isNaN(pauseRatio([psth(0)], W, 50))).toBe(true);
    expect(meanPsth([psth(1), psth(3)]).counts[0]).toBe(2);
  });
});
