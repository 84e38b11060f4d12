import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng, streamId } from '../../../src/core/rng.ts';
import {
  capFraction,
  capIntersectionFraction,
  logCapFraction,
  logCapIntersectionFraction,
} from '../../../src/analysis/sdm-theory/index.ts';

/**
 * Monte Carlo reference: uniform points of S^(n-1) as normalised Gaussian vectors (CounterRng, fixed seed);
 * u1 = e1, u2 = cos θ e1 + sin θ e2. Returns the fraction within threshold t of both and its standard error.
 */
function monteCarlo(n: number, t: number, theta: number, samples: number, seed: number) {
  const rng = new CounterRng(seed);
  const stream = streamId('test:sdm-theory:sphere');
  let hits = 0;
  for (let i = 0; i < samples; i++) {
    let norm2 = 0;
    let g0 = 0;
    let g1 = 0;
    for (let k = 0; k < n; k++) {
      const g = rng.normal(stream, i, 0, k);
      norm2 += g * g;
      if (k === 0) g0 = g;
      if (k === 1) g1 = g;
    }
    const norm = Math.sqrt(norm2);
    if (g0 / norm >= t && (Math.cos(theta) * g0 + Math.sin(theta) * g1) / norm >= t) hits++;
  }
  const p = hits / samples;
  return { p, se: Math.sqrt((p * (1 - p)) / samples) };
}

describe('single spherical cap', () => {
  it("n = 3 is Archimedes' hat-box theorem and n = 2 is an arc", () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (t) => {
        expect(capFraction(3, t)).toBeCloseTo((1 - t) / 2, 13);
        expect(capFraction(2, t)).toBeCloseTo(Math.acos(t) / Math.PI, 13);
      }),
    );
  });
  it('complementary caps cover the sphere and the log form survives high dimensions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 2000 }), fc.double({ min: -1, max: 1, noNaN: true }), (n, t) => {
        expect(capFraction(n, t) + capFraction(n, -t)).toBeCloseTo(1, 12);
      }),
    );
    expect(Number.isFinite(logCapFraction(4096, 0.9))).toBe(true);
    expect(logCapFraction(4096, 0.9)).toBeLessThan(-1000);
  });
  it('matches Monte Carlo in n = 10', () => {
    const mc = monteCarlo(10, 0.3, 0, 100_000, 7);
    expect(Math.abs(capFraction(10, 0.3) - mc.p)).toBeLessThan(4 * mc.se);
  });
});

describe('intersection of two spherical caps', () => {
  it('at angle 0 the quadrature equals the single-cap closed form', () => {
    for (const n of [3, 4, 8, 64, 1000]) {
      for (const t of [-0.5, 0, 0.2, 0.6563, 0.95]) {
        expect(logCapIntersectionFraction(n, t, 0)).toBeCloseTo(logCapFraction(n, t), 9);
      }
    }
  });

  it('two hemispheres at angle θ share (π - θ) / 2π of the sphere, in any dimension', () => {
    for (const n of [3, 5, 16, 200]) {
      for (const theta of [0.1, 1, 2, 3]) {
        expect(capIntersectionFraction(n, 0, theta)).toBeCloseTo((Math.PI - theta) / (2 * Math.PI), 10);
      }
    }
  });

  it('matches Monte Carlo estimates with CounterRng', () => {
    for (const [n, t, theta] of [
      [6, 0.2, 1.0],
      [20, 0.1, 0.6],
      [3, -0.3, 2.5],
    ] as const) {
      const mc = monteCarlo(n, t, theta, 100_000, 11);
      expect(Math.abs(capIntersectionFraction(n, t, theta) - mc.p)).toBeLessThan(4 * mc.se);
    }
  });

  it('decreases with the angle and vanishes once the caps no longer overlap (θ >= 2 arccos t)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 300 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, t, u) => {
          const phi = Math.acos(t);
          const a = u * 2 * phi;
          expect(capIntersectionFraction(n, t, Math.min(a + 0.05, Math.PI))).toBeLessThanOrEqual(
            capIntersectionFraction(n, t, a) * (1 + 1e-9),
          );
          expect(capIntersectionFraction(n, t, a)).toBeLessThanOrEqual(capFraction(n, t) * (1 + 1e-9));
          expect(capIntersectionFraction(n, t, Math.min(2 * phi, Math.PI))).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
    expect(capIntersectionFraction(10, -1, 2)).toBeCloseTo(1, 12);
  });
});
