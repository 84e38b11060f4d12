import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Notebook } from '../../../../src/models/memory/cls/notebook.ts';
import { createTeacher, sampleData } from '../../../../src/models/memory/cls/teacher.ts';

/** max_i |a_i - b_i| */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const notebookArb = fc.record({
  m: fc.integer({ min: 20, max: 260 }),
  kFrac: fc.double({ min: 0.02, max: 0.3, noNaN: true }),
  p: fc.integer({ min: 1, max: 25 }),
  gamma: fc.double({ min: 0, max: 1.5, noNaN: true }),
  u: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  seed: fc.nat({ max: 100000 }),
});

function build({ m, kFrac, p, gamma, u, seed }: { m: number; kFrac: number; p: number; gamma: number; u: number; seed: number }): Notebook {
  const k = Math.max(1, Math.min(m - 1, Math.round(kFrac * m)));
  const data = sampleData(createTeacher({ kind: 'linear', n: 12, snr: 2 }, seed), p, 'train');
  return new Notebook({ m, a: k / m, gamma, u, kwtaCycles: 9, thresholdCycles: 9 }, data, seed);
}

describe('incremental field (event-driven updates)', () => {
  it('equals the dense recomputation W s after any sequence of flips', () => {
    fc.assert(
      fc.property(notebookArb, fc.array(fc.nat(), { minLength: 1, maxLength: 80 }), (spec, flips) => {
        const nb = build(spec);
        nb.fieldUpdate = 'incremental';
        nb.seedRandom(1, 1);
        for (const f of flips) {
          nb.flip(f % nb.m);
          expect(maxDiff(nb.field, nb.fullField(nb.state))).toBeLessThan(1e-9);
        }
        let active = 0;
        for (const v of nb.state) active += v;
        expect(nb.active).toBe(active);
      }),
      { numRuns: 60 },
    );
  });

  it('kWTA and threshold cycles give the same states and fields with column updates, with low-rank recomputation, and as the dense product', () => {
    fc.assert(
      fc.property(notebookArb, fc.nat({ max: 1000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (spec, slot, kinds) => {
        const a = build(spec);
        const b = build(spec);
        a.fieldUpdate = 'incremental';
        b.fieldUpdate = 'recompute';
        a.seedRandom(2, slot);
        b.seedRandom(2, slot);
        for (const kwta of kinds) {
          const fa = kwta ? a.kwtaStep() : a.thresholdStep();
          const fb = kwta ? b.kwtaStep() : b.thresholdStep();
          expect(fa).toBe(fb);
          expect(Array.from(a.state)).toEqual(Array.from(b.state));
          const dense = a.fullField(a.state);
          expect(maxDiff(a.field, dense)).toBeLessThan(1e-9);
          expect(maxDiff(b.field, dense)).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the low-rank field of a graded state equals the dense product', () => {
    fc.assert(
      fc.property(notebookArb, fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 260, maxLength: 260 }), (spec, vals) => {
        const nb = build(spec);
        const s = Float64Array.from(vals.slice(0, nb.m));
        expect(maxDiff(nb.lowRankField(s), nb.fullField(s))).toBeLessThan(1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('a settled network does no work: a cycle at a fixed point flips nothing and touches no column', () => {
    const nb = build({ m: 200, kFrac: 0.05, p: 5, gamma: 0.6, u: -0.15, seed: 3 });
    nb.setState(nb.pattern(2));
    const before = { ...nb.counters };
    expect(nb.kwtaStep()).toBe(0);
    expect(nb.thresholdStep()).toBe(0);
    expect(nb.counters.columnUpdates).toBe(before.columnUpdates);
    expect(nb.counters.recomputes).toBe(before.recomputes);
    expect(nb.counters.selections).toBe(before.selections);
  });
});
