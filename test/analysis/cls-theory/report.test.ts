/** clsTheoryReport and clsTheoryCurves: contents, consistency, JSON round trip and input validation. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import {
  clsTheoryCurves,
  clsTheoryReport,
  egAsymptote,
  notebookMemoryError,
  onlineEg,
  onlineEgLimit,
  optimalStopping,
  parseSnr,
  ridgeEg,
  type ClsTheoryOptions,
} from '../../../src/analysis/cls-theory/index.ts';
import { halfUlp, refTables } from './helpers.ts';

const BASE: ClsTheoryOptions = { snr: 4, alpha: 1, eta: 0.015, epochs: 2000 };

describe('clsTheoryReport', () => {
  it('reproduces the go_cls.json row (SNR 4, eta 0.015, 2000 epochs) and is plain JSON', () => {
    const r = clsTheoryReport({ ...BASE, n: 100, m: 2000 });
    const row = refTables()
      .find((t) => t.key === 'eta_0.015_epochs_2000')!
      .printed.find((p) => p[0] === '4')!;
    expect(r.t_star).toBe(Number(row[1]));
    const got = [r.eg_at_t_star, r.et_at_t_star, r.eg_final, r.et_final];
    got.forEach((v, i) => expect(Math.abs(v - Number(row[i + 2]))).toBeLessThanOrEqual(halfUlp(row[i + 2]!)));
    expect(r.variant).toBe('continuous');
    expect(r.T_star).toBeCloseTo(0.015 * r.t_star, 14);
    expect(r.t_star_continuous).toBe(r.t_star);
    expect(Math.abs(r.t_star_discrete! - r.t_star)).toBeLessThanOrEqual(1);
    expect(r.eg_asymptote).toBe('inf'); // alpha = 1, finite SNR: the double-descent peak
    expect(r.eg_growth_alpha_1).toBeGreaterThan(0);
    expect(r.eg_ridge).toBeCloseTo(ridgeEg(1, 4), 14);
    expect(r.early_stopping_excess).toBeGreaterThan(0);
    expect(r.ridge_lambda).toBe(0.25);
    expect(r.p).toBe(100);
    expect(r.notebook_memory_error).toBeCloseTo(notebookMemoryError(100, 2000), 14);
    expect(r.online_finite_n).toBe(true);
    expect(r.online_eg_one_pass).toBeCloseTo(onlineEg(100, 4, 0.015, 100), 14);
    expect(r.quad_error).toBeLessThan(1e-12);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('handles SNR = Infinity, alpha > 1, the discrete variant and a missing n', () => {
    const r = clsTheoryReport({ snr: Infinity, alpha: 2, eta: 0.1, epochs: 300, discrete: true });
    expect(r.snr).toBe('inf');
    expect(r.s_e2).toBe(0);
    expect(r.variant).toBe('discrete');
    expect(r.t_star).toBe(300); // noiseless: Eg decreases monotonically
    expect(r.eg_asymptote).toBe(0);
    expect(r.eg_ridge).toBe(0);
    expect(r.ridge_lambda).toBe(0);
    expect(r.eg_growth_alpha_1).toBeNull();
    expect(r.n).toBeNull();
    expect(r.notebook_memory_error).toBeNull();
    expect(r.online_finite_n).toBe(false);
    expect(r.online_eg_one_pass).toBeCloseTo(onlineEgLimit(2, Infinity, 0.1), 14);
    const d = optimalStopping(2, Infinity, 0.1, 300, true);
    expect(r.eg_final).toBe(d.egFinal);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    const fin = clsTheoryReport({ snr: 1, alpha: 2, eta: 0.1, epochs: 300 });
    expect(fin.eg_asymptote).toBe(egAsymptote(2, 1));
  });

  it('leaves t_star_discrete null when eta is too large for discrete descent', () => {
    const r = clsTheoryReport({ snr: 1, alpha: 1, eta: 0.6, epochs: 50 });
    expect(r.t_star_discrete).toBeNull();
    expect(r.eta_max_discrete).toBe(0.5);
  });

  it('rejects bad input with InputError naming the flag', () => {
    const bad: Array<[Partial<ClsTheoryOptions>, string]> = [
      [{ snr: 0 }, '--snr'],
      [{ snr: Number.NaN }, '--snr'],
      [{ alpha: -1 }, '--alpha'],
      [{ alpha: Infinity }, '--alpha'],
      [{ eta: 0 }, '--eta'],
      [{ eta: 0.6, discrete: true }, '--eta'],
      [{ epochs: 0 }, '--epochs'],
      [{ epochs: 2.5 }, '--epochs'],
      [{ n: 0 }, '--n'],
      [{ n: 10.5 }, '--n'],
      [{ m: 2000 }, '--m'],
      [{ n: 100, m: 1 }, '--m'],
    ];
    for (const [patch, where] of bad) {
      const run = () => clsTheoryReport({ ...BASE, epochs: 10, ...patch });
      expect(run).toThrow(InputError);
      try {
        run();
      } catch (e) {
        expect((e as InputError).where).toBe(where);
      }
    }
  });

  it('parses the SNR flag, including inf', () => {
    expect(parseSnr('inf')).toBe(Infinity);
    expect(parseSnr('Infinity')).toBe(Infinity);
    expect(parseSnr('0.05')).toBe(0.05);
    expect(() => parseSnr('abc')).toThrow(InputError);
    expect(() => parseSnr('')).toThrow(InputError);
    expect(() => parseSnr('-1')).toThrow(InputError);
  });
});

describe('clsTheoryCurves', () => {
  it('samples Eg and Et at the given epochs, consistent with the report', () => {
    const r = clsTheoryReport(BASE);
    const c = clsTheoryCurves(BASE, [0, r.t_star, BASE.epochs]);
    expect(c.t).toEqual([0, r.t_star, BASE.epochs]);
    expect(c.T[1]).toBeCloseTo(r.T_star, 14);
    expect(c.eg[0]).toBeCloseTo(1, 13);
    expect(c.et[0]).toBeCloseTo(1, 13);
    expect(c.eg[1]).toBe(r.eg_at_t_star);
    expect(c.et[2]).toBe(r.et_final);
    expect(c.eg_ridge).toBe(r.eg_ridge);
    expect(c.eg_asymptote).toBe('inf');
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('rejects bad times', () => {
    expect(() => clsTheoryCurves(BASE, [1, -1])).toThrow(InputError);
    expect(() => clsTheoryCurves(BASE, [Number.NaN])).toThrow(InputError);
    expect(() => clsTheoryCurves({ ...BASE, discrete: true }, [1.5])).toThrow(InputError);
  });
});
