/**
 * The climbing-fibre-gated rule against a plain reference written from its definition: for each PF spike in a write
 * window and each Purkinje cell k, -ltd if a CF spike to k came 0..window ticks after it, else +ltp, clipped.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CfGatedRule } from '../../src/models/plasticity/cf-gated.ts';

function reference(nPf: number, nPc: number, pf: Array<[number, number]>, cf: Array<[number, number]>, W: number, ltp: number, ltd: number, lo: number, hi: number) {
  const w = new Float64Array(nPf * nPc);
  // Changes are applied in the order the rule applies them: LTD when the CF arrives, LTP at the window's end.
  const events: Array<{ t: number; order: number; j: number; k: number; dw: number }> = [];
  pf.forEach(([t, j]) => {
    for (let k = 0; k < nPc; k++) {
      const pairing = cf.filter(([s, kk]) => kk === k && s >= t && s - t <= W).map(([s]) => s);
      if (pairing.length) events.push({ t: Math.min(...pairing), order: 0, j, k, dw: -ltd });
      else events.push({ t: Infinity, order: 1, j, k, dw: ltp });
    }
  });
  events.sort((a, b) => a.t - b.t || a.order - b.order);
  for (const e of events) w[e.j * nPc + e.k] = Math.min(hi, Math.max(lo, w[e.j * nPc + e.k]! + e.dw));
  return w;
}

describe('CfGatedRule', () => {
  it('matches the definition on random spike sequences (all-to-all PF -> PC, clipped)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5 })), { maxLength: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 3 })), { maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        (pfRaw, cfRaw, W, clip) => {
          const nPf = 6;
          const nPc = 4;
          // PF spikes are distinct (a PF fires at most once per tick) and arrive in time order.
          const pf = [...new Map(pfRaw.map(([t, j]) => [`${t}:${j}`, [t, j] as [number, number]])).values()].sort((a, b) => a[0] - b[0]);
          const cf = [...cfRaw].sort((a, b) => a[0] - b[0]);
          const rowPtr = Uint32Array.from({ length: nPf + 1 }, (_, i) => i * nPc);
          const col = Uint32Array.from({ length: nPf * nPc }, (_, s) => s % nPc);
          const weights = new Float32Array(nPf * nPc);
          const lo = clip ? -1 : -Infinity;
          const hi = clip ? 1 : Infinity;
          const rule = new CfGatedRule({ ltp: 1, ltd: 1, windowTicks: W, wMin: lo, wMax: hi }, { rowPtr, col, weights }, nPc);
          rule.openWindow();
          // Feed events tick by tick: PF spikes of tick t, then CF spikes of tick t (processed at the end of the tick).
          const last = Math.max(0, ...pf.map(([t]) => t), ...cf.map(([t]) => t));
          for (let t = 0; t <= last; t++) {
            for (const [tt, j] of pf) if (tt === t) rule.parallelFibreSpike(t, j);
            for (const [tt, k] of cf) if (tt === t) rule.climbingFibreSpike(t, k);
          }
          rule.closeWindow();
          const ref = reference(nPf, nPc, pf, cf, W, 1, 1, lo, hi);
          expect(Array.from(weights)).toEqual(Array.from(ref));
        },
      ),
    );
  });

  it('does nothing outside a write window', () => {
    const weights = new Float32Array(2);
    const rule = new CfGatedRule({ ltp: 1, ltd: 1, windowTicks: 2, wMin: -9, wMax: 9 }, { rowPtr: Uint32Array.of(0, 2), col: Uint32Array.of(0, 1), weights }, 2);
    rule.parallelFibreSpike(1, 0);
    rule.climbingFibreSpike(2, 0);
    rule.closeWindow();
    expect(Array.from(weights)).toEqual([0, 0]);
  });
});
