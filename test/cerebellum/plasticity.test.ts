/**
 * The climbing-fibre-gated rule against a plain reference written from its definition: for each PF spike in a write
 * window and each Purkinje cell k, -ltd if a CF spike to k came 0..window ticks after it, else +ltp, clipped.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CfGatedRule } from '../../src/models/plasticity/cf-gated.ts';
import { ActivitySdm } from '../../src/models/memory/sdm/activity.ts';

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

  it('normalize: each window\'s net change is taken back evenly from the target\'s synapses (definition, several windows)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 5 })), { maxLength: 10 }),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 3 })), { maxLength: 6 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        fc.integer({ min: 0, max: 4 }),
        (windows, W) => {
          const nPf = 6;
          const nPc = 4;
          const rowPtr = Uint32Array.from({ length: nPf + 1 }, (_, i) => i * nPc);
          const col = Uint32Array.from({ length: nPf * nPc }, (_, s) => s % nPc);
          const weights = new Float32Array(nPf * nPc).fill(8);
          const rule = new CfGatedRule({ ltp: 0.5, ltd: 1, windowTicks: W, wMin: -Infinity, wMax: Infinity, normalize: true }, { rowPtr, col, weights }, nPc);
          const ref = new Float64Array(nPf * nPc).fill(8);
          for (const [pfRaw, cfRaw] of windows) {
            const pf = [...new Map(pfRaw.map(([t, j]) => [`${t}:${j}`, [t, j] as [number, number]])).values()].sort((a, b) => a[0] - b[0]);
            const cf = [...cfRaw].sort((a, b) => a[0] - b[0]);
            rule.openWindow();
            for (let t = 0; t <= 12; t++) {
              for (const [tt, j] of pf) if (tt === t) rule.parallelFibreSpike(t, j);
              for (const [tt, k] of cf) if (tt === t) rule.climbingFibreSpike(t, k);
            }
            rule.closeWindow();
            // The window's changes from the definition, then minus each column's mean change.
            const dw = reference(nPf, nPc, pf, cf, W, 0.5, 1, -Infinity, Infinity);
            for (let k = 0; k < nPc; k++) {
              let net = 0;
              for (let j = 0; j < nPf; j++) net += dw[j * nPc + k]!;
              for (let j = 0; j < nPf; j++) ref[j * nPc + k]! += dw[j * nPc + k]! - net / nPf;
            }
          }
          for (let s = 0; s < ref.length; s++) expect(weights[s]).toBeCloseTo(ref[s]!, 5);
          expect(rule.clipped).toBe(0);
        },
      ),
    );
  });

  it('normalize: weights after SDM writes are w0 minus the covariance-rule counters of ActivitySdm (spike counts)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 10, maxLength: 10 }), fc.uint8Array({ minLength: 5, maxLength: 5, max: 1 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 10, maxLength: 10 }),
        (writes, cue) => {
          const nPf = 10;
          const nPc = 5;
          const delta = 0.25;
          const w0 = 20;
          const rowPtr = Uint32Array.from({ length: nPf + 1 }, (_, i) => i * nPc);
          const col = Uint32Array.from({ length: nPf * nPc }, (_, s) => s % nPc);
          const weights = new Float32Array(nPf * nPc).fill(w0);
          const rule = new CfGatedRule({ ltp: delta, ltd: delta, windowTicks: 100, wMin: 0, wMax: Infinity, normalize: true }, { rowPtr, col, weights }, nPc);
          const sdm = new ActivitySdm(nPf, nPc, true);
          const activity = (counts: number[]) => {
            const cells = counts.flatMap((c, j) => (c > 0 ? [j] : []));
            return { cells, counts: cells.map((j) => counts[j]!) };
          };
          for (const [counts, value] of writes) {
            // A write: PF j spikes counts[j] times (ticks 0..3), then the CF of every 1-bit (tick 10).
            rule.openWindow();
            for (let t = 0; t < 4; t++) counts.forEach((c, j) => c > t && rule.parallelFibreSpike(t, j));
            value.forEach((b, k) => b && rule.climbingFibreSpike(10, k));
            rule.closeWindow();
            sdm.write(activity(counts), value);
          }
          expect(rule.clipped).toBe(0);
          // Read: the net PF drive sum_j a_j (w_jk - w0) is -delta times the centred SDM sum (up to the float32
          // rounding of weights near w0 = 20: about 2e-6 each).
          const s = sdm.sums(activity(cue));
          for (let k = 0; k < nPc; k++) {
            let drive = 0;
            cue.forEach((a, j) => (drive += a * (weights[j * nPc + k]! - w0)));
            expect(Math.abs(drive + delta * s[k]!)).toBeLessThan(5e-4);
          }
        },
      ),
    );
  });

  it('matches the definition on sparse rows with multapses, several windows, ltp != ltd and weights inside the bounds', () => {
    fc.assert(
      fc.property(
        // Row j of the CSR: the targets of PF j (sorted; repeats are multapses).
        fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 5 }), { minLength: 5, maxLength: 5 }),
        fc.array(
          fc.tuple(
            fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 4 })), { maxLength: 10 }),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 3 })), { maxLength: 6 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 25, maxLength: 25 }),
        (rows, windows, W, ltp, ltd, start) => {
          const nPc = 4;
          const sorted = rows.map((r) => [...r].sort((a, b) => a - b));
          const rowPtr = Uint32Array.from([0, ...sorted.map((r, i) => sorted.slice(0, i + 1).reduce((n, x) => n + x.length, 0))]);
          const col = Uint32Array.from(sorted.flat());
          const lo = -5;
          const hi = 5;
          const weights = Float32Array.from(col, (_, q) => start[q % start.length]!);
          const ref = Float64Array.from(weights);
          const rule = new CfGatedRule({ ltp, ltd, windowTicks: W, wMin: lo, wMax: hi }, { rowPtr, col, weights }, nPc);
          for (const [pfRaw, cfRaw] of windows) {
            const pf = [...new Map(pfRaw.map(([t, j]) => [`${t}:${j}`, [t, j] as [number, number]])).values()].sort((a, b) => a[0] - b[0]);
            const cf = [...cfRaw].sort((a, b) => a[0] - b[0]);
            rule.openWindow();
            for (let t = 0; t <= 14; t++) {
              for (const [tt, j] of pf) if (tt === t) rule.parallelFibreSpike(t, j);
              for (const [tt, k] of cf) if (tt === t) rule.climbingFibreSpike(t, k);
            }
            rule.closeWindow();
            // Definition, synapse by synapse: each PF spike at t depresses synapse s (onto k) once, at the first CF
            // spike to k in [t, t + W]; otherwise it potentiates s when the window closes. Changes clip one by one.
            const events: Array<{ t: number; order: number; s: number; dw: number }> = [];
            for (const [t, j] of pf) {
              for (let q = rowPtr[j]!; q < rowPtr[j + 1]!; q++) {
                const pairing = cf.filter(([c, k]) => k === col[q] && c >= t && c - t <= W).map(([c]) => c);
                events.push(pairing.length ? { t: Math.min(...pairing), order: 0, s: q, dw: -ltd } : { t: Infinity, order: 1, s: q, dw: ltp });
              }
            }
            events.sort((a, b) => a.t - b.t || a.order - b.order);
            for (const e of events) ref[e.s] = Math.min(hi, Math.max(lo, ref[e.s]! + e.dw));
          }
          expect(Array.from(weights)).toEqual(Array.from(ref));
        },
      ),
    );
  });
});
