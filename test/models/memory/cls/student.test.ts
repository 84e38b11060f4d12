import { describe, expect, it } from 'vitest';
import { clsParams } from '../../../../src/models/memory/cls/params.ts';
import { runCls } from '../../../../src/models/memory/cls/run.ts';
import { GramError, gradientStep, meanSquaredError } from '../../../../src/models/memory/cls/student.ts';
import { createTeacher, sampleData } from '../../../../src/models/memory/cls/teacher.ts';
import { egDiscrete, etDiscrete } from '../../../../src/analysis/cls-theory/index.ts';
import { GdClosedForm, mean, mse } from './reference.ts';

const CHECK = [0, 1, 2, 10, 45, 164, 500, 1000, 2000];

describe('student: full-batch gradient descent', () => {
  it('a step and its error computed by hand: w = (1, -1), x = (1, 0) and (1, 2), y = 2 and 0, eta = 0.5', () => {
    // residuals 2 - 1 = 1 and 0 - (1 - 2) = 1; summed gradient (1, 0) + (1, 2) = (2, 2); w' = w + 0.5 (2, 2) = (2, 0);
    // predictions 2 and 2, errors 0 and 2: mean squared error (0 + 4) / 2 = 2; the zero predictor's (4 + 0) / 2 = 2
    const d = { n: 2, count: 2, x: Float64Array.of(1, 0, 1, 2), y: Float64Array.of(2, 0) };
    const w = Float64Array.of(1, -1);
    gradientStep(w, d.x, d.y, 2, 0.5);
    expect(Array.from(w)).toEqual([2, 0]);
    expect(meanSquaredError(w, d)).toBe(2);
    expect(new GramError(d).error(w)).toBeCloseTo(2, 14);
    expect(new GramError(d).c).toBe(2);
    expect(new GramError(d).error(Float64Array.of(0, 0))).toBeCloseTo(2, 14);
  });

  it('one step is w + eta sum_b (y_b - w.x_b) x_b (no 1/P) and the Gram-matrix error equals direct summation', () => {
    const t = createTeacher({ kind: 'linear', n: 10, snr: 3 }, 1);
    const d = sampleData(t, 7, 'train');
    const w = Float64Array.from({ length: 10 }, (_, i) => 0.1 * i - 0.3);
    const want = w.slice();
    for (let b = 0; b < 7; b++) {
      let r = d.y[b]!;
      for (let j = 0; j < 10; j++) r -= w[j]! * d.x[b * 10 + j]!;
      for (let j = 0; j < 10; j++) want[j]! += 0.02 * r * d.x[b * 10 + j]!;
    }
    gradientStep(w, d.x, d.y, 7, 0.02);
    for (let j = 0; j < 10; j++) expect(w[j]).toBeCloseTo(want[j]!, 14);
    expect(new GramError(d).error(w)).toBeCloseTo(meanSquaredError(w, d), 12);
  });

  it.each([Infinity, 4, 0.05])('with perfect replay the curves equal the spectral closed form on each data set (SNR %s)', (snr) => {
    for (const seed of [1, 2]) {
      const params = clsParams({ teacher: { kind: 'linear', n: 100, snr } });
      const r = runCls(params, seed, { kind: 'unregulated' }, undefined, { replay: 'perfect' });
      const teacher = createTeacher(params.teacher, seed);
      const train = sampleData(teacher, 100, 'train');
      const test = sampleData(teacher, 1000, 'test');
      const gd = new GdClosedForm(train.x, train.y, 100, 100);
      for (const t of CHECK) {
        const w = gd.weights(t, 0.015);
        const et = mse(w, train.x, train.y, 100, 100);
        const eg = mse(w, test.x, test.y, 1000, 100);
        expect(Math.abs(r.curves.student_train[t]! - et)).toBeLessThan(1e-9 * Math.max(1, et) + 1e-12);
        expect(Math.abs(r.curves.student_test[t]! - eg)).toBeLessThan(1e-9 * Math.max(1, eg));
      }
    }
  });

  it('averaged over data sets, perfect replay follows the expected errors: Eg = |w_t - w|^2 / N + s_e^2, and the Marchenko-Pastur theory (analysis/cls-theory)', () => {
    const snr = 4;
    const seeds = [11, 12, 13, 14, 15, 16, 17, 18];
    const sim: number[][] = CHECK.map(() => []);
    const expected: number[][] = CHECK.map(() => []);
    const simTrain: number[][] = CHECK.map(() => []);
    for (const seed of seeds) {
      const params = clsParams({ teacher: { kind: 'linear', n: 100, snr } });
      const r = runCls(params, seed, { kind: 'unregulated' }, undefined, { replay: 'perfect' });
      const teacher = createTeacher(params.teacher, seed);
      const train = sampleData(teacher, 100, 'train');
      const gd = new GdClosedForm(train.x, train.y, 100, 100);
      CHECK.forEach((t, c) => {
        const w = gd.weights(t, 0.015);
        let d2 = 0;
        for (let i = 0; i < 100; i++) d2 += (w[i]! - teacher.w[i]!) ** 2;
        expected[c]!.push(d2 / 100 + 1 / (snr + 1));
        sim[c]!.push(r.curves.student_test[t]!);
        simTrain[c]!.push(r.curves.student_train[t]!);
      });
    }
    CHECK.forEach((t, c) => {
      const s = mean(sim[c]!);
      const e = mean(expected[c]!);
      // test sets of 1000: each test error has relative sd ~ sqrt(2/1000); 8 seeds -> ~1.6%
      expect(Math.abs(s / e - 1)).toBeLessThan(0.06);
      // the MP theory is the N -> infinity average over data sets; at N = 100, 8 data sets scatter by ~10-20%
      expect(Math.abs(e / egDiscrete(1, snr, 0.015, t) - 1)).toBeLessThan(0.25);
      if (t <= 500) expect(Math.abs(mean(simTrain[c]!) / etDiscrete(1, snr, 0.015, t) - 1)).toBeLessThan(0.25);
    });
  });
});

