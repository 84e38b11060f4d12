import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bigintLn,
  lnGamma,
  logAddExp,
  logSumExp,
  normalQuantile,
  normalSf,
  regularizedIncompleteBeta,
} from '../../../src/analysis/sdm-theory/index.ts';

const factorial = (k: number): bigint => (k <= 1 ? 1n : BigInt(k) * factorial(k - 1));

describe('special functions', () => {
  it('lnGamma matches exact factorials and Γ(½) = √π', () => {
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    for (const k of [1, 2, 5, 10, 20, 100, 1000, 4096]) {
      const exact = bigintLn(factorial(k));
      expect(Math.abs(lnGamma(k + 1) - exact)).toBeLessThanOrEqual(1e-13 * Math.max(1, exact));
    }
  });

  it('normal tail matches known values and its quantile inverts it', () => {
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 15);
    expect(normalSf(5) / 2.866515718791939e-7).toBeCloseTo(1, 12);
    expect(normalSf(10) / 7.619853024160527e-24).toBeCloseTo(1, 11);
    expect(normalSf(-1)).toBeCloseTo(0.8413447460685429, 15);
    expect(normalSf(Infinity)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    // Φ(x) near 1 cannot resolve x (doubles step by 1.1e-16 there), so invert the lower tail and the centre.
    fc.assert(
      fc.property(fc.double({ min: -37, max: 3, noNaN: true }), (x) => {
        expect(normalQuantile(normalSf(-x))).toBeCloseTo(x, 9);
      }),
    );
  });

  it('regularized incomplete beta matches its closed forms and symmetry', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.1, max: 400, noNaN: true }),
        fc.double({ min: 0.1, max: 400, noNaN: true }),
        (x, a, b) => {
          expect(regularizedIncompleteBeta(x, 1, b)).toBeCloseTo(1 - (1 - x) ** b, 12);
          expect(regularizedIncompleteBeta(x, a, 1)).toBeCloseTo(x ** a, 12);
          // I_x(a, b) + I_(1-x)(b, a) = 1, passing the exact complement x of 1 - x (which may round to 1).
          expect(regularizedIncompleteBeta(x, a, b) + regularizedIncompleteBeta(1 - x, b, a, x)).toBeCloseTo(1, 11);
          // I_x(½, ½) = (2/π) asin √x, written with the complement near x = 1 where asin is ill-conditioned.
          const arcsine =
            x <= 0.5 ? (2 / Math.PI) * Math.asin(Math.sqrt(x)) : 1 - (2 / Math.PI) * Math.asin(Math.sqrt(1 - x));
          expect(regularizedIncompleteBeta(x, 0.5, 0.5)).toBeCloseTo(arcsine, 12);
        },
      ),
    );
  });

  it('log-sum-exp does not overflow', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(-1e4, 0)).toBe(0);
  });
});
