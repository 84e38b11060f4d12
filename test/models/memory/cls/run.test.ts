import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.ts';
import { optimalStopping } from '../../../../src/analysis/cls-theory/index.ts';
import { clsParams } from '../../../../src/models/memory/cls/params.ts';
import { runCls, type ClsEvent } from '../../../../src/models/memory/cls/run.ts';

function firstBelow(curve: Float64Array, level: number): number {
  return Array.from(curve).findIndex((v) => v < level);
}

function argmin(curve: ArrayLike<number>): number {
  let best = 0;
  for (let e = 1; e < curve.length; e++) if (curve[e]! < curve[best]!) best = e;
  return best;
}

describe('full model at SNR = Infinity (M = 2000, P = 100, eta = 0.015)', () => {
  it('the student memory error falls below the notebook after ~100-130 epochs, 10-40% later than with perfect replay', () => {
    // go_cls.json full_model_expectations; perfect replay of the same data is the closed-form reference (student.test.ts)
    const params = clsParams({ student: { epochs: 170 } });
    for (const seed of [1, 2]) {
      const r = runCls(params, seed);
      const nb = r.curves.notebook_train;
      expect(r.notebook_exact_recalls).toBe(100);
      const cross = firstBelow(r.curves.student_train, nb);
      const perfect = runCls(params, seed, { kind: 'unregulated' }, undefined, { replay: 'perfect' });
      const crossPerfect = firstBelow(perfect.curves.student_train, nb);
      console.log(`seed ${seed}: notebook memory error ${nb.toFixed(4)}, student below it from epoch ${cross} (perfect replay ${crossPerfect})`);
      expect(cross).toBeGreaterThan(85);
      expect(cross).toBeLessThan(165);
      expect(cross / crossPerfect).toBeGreaterThan(1);
      expect(cross / crossPerfect).toBeLessThan(1.4);
      // combined memory error: the better of the two
      for (let e = 0; e <= 170; e++) expect(r.curves.combined_train[e]).toBe(Math.min(r.curves.student_train[e]!, nb));
      expect(r.reactivations.stored / (170 * 100)).toBeGreaterThan(0.99);
    }
  });
});

describe('regimes at SNR = 0.05 (M = 1000)', () => {
  const params = clsParams({ teacher: { kind: 'linear', n: 100, snr: 0.05 }, notebook: { m: 1000 }, student: { epochs: 150 } });
  const theory = optimalStopping(1, 0.05, 0.015, 150, true);

  it('unregulated replay overfits: the generalization error passes its minimum and ends above 1; the oracle stops at that minimum', () => {
    for (const seed of [1, 2]) {
      const r = runCls(params, seed, { kind: 'generalization-optimized', tStar: { source: 'oracle' } });
      const un = r.unregulated!.student_test;
      const tMin = argmin(un);
      expect(tMin).toBeLessThan(15);
      expect(un[150]).toBeGreaterThan(1);
      expect(un[150]).toBeGreaterThan(un[tMin]! + 0.2);
      expect(r.t_star).toBe(tMin);
      expect(r.stopped_at).toBe(tMin);
      for (let e = tMin; e <= 150; e++) expect(r.curves.student_test[e]).toBe(un[tMin]);
      expect(Math.abs(tMin - theory.tStar)).toBeLessThan(10);
    }
  });

  it('generalization-optimized with t* from theory stops there and keeps Eg near its minimum', () => {
    expect(theory.tStar).toBe(3);
    const events: ClsEvent[] = [];
    const r = runCls(params, 1, { kind: 'generalization-optimized', tStar: { source: 'given', tStar: theory.tStar } }, (e) => events.push(e));
    expect(r.stopped_at).toBe(3);
    expect(events.filter((e) => e.kind === 'replay')).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'reactivation')).toHaveLength(300);
    const stop = events.find((e) => e.kind === 'consolidation-stop');
    expect(stop).toEqual({ kind: 'consolidation-stop', epoch: 3, t_star: 3, source: 'given' });
    expect(r.curves.student_test[150]).toBe(r.curves.student_test[3]);
    expect(r.curves.student_test[150]).toBeLessThan(1.05);
  });

  it('generalization-optimized with t* estimated from held-out notebook memories stops early and generalizes better than unregulated', () => {
    for (const seed of [1, 2]) {
      const events: ClsEvent[] = [];
      const r = runCls(params, seed, { kind: 'generalization-optimized', tStar: { source: 'held-out', fraction: 0.2, patience: 60 } }, (e) => events.push(e), {
        reactivationEvents: false,
      });
      const v = r.curves.validation!;
      expect(r.t_star).toBe(argmin(v.subarray(0, r.t_star! + 61)));
      expect(r.t_star).toBeLessThan(40);
      expect(r.reactivations.held_out_dropped).toBeGreaterThan(0);
      expect(r.curves.student_test[150]).toBeLessThan(1.2);
      const stop = events.find((e) => e.kind === 'consolidation-stop');
      expect(stop).toMatchObject({ kind: 'consolidation-stop', t_star: r.t_star, source: 'held-out' });
      console.log(`held-out t* (seed ${seed}): ${r.t_star}, Eg there ${r.curves.student_test[150]!.toFixed(3)} (theory t* ${theory.tStar})`);
    }
  });
});

