import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../src/core/errors.ts';
import { circleIntersection, fitBeta, fitLogLinear } from '../../../src/analysis/sdm-theory/index.ts';
import { printed, published } from './published.ts';

/** The published code's slope, written out as numpy computes it: np.cov(x, y)[0][1] / np.var(x). */
function numpyPublishedSlope(x: number[], y: number[]): number {
  const count = x.length;
  const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / count;
  const mx = mean(x);
  const my = mean(y);
  const cov = x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0) / (count - 1);
  const varX = x.reduce((s, xi) => s + (xi - mx) ** 2, 0) / count;
  return cov / varX;
}

describe('beta fit of ln I(dv) against cos(dv) = 1 - 2 dv / n over dv = 0..d-1', () => {
  for (const d of [5, 11, 15] as const) {
    const ref = published.beta_fit[`n=64,d=${d}`];
    it(`reproduces both published betas for n = 64, d = ${d}`, () => {
      const fit = fitBeta(64, d);
      expect(Math.abs(fit.published - ref.published)).toBeLessThanOrEqual(printed(6));
      expect(Math.abs(fit.leastSquares - ref.least_squares)).toBeLessThanOrEqual(printed(6));
      expect(fit.points).toBe(d);
    });
  }

  it('uses the labelled conventions: published = numpy cov(ddof=1)/var(ddof=0) = least squares * N/(N-1)', () => {
    const x = Array.from({ length: 11 }, (_, dv) => 1 - (2 * dv) / 64);
    const y = x.map((_, dv) => Math.log(Number(circleIntersection(64, 11, dv))));
    const fit = fitLogLinear(x, y);
    expect(fit.published).toBeCloseTo(numpyPublishedSlope(x, y), 10);
    expect(fit.published).toBeCloseTo((fit.leastSquares * 11) / 10, 12);
  });

  it('recovers an exact line in the least-squares convention', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.integer({ min: 2, max: 40 }),
        (slope, intercept, count) => {
          const x = Array.from({ length: count }, (_, i) => 1 - (2 * i) / 64);
          const fit = fitLogLinear(
            x,
            x.map((xi) => intercept + slope * xi),
          );
          expect(fit.leastSquares).toBeCloseTo(slope, 8);
          expect(fit.interceptLeastSquares).toBeCloseTo(intercept, 8);
          expect(fit.published).toBeCloseTo((slope * count) / (count - 1), 8);
        },
      ),
    );
  });

  it('needs two distances: d < 2 is an input error', () => {
    expect(() => fitBeta(64, 1)).toThrow(InputError);
    expect(() => fitBeta(64, 0)).toThrow(/--d/);
  });
});
