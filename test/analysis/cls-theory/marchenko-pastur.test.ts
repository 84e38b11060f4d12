/**
 * The Marchenko-Pastur density and its quadrature against exact moments, the closed-form resolvent and the density
 * itself integrated by an independent (slow, dense) rule.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import {
  MpQuadrature,
  mpDensity,
  mpEdges,
  mpLambdaResolvent,
  mpPointMass,
} from '../../../src/analysis/cls-theory/index.ts';

const ALPHAS = [0.01, 0.3, 0.999, 1, 1.001, 2, 5, 100];

describe('Marchenko-Pastur spectrum', () => {
  it('has edges (1 +- sqrt(alpha))^2 and point mass (1 - alpha)_+', () => {
    expect(mpEdges(4)).toEqual({ lMinus: 1, lPlus: 9 });
    expect(mpEdges(1)).toEqual({ lMinus: 0, lPlus: 4 });
    expect(mpPointMass(0.25)).toBe(0.75);
    expect(mpPointMass(2)).toBe(0);
  });

  it('density is zero outside [l-, l+] and ~ 1/(pi sqrt l) at the hard edge (alpha = 1)', () => {
    expect(mpDensity(2, 0.1)).toBe(0);
    expect(mpDensity(2, 6)).toBe(0);
    const l = 1e-8;
    expect(mpDensity(1, l) * Math.PI * Math.sqrt(l)).toBeCloseTo(1, 8);
  });

  for (const alpha of ALPHAS) {
    it(`quadrature reproduces mass, first two moments and the resolvent to 1e-13 (alpha = ${alpha})`, () => {
      const q = new MpQuadrature(alpha);
      const tol = 1e-13 * Math.max(1, alpha * (1 + alpha));
      // int rho = min(alpha, 1); int rho l = alpha (trace of X^T X / N); int rho l^2 = alpha (1 + alpha)
      expect(Math.abs(q.expect(() => 1).value - Math.min(alpha, 1))).toBeLessThan(1e-13);
      expect(Math.abs(q.expect((l) => l).value - alpha)).toBeLessThan(tol);
      expect(Math.abs(q.expect((l) => l * l).value - alpha * (1 + alpha))).toBeLessThan(tol);
      for (const lambda of [0.25, 1, 4]) {
        const direct = lambda * q.expect((l) => 1 / (l + lambda)).value + mpPointMass(alpha);
        expect(Math.abs(direct - mpLambdaResolvent(alpha, lambda))).toBeLessThan(1e-13);
      }
    });
  }

  it('agrees with a dense midpoint rule applied to rho(l) itself (independent of the theta substitution)', () => {
    // sqrt edges limit a plain rule in l to ~ n^{-3/2}: with 2e5 cells it is good to ~ 1e-6.
    for (const alpha of [0.5, 3]) {
      const { lMinus, lPlus } = mpEdges(alpha);
      const f = (l: number): number => Math.exp(-l) * Math.cos(l);
      const n = 200_000;
      const dl = (lPlus - lMinus) / n;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const l = lMinus + (i + 0.5) * dl;
        s += mpDensity(alpha, l) * f(l) * dl;
      }
      expect(new MpQuadrature(alpha).expect(f).value).toBeCloseTo(s, 6);
    }
  });

  it('converges geometrically: an exp(-2 l T) integrand at T = 1e4 is resolved with the resolution hint', () => {
    const q = new MpQuadrature(1);
    const T = 1e4;
    const r = q.expect((l) => Math.exp(-2 * l * T), { nMin: 16 + Math.sqrt(80 * T) });
    // hard edge: int rho e^{-2 l T} -> 1/sqrt(2 pi T) (1 - 1/(16 T) + ...)
    expect(r.value * Math.sqrt(2 * Math.PI * T)).toBeCloseTo(1, 4);
    expect(r.error).toBeLessThan(1e-14);
  });

  it('rejects bad alpha with an InputError', () => {
    expect(() => new MpQuadrature(0)).toThrow(InputError);
    expect(() => mpEdges(Number.NaN)).toThrow(InputError);
    expect(() => mpDensity(Infinity, 1)).toThrow(InputError);
  });
});
