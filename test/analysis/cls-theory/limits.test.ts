/**
 * Analytic limits of the learning curves: t = 0, t -> infinity (closed-form asymptotes, the alpha = 1 divergence and
 * its sqrt(T) growth), alpha -> 0 and alpha -> infinity, the Bayes-optimal ridge bound, the JSON's own form of Et,
 * and discrete descent -> gradient flow as eta -> 0.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import {
  MpQuadrature,
  alphaOneGrowth,
  discreteEtaMax,
  egAsymptote,
  egContinuous,
  egDiscrete,
  etAsymptote,
  etContinuous,
  etDiscrete,
  gdErrors,
  mpPointMass,
  optimalStopping,
  ridgeEg,
  signalNoise,
} from '../../../src/analysis/cls-theory/index.ts';

const cont = (alpha: number, snr: number, T: number) => gdErrors(alpha, snr, { kind: 'continuous', T });

describe('limits of the learning curves', () => {
  it('s_w^2 + s_e^2 = 1 and SNR = Infinity means no noise', () => {
    expect(signalNoise(4)).toEqual({ snr: 4, sw2: 0.8, se2: 0.2 });
    expect(signalNoise(Infinity)).toEqual({ snr: Infinity, sw2: 1, se2: 0 });
  });

  it('Eg(0) = Et(0) = s_w^2 + s_e^2 = 1 for every alpha and SNR, continuous and discrete', () => {
    for (const alpha of [0.3, 1, 3]) {
      for (const snr of [0.5, 4, Infinity]) {
        const p = cont(alpha, snr, 0);
        expect(p.eg).toBeCloseTo(1, 13);
        expect(p.et).toBeCloseTo(1, 13);
        expect(egDiscrete(alpha, snr, 0.1, 0)).toBeCloseTo(1, 13);
        expect(etDiscrete(alpha, snr, 0.1, 0)).toBeCloseTo(1, 13);
      }
    }
  });

  it('t -> infinity: Eg and Et reach the closed-form asymptotes (alpha != 1 has a spectral gap)', () => {
    for (const alpha of [0.2, 0.5, 0.9, 1.1, 2, 5]) {
      for (const snr of [0.3, 1, 4, Infinity]) {
        const T = 60 / (1 - Math.sqrt(alpha)) ** 2; // exp(-2 l- T) <= e^-120
        const p = cont(alpha, snr, T);
        expect(p.eg).toBeCloseTo(egAsymptote(alpha, snr), 10);
        expect(p.et).toBeCloseTo(etAsymptote(alpha, snr), 12);
      }
    }
    // explicit forms: s_w^2 (1 - alpha) + s_e^2 / (1 - alpha) below 1, s_e^2 alpha / (alpha - 1) above 1
    expect(egAsymptote(0.5, 1)).toBeCloseTo(0.5 * 0.5 + 0.5 / 0.5, 14);
    expect(egAsymptote(3, 4)).toBeCloseTo((0.2 * 3) / 2, 14);
    expect(etAsymptote(2, 1)).toBeCloseTo(0.25, 14);
    expect(etAsymptote(0.5, 1)).toBe(0);
  });

  it('alpha = 1: no early stopping means Eg -> infinity (double descent) growing as c sqrt(T)', () => {
    expect(egAsymptote(1, 1)).toBe(Infinity);
    expect(egAsymptote(1, Infinity)).toBe(0);
    expect(etAsymptote(1, 1)).toBe(0);
    for (const snr of [0.3, 1, 4]) {
      const c = alphaOneGrowth(snr);
      // c = s_e^2 (4 - 2 sqrt 2) / sqrt(pi); the difference quotient removes the O(1) term
      const T = 1e4;
      const slope = (cont(1, snr, 4 * T).eg - cont(1, snr, T).eg) / Math.sqrt(T);
      expect(Math.abs(slope / c - 1)).toBeLessThan(1e-3);
      expect(cont(1, snr, 1e6).eg).toBeGreaterThan(0.9 * c * 1e3);
    }
    // noiseless hard edge: Eg(T) = 1 / sqrt(2 pi T) (1 - 1/(32 T) + ...),
    // Et(T) = 1 / (4 sqrt(2 pi) T^{3/2}) (1 + O(1/T))
    for (const T of [1e3, 1e5]) {
      const p = cont(1, Infinity, T);
      expect(Math.abs(p.eg * Math.sqrt(2 * Math.PI * T) - 1)).toBeLessThan(1 / (16 * T));
      expect(Math.abs(p.et * 4 * Math.sqrt(2 * Math.PI) * T ** 1.5 - 1)).toBeLessThan(1 / T);
    }
  });

  it('alpha -> 0: nothing is learned, Eg = 1 at all times; alpha -> infinity: Eg -> s_e^2 at late times', () => {
    for (const T of [0.5, 5, 50]) expect(egContinuous(1e-6, 2, T)).toBeCloseTo(1, 5);
    for (const snr of [0.5, 4]) {
      const { se2 } = signalNoise(snr);
      expect(egContinuous(1e4, snr, 1)).toBeCloseTo(se2 * (1 + 1 / (1e4 - 1)), 10);
    }
  });

  it('Et equals the JSON form (1/alpha)[int rho (l sw2 + se2) e^{-2lT} + (1-alpha) se2] + (1-1/alpha) se2', () => {
    for (const alpha of [0.4, 1, 2.5]) {
      const q = new MpQuadrature(alpha);
      for (const snr of [0.5, 3]) {
        const { sw2, se2 } = signalNoise(snr);
        for (const T of [0.3, 3, 30]) {
          const integral = q.expect((l) => (l * sw2 + se2) * Math.exp(-2 * l * T), { nMin: 400 }).value;
          const json = (integral + mpPointMass(alpha) * se2) / alpha + (1 - 1 / alpha) * se2;
          expect(etContinuous(alpha, snr, T)).toBeCloseTo(json, 12);
        }
      }
    }
  });

  it('ridge with lambda = 1/SNR is Bayes-optimal: Eg_ridge <= Eg(t) at every t, equal to its spectral integral', () => {
    for (const alpha of [0.5, 1, 2]) {
      const q = new MpQuadrature(alpha);
      for (const snr of [0.25, 1, 4]) {
        const { sw2, se2 } = signalNoise(snr);
        const lambda = 1 / snr;
        // per mode s_w^2 lambda / (l + lambda); point mass: s_w^2
        const direct = se2 + sw2 * (lambda * q.expect((l) => 1 / (l + lambda)).value + mpPointMass(alpha));
        expect(ridgeEg(alpha, snr)).toBeCloseTo(direct, 12);
        const best = optimalStopping(alpha, snr, 0.05, 400).egAtTStar;
        expect(ridgeEg(alpha, snr)).toBeLessThanOrEqual(best + 1e-12);
        expect(best - ridgeEg(alpha, snr)).toBeLessThan(0.1); // early stopping is nearly optimal (Advani et al. 2020)
      }
    }
    expect(ridgeEg(0.25, Infinity)).toBeCloseTo(0.75, 14);
    expect(ridgeEg(2, Infinity)).toBe(0);
  });

  it('discrete descent tends to gradient flow as eta -> 0 at fixed T = eta t, with an O(eta) difference', () => {
    for (const snr of [1, Infinity]) {
      for (const T of [0.5, 2.5, 10]) {
        const diffs = [0.01, 0.005, 0.0025].map((eta) => {
          const t = Math.round(T / eta);
          return egDiscrete(1, snr, eta, t) - egContinuous(1, snr, T);
        });
        expect(Math.abs(diffs[2]!)).toBeLessThan(1e-3);
        expect(diffs[0]! / diffs[1]!).toBeGreaterThan(1.8);
        expect(diffs[0]! / diffs[1]!).toBeLessThan(2.2);
        expect(diffs[1]! / diffs[2]!).toBeGreaterThan(1.8);
        expect(diffs[1]! / diffs[2]!).toBeLessThan(2.2);
      }
    }
  });

  it('discrete descent needs eta < 2 / (1 + sqrt(alpha))^2', () => {
    expect(discreteEtaMax(1)).toBe(0.5);
    expect(() => egDiscrete(1, 1, 0.5, 10)).toThrow(InputError);
    expect(() => egDiscrete(1, 1, 0.1, 2.5)).toThrow(InputError);
    expect(Number.isFinite(egDiscrete(1, 1, 0.49, 1000))).toBe(true);
  });
});
