import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../src/core/errors.ts';
import {
  ballFraction,
  ballVolume,
  bigintLn,
  bigRatio,
  circleIntersection,
  expectedNeurons,
  expectedNeuronsTable,
  intersectionTable,
  logBallFractions,
  logCircleIntersection,
  logIntersectionTable,
  neuronCount,
} from '../../../src/analysis/sdm-theory/index.ts';
import { printed, published } from './published.ts';

const popcount = (x: number): number => {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
};

/** Independent reference: enumerate all 2^n points and count those within d of both centres. */
function bruteIntersection(n: number, d: number, c1: number, c2: number): bigint {
  let count = 0n;
  for (let y = 0; y < 1 << n; y++) if (popcount(y ^ c1) <= d && popcount(y ^ c2) <= d) count++;
  return count;
}

/** C(n, k) by the textbook product, for the lune reference below. */
function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let c = 1n;
  for (let i = 1; i <= k; i++) c = (c * BigInt(n - k + i)) / BigInt(i);
  return c;
}

/**
 * Independent reference for large n (Kanerva 1988, app. B, the "lune" form used by the published
 * expected_intersection_lune): moving one centre a bit further loses I(dv) - I(dv+1) = C(dv, dv/2) C(n-dv-1, d-dv/2)
 * points when dv is even, and none when dv is odd; I(0) = V(n, d).
 */
function luneTable(n: number, d: number): bigint[] {
  let volume = 0n;
  for (let k = 0; k <= d; k++) volume += choose(n, k);
  const out = [volume];
  for (let dv = 0; dv < n; dv++) {
    const lune = dv % 2 === 0 ? choose(dv, dv / 2) * choose(n - dv - 1, d - dv / 2) : 0n;
    out.push(out[dv]! - lune);
  }
  return out;
}

describe('circle intersection I(n, d, dv)', () => {
  it('reproduces every published exact count for n = 64, d = 11', () => {
    const counts = published.circle_intersection['n=64,d=11'];
    const table = intersectionTable(64, 11);
    expect(Object.keys(counts)).toHaveLength(24);
    for (const [dv, value] of Object.entries(counts)) {
      expect(table[Number(dv)]!.toString()).toBe(value);
      expect(circleIntersection(64, 11, Number(dv)).toString()).toBe(value);
    }
    // The published table stops at its first zero (dv = 23 = 2d + 1); beyond it the intersection stays empty.
    expect(table.slice(23).every((x) => x === 0n)).toBe(true);
  });

  it('equals brute-force enumeration for random centres (n <= 12) and is symmetric in the centres', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.nat(n), fc.nat((1 << n) - 1), fc.nat((1 << n) - 1)),
        ),
        ([n, d, c1, c2]) => {
          const dv = popcount(c1 ^ c2);
          const brute = bruteIntersection(n, d, c1, c2);
          expect(bruteIntersection(n, d, c2, c1)).toBe(brute);
          expect(circleIntersection(n, d, dv)).toBe(brute);
          expect(intersectionTable(n, d)[dv]).toBe(brute);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('I(n, d, 0) is the ball volume, which matches enumeration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))),
        ([n, d]) => {
          let ball = 0n;
          for (let y = 0; y < 1 << n; y++) if (popcount(y) <= d) ball++;
          expect(ballVolume(n, d)).toBe(ball);
          expect(circleIntersection(n, d, 0)).toBe(ball);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))),
        ([n, d]) => {
          expect(intersectionTable(n, d)[0]).toBe(ballVolume(n, d));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('agrees with the lune recurrence of Kanerva (1988) for n up to 300', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))),
        ([n, d]) => {
          expect(intersectionTable(n, d)).toEqual(luneTable(n, d));
        },
      ),
      { numRuns: 40 },
    );
    expect(intersectionTable(1000, 451)).toEqual(luneTable(1000, 451));
  });

  it('is non-increasing in dv, and odd dv equals the next even dv (inclusive radius)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))),
        ([n, d]) => {
          const t = intersectionTable(n, d);
          for (let dv = 1; dv <= n; dv++) expect(t[dv]! <= t[dv - 1]!).toBe(true);
          for (let dv = 1; dv + 1 <= n; dv += 2) expect(t[dv]).toBe(t[dv + 1]);
          for (let dv = 2 * d + 1; dv <= n; dv++) expect(t[dv]).toBe(0n);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('log version agrees with the log of the exact count', () => {
    const close = (log: number, exact: bigint) => {
      const ref = bigintLn(exact);
      if (exact === 0n) expect(log).toBe(-Infinity);
      else expect(Math.abs(log - ref)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(ref)));
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n), fc.nat(n))),
        ([n, d, dv]) => {
          close(logCircleIntersection(n, d, dv), circleIntersection(n, d, dv));
        },
      ),
      { numRuns: 200 },
    );
    const exact = intersectionTable(1000, 451);
    const logs = logIntersectionTable(1000, 451);
    exact.forEach((x, dv) => close(logs[dv]!, x));
    for (const dv of [0, 1, 500, 1000, 2047, 3801]) {
      close(logCircleIntersection(4096, 1900, dv), circleIntersection(4096, 1900, dv));
    }
  });

  it('ball fractions in logs match the exact ratio', () => {
    const logs = logBallFractions(300);
    for (const d of [0, 1, 100, 149, 150, 299, 300]) {
      expect(logs[d]!).toBeCloseTo(Math.log(ballFraction(300, d)), 10);
    }
    expect(logs[300]).toBeCloseTo(0, 12);
  });
});

