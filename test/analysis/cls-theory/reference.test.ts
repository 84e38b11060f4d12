/**
 * Every value of test/fixtures/reference/go_cls.json (a copy of the workplace's shared/reference): the early-stopping tables (alpha = 1, gradient flow from zero
 * weights, T = eta t), the SNR = 1 asymptotes and the notebook memory errors.
 */
import { describe, expect, it } from 'vitest';
import {
  egAsymptote,
  gdErrors,
  notebookMemoryError,
  optimalStopping,
  parseSnr,
} from '../../../src/analysis/cls-theory/index.ts';
import { halfUlp, REF, refTables } from './helpers.ts';

const tables = refTables();

describe('go_cls.json early-stopping tables (alpha = 1, continuous time T = eta t)', () => {
  it('has the tables and columns this test expects', () => {
    expect(tables.map((t) => t.key).sort()).toEqual(['eta_0.005_epochs_2000', 'eta_0.015_epochs_2000']);
    for (const t of tables) {
      expect(t.columns).toEqual(['SNR', 't_star', 'Eg_at_t_star', 'Et_at_t_star', 'Eg_at_2000', 'Et_at_2000']);
    }
  });

  for (const table of tables) {
    for (const row of table.printed) {
      const snrText = row[0]!.replace(/"/g, '');
      it(`${table.key}, SNR ${snrText}: t* exactly, errors to the printed digits`, () => {
        const snr = parseSnr(snrText);
        const r = optimalStopping(1, snr, table.eta, table.epochs);
        // t* is exact: next to the minimum Eg changes by ~ Eg''(T*) eta^2 / 2 per epoch (>= 1e-7 here), far above the
        // quadrature error (<= 1e-13), so the argmin is not ambiguous.
        expect(r.tStar).toBe(Number(row[1]));
        const got = [r.egAtTStar, r.etAtTStar, r.egFinal, r.etFinal];
        got.forEach((v, i) => {
          const printed = row[i + 2]!;
          expect(Math.abs(v - Number(printed)), `${table.columns[i + 2]} = ${v} vs ${printed}`).toBeLessThanOrEqual(
            halfUlp(printed) + 1e-12,
          );
        });
        expect(r.quadError).toBeLessThan(1e-12);
        for (const dt of [-1, 1]) {
          const t = r.tStar + dt;
          if (t < 1 || t > table.epochs) continue;
          const rise = gdErrors(1, snr, { kind: 'continuous', T: table.eta * t }).eg - r.egAtTStar;
          expect(rise).toBeGreaterThan(1e-8);
        }
      });

      it(`${table.key}, SNR ${snrText}: discrete gradient descent gives t* within 1 epoch, errors within 1%`, () => {
        // The table is gradient flow. Discrete descent, (1 - eta l)^t instead of exp(-eta l t), differs per mode by a
        // relative O(eta l^2 T) (eta l+ = 0.02 and 0.06 here), which can shift a minimum that is flat on the epoch
        // grid by an epoch (here it happens to give the same t* in every row) and moves the errors by up to ~0.2%.
        const snr = parseSnr(snrText);
        const r = optimalStopping(1, snr, table.eta, table.epochs, true);
        expect(Math.abs(r.tStar - Number(row[1]))).toBeLessThanOrEqual(1);
        const got = [r.egAtTStar, r.etAtTStar, r.egFinal, r.etFinal];
        got.forEach((v, i) => {
          const printed = row[i + 2]!;
          expect(Math.abs(v - Number(printed)), `${table.columns[i + 2]} = ${v} vs ${printed}`).toBeLessThanOrEqual(
            0.01 * Number(printed) + halfUlp(printed),
          );
        });
      });
    }
  }
});

describe('go_cls.json asymptotes_snr_1', () => {
  for (const [key, value] of Object.entries(REF.asymptotes_snr_1)) {
    const alpha = Number(/^Eg_inf_alpha_([0-9.]+)$/.exec(key)?.[1]);
    it(`${key} = ${value}: closed form and the quadrature at long times`, () => {
      expect(Number.isFinite(alpha)).toBe(true);
      expect(egAsymptote(alpha, 1)).toBeCloseTo(value, 12);
      // alpha > 1 has a spectral gap l- > 0: Eg converges like exp(-2 l- T); T = 400 is far past it.
      expect(gdErrors(alpha, 1, { kind: 'continuous', T: 400 }).eg).toBeCloseTo(value, 12);
      expect(gdErrors(alpha, 1, { kind: 'discrete', eta: 0.05, t: 8000 }).eg).toBeCloseTo(value, 12);
    });
  }
});

describe('go_cls.json notebook_memory_error', () => {
  for (const [key, value] of Object.entries(REF.notebook_memory_error)) {
    const m = /^M=(\d+),P=(\d+)$/.exec(key);
    it(`${key} = ${value}`, () => {
      expect(m).not.toBeNull();
      const got = notebookMemoryError(Number(m![2]), Number(m![1]));
      expect(Math.abs(got - value)).toBeLessThanOrEqual(halfUlp(String(value)));
    });
  }
});