describe('runCls bookkeeping', () => {
  const small = clsParams({ notebook: { m: 600 }, p: 20, pTest: 200, student: { epochs: 30 } });

  it('is deterministic in its seed and streams events in order', () => {
    const ev: ClsEvent[] = [];
    const a = runCls(small, 7, { kind: 'unregulated' }, (e) => ev.push(e));
    const b = runCls(small, 7);
    expect(Array.from(a.curves.student_test)).toEqual(Array.from(b.curves.student_test));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(ev[0]).toMatchObject({ kind: 'encoding', epoch: 0, memories: 20 });
    expect(ev.at(-1)).toEqual({ kind: 'done', epoch: 30 });
    expect(ev.filter((e) => e.kind === 'reactivation')).toHaveLength(30 * 20);
    const replays = ev.filter((e) => e.kind === 'replay');
    expect(replays.map((e) => e.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const e of replays) if (e.kind === 'replay') expect(e.student_test).toBe(a.curves.student_test[e.epoch]);
    let last = 0;
    for (const e of ev) {
      expect(e.epoch).toBeGreaterThanOrEqual(last);
      last = e.epoch;
    }
  });

  it('scores are 1 - error / error of the zero student; a lesion freezes the student and removes the notebook', () => {
    const r = runCls(small, 8, { kind: 'unregulated' }, undefined, { lesionAt: 12 });
    const c = r.curves;
    expect(r.lesioned_at).toBe(12);
    for (let e = 0; e <= 30; e++) {
      expect(c.memory_score[e]).toBeCloseTo(1 - c.combined_train[e]! / c.student_train[0]!, 14);
      expect(c.lesion_memory_score[e]).toBeCloseTo(1 - c.student_train[e]! / c.student_train[0]!, 14);
      expect(c.generalization_score[e]).toBeCloseTo(1 - c.student_test[e]! / c.student_test[0]!, 14);
      if (e >= 12) {
        expect(c.student_train[e]).toBe(c.student_train[12]);
        expect(c.combined_train[e]).toBe(c.student_train[e]);
      } else expect(c.combined_train[e]).toBe(Math.min(c.student_train[e]!, c.notebook_train));
    }
    // the zero student's errors are the mean squared outputs
    expect(c.memory_score[0]).toBeCloseTo(1 - Math.min(1, c.notebook_train / c.student_train[0]!), 14);
    expect(c.generalization_score[0]).toBe(0);
  });

  it('rejects bad parameters naming the field', () => {
    expect(() => clsParams({ student: { eta: -1 } })).toThrow(InputError);
    expect(() => clsParams({ notebook: { a: 0.0333 } })).toThrow('cls: /notebook/a');
    expect(() => runCls(small, 1, { kind: 'generalization-optimized', tStar: { source: 'given', tStar: -2 } })).toThrow('cls: regime/tStar/tStar');
    expect(() => runCls(small, 1, { kind: 'unregulated' }, undefined, { lesionAt: 1.5 })).toThrow('cls: lesionAt');
  });
});
