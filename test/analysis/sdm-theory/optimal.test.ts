import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import {
  ballVolume,
  circleIntersection,
  criticalDistance,
  logBallFractions,
  logMemoryCapacity,
  logMemoryOptimalProbability,
  logSignalToNoiseSquared,
  logSnrOptimalProbability,
  nearestRadius,
  normalSf,
  optimalRadii,
  retrievalZScore,
} from '../../../src/analysis/sdm-theory/index.ts';
import { printed, published } from './published.ts';

const ref = published.optimal_radius_n64_attention_setting;
const LN_R = 64 * Math.LN2; // r = 2^64, every address
const argmax = (values: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

describe('optimal radii in the attention setting n = 64, r = 2^64, m = 1024', () => {
  const opt = optimalRadii(64, 'all', 1024);

  it('reproduces the published SNR, memory-capacity and critical-distance optimal radii', () => {
    expect(opt.snr.d).toBe(ref.signal_to_noise_optimal_d);
    expect(opt.memoryCapacity.d).toBe(ref.memory_capacity_optimal_d);
    expect(opt.criticalDistance.d).toBe(ref.critical_distance_optimal_d);
    for (const r of [2 ** 64, 2n ** 64n] as const) {
      const again = optimalRadii(64, r, 1024);
      const radii = (o: typeof opt) => [o.snr.d, o.memoryCapacity.d, o.criticalDistance.d];
      expect(radii(again)).toEqual(radii(opt));
    }
  });

  it('implies the published betas of those radii', () => {
    const betas = published.beta_fit;
    expect(Math.abs(opt.snr.beta! - betas['n=64,d=11'].published)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(opt.memoryCapacity.beta! - betas['n=64,d=5'].published)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(opt.criticalDistance.beta! - betas['n=64,d=15'].published)).toBeLessThanOrEqual(printed(6));
  });

  it('uses p* = (2 m r)^(-1/3) for the SNR optimum', () => {
    const pStar = (2 * 1024 * 2 ** 64) ** (-1 / 3);
    expect(opt.snr.targetProbability).toBeCloseTo(pStar, 20);
    expect(opt.snr.targetProbability / pStar).toBeCloseTo(1, 12);
  });

  it('the continuous optima land on the discrete maximisers of the same criteria', () => {
    const logF = logBallFractions(64);
    const snr = Array.from(logF, (lnP) => logSignalToNoiseSquared(lnP, LN_R, 1024));
    expect(argmax(snr)).toBe(opt.snr.d);
    const z = retrievalZScore(64, 0.5);
    const capacity = Array.from(logF, (lnP) => logMemoryCapacity(lnP, LN_R, z));
    expect(argmax(capacity)).toBe(opt.memoryCapacity.d);
  });

  it('p* maximises the noise-free SNR and the memory optimum maximises m_max', () => {
    const lnP = logSnrOptimalProbability(LN_R, 1024);
    for (const step of [-0.01, 0.01]) {
      expect(logSignalToNoiseSquared(lnP + step, LN_R, 1024)).toBeLessThan(logSignalToNoiseSquared(lnP, LN_R, 1024));
    }
    for (const [lnR, z] of [[LN_R, 2.3], [Math.log(1e6), 2.33], [Math.log(1e12), 3.6]] as const) {
      const lnQ = logMemoryOptimalProbability(lnR, z);
      for (const step of [-0.001, 0.001]) {
        expect(logMemoryCapacity(lnQ + step, lnR, z)).toBeLessThan(logMemoryCapacity(lnQ, lnR, z));
      }
    }
    // The cubic 2 r^2 p^3 - 3 r z^2 p^2 - z^2 = 0, checked in doubles where they suffice (r = 10^6).
    const r = 1e6;
    const z = 2.33;
    const p = Math.exp(logMemoryOptimalProbability(Math.log(r), z));
    expect((2 * r * r * p ** 3 - 3 * r * z * z * p * p - z * z) / (z * z)).toBeCloseTo(0, 10);
  });

  it('memory capacity uses z = Phi^-1(P^(1/n)); P = 0.5 is the published choice and 0.99 gives the same radius', () => {
    expect(opt.memoryCapacity.retrievalProbability).toBe(0.5);
    expect(opt.memoryCapacity.zScore).toBeCloseTo(2.298313131383402, 12);
    expect(opt.memoryCapacity.targetProbability).toBeCloseTo(1.979930592478041e-13, 25);
    expect(optimalRadii(64, 'all', 1024, { retrievalProbability: 0.99 }).memoryCapacity.d).toBe(5);
  });

  it('nearest radius is nearest on a log scale', () => {
    const logF = logBallFractions(64);
    const lnP = logSnrOptimalProbability(LN_R, 1024);
    expect(nearestRadius(logF, lnP)).toBe(11);
    // On a linear scale d = 10 would be (marginally) nearer: 2^-25 - F(10) < F(11) - 2^-25.
    expect(Math.exp(lnP) - Math.exp(logF[10]!)).toBeLessThan(Math.exp(logF[11]!) - Math.exp(lnP));
  });

  it('critical distance agrees with a direct evaluation of the read map and breaks the d = 15/16 tie by margin', () => {
    // Independent evaluation with exact counts: r p1(x) = I(64, d, x) and r p^2 = V^2 / 2^64 for r = 2^64.
    const direct = (d: number) => {
      const v = Number(ballVolume(64, d));
      const crosstalk = 1024 * (v * v / 2 ** 64) * (1 + v * v / 2 ** 64);
      const next = (x: number) => {
        const signal = Number(circleIntersection(64, d, x));
        return signal === 0 ? 32 : 64 * normalSf(signal / Math.sqrt(signal + crosstalk));
      };
      let x = 0;
      while (x < 32 && next(x + 1) < x + 1) x++;
      return { bits: x, next: next(x) };
    };
    for (let d = 0; d <= 64; d++) {
      const cd = criticalDistance(64, d, 'all', 1024);
      const want = direct(d);
      expect(cd.bits).toBe(want.bits);
      expect(cd.nextDistance).toBeCloseTo(want.next, 9);
    }
    const c15 = criticalDistance(64, 15, 'all', 1024);
    const c16 = criticalDistance(64, 16, 'all', 1024);
    expect(c15.bits).toBe(24);
    expect(c16.bits).toBe(24);
    expect(c15.margin).toBeGreaterThan(c16.margin);
    for (let d = 0; d <= 64; d++) expect(criticalDistance(64, d, 'all', 1024).bits).toBeLessThanOrEqual(24);
  });

  it('rejects invalid m, r and retrieval probability', () => {
    expect(() => optimalRadii(64, 'all', 0)).toThrow(InputError);
    expect(() => optimalRadii(64, 'all', 0)).toThrow(/--m/);
    expect(() => optimalRadii(64, 0, 1024)).toThrow(/--r/);
    expect(() => optimalRadii(64, 'all', 1024, { retrievalProbability: 1.5 })).toThrow(/--retrieval-probability/);
    expect(() => criticalDistance(64, 70, 'all', 1024)).toThrow(/--d/);
  });
});

describe('optimal radii at Kanerva scale', () => {
  it('n = 1000, r = 10^6: radii are near the classic 451 (its speed is measured by bench/sdm-theory.ts)', () => {
    const opt = optimalRadii(1000, 1_000_000, 1000);
    for (const d of [opt.snr.d, opt.memoryCapacity.d, opt.criticalDistance.d]) {
      expect(d).toBeGreaterThan(420);
      expect(d).toBeLessThan(480);
    }
    expect(opt.snr.targetProbability).toBeCloseTo((2 * 1000 * 1e6) ** (-1 / 3), 12);
  });
});