describe('student loops four rows side by side, with the one-row loops numbers', () => {
  // the definition, one row at a time (the loops before 2026-12-06): w += eta sum_b (y_b - w . x_b) x_b; w^T C w - 2 b.w + c
  function oneRowStep(w: Float64Array, x: Float64Array, y: Float64Array, count: number, eta: number): void {
    const n = w.length;
    const grad = new Float64Array(n);
    for (let b = 0; b < count; b++) {
      let pred = 0;
      for (let j = 0; j < n; j++) pred += w[j]! * x[b * n + j]!;
      const r = y[b]! - pred;
      if (r === 0) continue;
      for (let j = 0; j < n; j++) grad[j]! += r * x[b * n + j]!;
    }
    for (let j = 0; j < n; j++) w[j]! += eta * grad[j]!;
  }
  it.each([
    [100, 100],
    [37, 99],
    [5, 3],
    [100, 97],
  ])('N %i, %i rows: 50 steps and the Gram error are bit for bit those of one row at a time', (n, count) => {
    const d = sampleData(createTeacher({ kind: 'linear', n, snr: 4 }, n + count), count, 'train');
    const y = Float64Array.from(d.y);
    y[1] = 0; // a row whose residual is exactly 0 at w = 0 is skipped
    d.x.fill(0, n, 2 * n);
    const w1 = new Float64Array(n);
    const w2 = new Float64Array(n);
    for (let t = 0; t < 50; t++) {
      oneRowStep(w1, d.x, y, count, 0.015);
      gradientStep(w2, d.x, y, count, 0.015);
    }
    expect(Array.from(w2)).toEqual(Array.from(w1));
    const g = new GramError({ n, count, x: d.x, y });
    let quad = 0;
    let lin = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += g.c2[i * n + j]! * w2[j]!;
      quad += w2[i]! * s;
      lin += g.b[i]! * w2[i]!;
    }
    const e = quad - 2 * lin + g.c;
    expect(g.error(w2)).toBe(e > 0 ? e : 0);
  });
});
