import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.ts';
import { egDiscrete } from '../../../../src/analysis/cls-theory/index.ts';
import { clsParams, type TeacherParams } from '../../../../src/models/memory/cls/params.ts';
import { runCls } from '../../../../src/models/memory/cls/run.ts';
import {
  complexTeacherLinearFraction,
  complexTeacherSnr,
  createTeacher,
  hiddenForSnr,
  partialTeacherSnr,
  sampleData,
} from '../../../../src/models/memory/cls/teacher.ts';
import { mean } from './reference.ts';

/** Sample moments of a large data set: Var y, and the least-squares linear fit's explained fraction via E[y x] N. */
function moments(params: TeacherParams, seed: number, count: number) {
  const t = createTeacher(params, seed);
  const d = sampleData(t, count, 'moments');
  const n = d.n;
  let yy = 0;
  const xy = new Float64Array(n);
  for (let mu = 0; mu < count; mu++) {
    const y = d.y[mu]!;
    yy += y * y;
    for (let i = 0; i < n; i++) xy[i]! += y * d.x[mu * n + i]!;
  }
  // E[y x_i] = w_lin,i / N, so the linear weights are N E[y x]
  const wHat = Array.from(xy, (v) => (v / count) * n);
  return { t, varY: yy / count, wHat };
}

describe('teachers', () => {
  it('linear: s_w^2 = SNR/(SNR+1), s_e^2 = 1/(SNR+1), inputs N(0, 1/N); SNR = Infinity has no noise', () => {
    const { t, varY } = moments({ kind: 'linear', n: 50, snr: 3 }, 1, 20000);
    expect(t.noiseSd).toBeCloseTo(Math.sqrt(0.25), 12);
    // Var y = |w|^2 / N + s_e^2 given w
    let w2 = 0;
    for (const w of t.w) w2 += w * w;
    expect(Math.abs(varY / (w2 / 50 + 0.25) - 1)).toBeLessThan(0.04);
    const clean = createTeacher({ kind: 'linear', n: 50, snr: Infinity }, 1);
    expect(clean.noiseSd).toBe(0);
    const d = sampleData(clean, 3, 'train');
    for (let mu = 0; mu < 3; mu++) {
      let u = 0;
      for (let i = 0; i < 50; i++) u += d.x[mu * 50 + i]! * clean.w[i]!;
      expect(d.y[mu]).toBe(u);
    }
  });

  it('complex: Var y = 1, and a linear student sees weights c g e^{-g^2/2} w and a residual of variance 1 - rho^2', () => {
    const gain = 1.2;
    const { t, varY, wHat } = moments({ kind: 'complex', n: 20, gain }, 2, 40000);
    expect(Math.abs(varY - 1)).toBeLessThan(0.03);
    let err = 0;
    let norm = 0;
    for (let i = 0; i < 20; i++) {
      err += (wHat[i]! - t.linearW[i]!) ** 2;
      norm += t.linearW[i]! ** 2;
    }
    // sampling error of N E[y x_i] with 40000 examples: sd ~ sqrt(N / 40000) per component
    expect(Math.sqrt(err / norm)).toBeLessThan(0.1);
    expect(norm / 20).toBeCloseTo(complexTeacherLinearFraction(gain), 10);
    expect(t.residualVariance).toBeCloseTo(1 - complexTeacherLinearFraction(gain), 12);
    expect(t.realizedSnr).toBeCloseTo(complexTeacherSnr(gain), 10);
    // rho^2 by direct quadrature of E[sin(g u) u]^2 / E[sin(g u)^2] over u ~ N(0, 1)
    let su = 0;
    let s2 = 0;
    for (let i = -4000; i <= 4000; i++) {
      const u = i / 500;
      const phi = Math.exp(-u * u / 2) / Math.sqrt(2 * Math.PI) / 500;
      su += Math.sin(gain * u) * u * phi;
      s2 += Math.sin(gain * u) ** 2 * phi;
    }
    expect(complexTeacherLinearFraction(gain)).toBeCloseTo((su * su) / s2, 8);
  });

  it('partial: the hidden inputs act as noise of SNR N / H (|w_seen|^2 / |w_hidden|^2 given the weights)', () => {
    expect(partialTeacherSnr(100, 100)).toBe(1);
    expect(partialTeacherSnr(100, 0)).toBe(Infinity);
    expect(hiddenForSnr(100, 0.05)).toBe(2000);
    const t = createTeacher({ kind: 'partial', n: 100, hidden: 300 }, 3);
    expect(t.inputs).toBe(400);
    let seen = 0;
    let hidden = 0;
    for (let i = 0; i < 400; i++) {
      if (i < 100) seen += t.w[i]! ** 2;
      else hidden += t.w[i]! ** 2;
    }
    expect(t.realizedSnr).toBeCloseTo(seen / hidden, 12);
    expect(t.effectiveSnr).toBeCloseTo(1 / 3, 12);
    const { varY } = moments({ kind: 'partial', n: 100, hidden: 300 }, 3, 20000);
    expect(Math.abs(varY / ((seen + hidden) / 100) - 1)).toBeLessThan(0.04);
  });

  it('rejects bad teacher parameters naming the field', () => {
    expect(() => createTeacher({ kind: 'linear', n: 10, snr: -1 }, 1)).toThrow(InputError);
    expect(() => createTeacher({ kind: 'complex', n: 10, gain: 0 }, 1)).toThrow('cls: /teacher/gain');
    expect(() => createTeacher({ kind: 'partial', n: 0, hidden: 3 }, 1)).toThrow('cls: /teacher/n');
  });
});

describe('deterministic unpredictable teachers behave like noise of their effective SNR', () => {
  const CHECK = [10, 45, 150, 600];
  function meanTest(teacher: TeacherParams, seeds: number[]): number[] {
    const curves = seeds.map((s) => runCls(clsParams({ teacher, student: { epochs: 600 } }), s, { kind: 'unregulated' }, undefined, { replay: 'perfect' }).curves.student_test);
    return CHECK.map((t) => mean(curves.map((c) => c[t]!)));
  }
  const seeds = Array.from({ length: 10 }, (_, i) => 40 + i);

  it('partially observed (N = 100 seen, 100 hidden: SNR 1) against the noisy linear teacher of SNR 1', () => {
    const partial = meanTest({ kind: 'partial', n: 100, hidden: hiddenForSnr(100, 1) }, seeds);
    const noisy = meanTest({ kind: 'linear', n: 100, snr: 1 }, seeds.map((s) => s + 100));
    CHECK.forEach((t, c) => {
      expect(Math.abs(partial[c]! / noisy[c]! - 1)).toBeLessThan(0.2);
      expect(Math.abs(partial[c]! / egDiscrete(1, 1, 0.015, t) - 1)).toBeLessThan(0.25);
    });
  });

  it('complex (gain 2) against the noisy linear teacher of its effective SNR', () => {
    const snr = complexTeacherSnr(2);
    const complex = meanTest({ kind: 'complex', n: 100, gain: 2 }, seeds);
    const noisy = meanTest({ kind: 'linear', n: 100, snr }, seeds.map((s) => s + 100));
    CHECK.forEach((t, c) => {
      expect(Math.abs(complex[c]! / noisy[c]! - 1)).toBeLessThan(0.25);
      expect(Math.abs(complex[c]! / egDiscrete(1, snr, 0.015, t) - 1)).toBeLessThan(0.3);
    });
  });
});