describe('Kanerva scale (n = 1000, d = 451, r = 10^6)', () => {
  const ref = published.kanerva_scale;
  it('fraction of the space within radius 451', () => {
    expect(Math.abs(ballFraction(1000, 451) - ref.fraction_of_space_within_radius)).toBeLessThanOrEqual(printed(8));
  });
  it('expected active locations per address', () => {
    const want = ref.expected_active_locations_per_address;
    expect(Math.abs(expectedNeurons(1000, 451, 0, 1_000_000) - want)).toBeLessThanOrEqual(printed(2));
    expect(Math.abs(expectedNeurons(1000, 451, 0, 1_000_000n) - want)).toBeLessThanOrEqual(printed(2));
  });
});

describe('expected neurons r I / 2^n', () => {
  it("is I itself for r = 'all' and the same for r = 2^n given as number or BigInt", () => {
    const table = intersectionTable(64, 11);
    const all = expectedNeuronsTable(64, 11, 'all');
    expect(all).toEqual(table.map(Number));
    expect(expectedNeuronsTable(64, 11, 2 ** 64)).toEqual(all);
    expect(expectedNeuronsTable(64, 11, 2n ** 64n)).toEqual(all);
    expect(expectedNeurons(64, 11, 5, 'all')).toBe(Number(table[5]));
  });
  it('scales linearly in r', () => {
    const base = expectedNeuronsTable(200, 80, 1);
    const scaled = expectedNeuronsTable(200, 80, 1_000_000);
    base.forEach((b, dv) => expect(scaled[dv]!).toBeCloseTo(b * 1e6, 6));
  });
});

describe('BigInt helpers', () => {
  it('bigRatio rounds huge ratios correctly, including subnormal results', () => {
    expect(bigRatio(3n * 2n ** 2000n, 2n ** 2001n)).toBe(1.5);
    expect(bigRatio(1n, 2n ** 1070n)).toBe(2 ** -1070);
    expect(bigRatio(10n ** 400n, 10n ** 399n)).toBe(10);
    expect(bigRatio(2n, 3n)).toBe(2 / 3);
    expect(bigRatio(0n, 7n)).toBe(0);
  });
  it('bigintLn is exact to double precision at any size', () => {
    expect(bigintLn(10n ** 400n)).toBeCloseTo(400 * Math.LN10, 10);
    expect(bigintLn(12345n)).toBe(Math.log(12345));
  });
});

describe('input validation', () => {
  const where = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as InputError).where;
    }
    throw new Error('expected an InputError');
  };
  it('names the argument that is wrong', () => {
    expect(where(() => circleIntersection(0, 0, 0))).toBe('--n');
    expect(where(() => circleIntersection(2.5, 0, 0))).toBe('--n');
    expect(where(() => circleIntersection(64, 65, 0))).toBe('--d');
    expect(where(() => circleIntersection(64, -1, 0))).toBe('--d');
    expect(where(() => intersectionTable(64, 3.5))).toBe('--d');
    expect(where(() => circleIntersection(64, 11, 65))).toBe('--dv');
    expect(where(() => neuronCount(64, 0))).toBe('--r');
    expect(where(() => neuronCount(64, 1.5))).toBe('--r');
    expect(where(() => neuronCount(64, -3n))).toBe('--r');
    expect(where(() => neuronCount(64, 'every' as 'all'))).toBe('--r');
  });
});
