/**
 * ActivitySdm (the algebraic SDM on a circuit's own granule codes) against two independent references: Kanerva's
 * counters in BinarySdm (plain sets), and the covariance rule written from its definition, which touches every
 * location on every write: C_jk += (2 v_k - 1)(a_j - |a| / r).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ActivitySdm } from '../../../../src/models/memory/sdm/activity.ts';
import { BinarySdm } from '../../../../src/models/memory/sdm/binary.ts';

const activityArb = (r: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: r - 1 }), { maxLength: r }).chain((cells) =>
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: cells.length, maxLength: cells.length }).map((counts) => ({ cells, counts })),
  );

describe('ActivitySdm', () => {
  it('with count-1 activities and no centring, reads what BinarySdm reads on the same active sets', () => {
    const r = 40;
    const w = 16;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uniqueArray(fc.integer({ min: 0, max: r - 1 }), { maxLength: 20 }), fc.uint8Array({ minLength: w, maxLength: w, max: 1 })), { minLength: 1, maxLength: 12 }), fc.uniqueArray(fc.integer({ min: 0, max: r - 1 }), { maxLength: 20 }), (writes, cue) => {
        const mine = new ActivitySdm(r, w, false);
        const peer = new BinarySdm({ n: 8, r, d: 0, valueBits: w, seed: 1, counterBits: 32, tie: 'zero' });
        for (const [cells, v] of writes) {
          mine.write({ cells }, v);
          peer.writeActive(Uint32Array.from(cells).sort(), v);
        }
        const sorted = Uint32Array.from(cue).sort();
        expect(Array.from(mine.read({ cells: sorted }))).toEqual(Array.from(peer.readActive(sorted).bits));
        expect(Array.from(mine.sums({ cells: sorted }))).toEqual(Array.from(peer.readActive(sorted).sums));
      }),
    );
  });

  it('centred: equals the covariance rule applied to every location, with spike counts', () => {
    const r = 30;
    const w = 8;
    fc.assert(
      fc.property(fc.array(fc.tuple(activityArb(r), fc.uint8Array({ minLength: w, maxLength: w, max: 1 })), { minLength: 1, maxLength: 10 }), activityArb(r), (writes, cue) => {
        const mine = new ActivitySdm(r, w, true);
        const C = new Float64Array(r * w);
        for (const [a, v] of writes) {
          mine.write(a, v);
          const dense = new Float64Array(r);
          a.cells.forEach((j, q) => (dense[j] = a.counts[q]!));
          const total = dense.reduce((x, y) => x + y, 0);
          for (let j = 0; j < r; j++) for (let k = 0; k < w; k++) C[j * w + k]! += (v[k] ? 1 : -1) * (dense[j]! - total / r);
        }
        const s = mine.sums(cue);
        for (let k = 0; k < w; k++) {
          let ref = 0;
          cue.cells.forEach((j, q) => (ref += cue.counts[q]! * C[j * w + k]!));
          expect(s[k]).toBeCloseTo(ref, 9);
        }
      }),
    );
  });

  it('rejects locations outside 0..r-1', () => {
    expect(() => new ActivitySdm(4, 2, false).write({ cells: [4] }, [1, 0])).toThrow(/cell 4/);
  });
});
