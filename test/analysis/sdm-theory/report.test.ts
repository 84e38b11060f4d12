import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { attentionReport, circleIntersection } from '../../../src/analysis/sdm-theory/index.ts';
import { printed, published } from './published.ts';

describe('attentionReport', () => {
  const report = attentionReport({ n: 64, d: 11 });

  it('is plain JSON (survives a round trip unchanged)', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('carries the published numbers for n = 64, d = 11', () => {
    const counts = published.circle_intersection['n=64,d=11'];
    expect(Object.keys(report.intersection)).toHaveLength(65);
    for (const [dv, value] of Object.entries(counts)) expect(report.intersection[dv]).toBe(value);
    expect(report.ball_volume).toBe(counts['0']);
    const beta = published.beta_fit['n=64,d=11'];
    expect(Math.abs(report.beta_published! - beta.published)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(report.beta_least_squares! - beta.least_squares)).toBeLessThanOrEqual(printed(6));
    const w = published.softmax_vs_sdm_weights_n64_d11;
    expect(Math.abs(report.sdm_weight!['0']! - w.sdm_weight_dv0)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(report.softmax_weight!['0']! - w.softmax_weight_dv0)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(report.kl_divergence! - w.kl_divergence)).toBeLessThanOrEqual(printed(4));
    expect(report.max_abs_weight_difference).toBeGreaterThan(0);
    expect(report.breakdown!.first_dv_zero_intersection).toBe(23);
  });

  it('gives the optimal radii with their betas and says which settings were defaults', () => {
    const ref = published.optimal_radius_n64_attention_setting;
    expect(report.optimal_d).toEqual({
      snr: ref.signal_to_noise_optimal_d,
      memory_capacity: ref.memory_capacity_optimal_d,
      critical_distance: ref.critical_distance_optimal_d,
    });
    const betas = published.beta_fit;
    const beta = report.optimal_beta;
    expect(Math.abs(beta.snr! - betas['n=64,d=11'].published)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(beta.memory_capacity! - betas['n=64,d=5'].published)).toBeLessThanOrEqual(printed(6));
    expect(Math.abs(beta.critical_distance! - betas['n=64,d=15'].published)).toBeLessThanOrEqual(printed(6));
    expect(report.optimal_settings.r).toBe('all');
    expect(report.optimal_settings.m).toBe(1024);
    expect(report.optimal_settings.defaults_used).toHaveLength(2);
    expect(report).not.toHaveProperty('expected_neurons');
    expect(report).not.toHaveProperty('continuous');
  });

  it('adds expected neurons r I / 2^n when r is given, and uses that r for the optimal radii', () => {
    const withR = attentionReport({ n: 64, d: 11, r: 2n ** 64n, m: 1024 });
    expect(withR.optimal_settings.defaults_used).toEqual([]);
    expect(withR.optimal_d).toEqual(report.optimal_d);
    expect(withR.expected_neurons!['0']).toBe(Number(circleIntersection(64, 11, 0)));
    const kanerva = attentionReport({ n: 1000, d: 451, r: 1_000_000, m: 100 });
    expect(kanerva.r).toBe('1000000');
    const want = published.kanerva_scale.expected_active_locations_per_address;
    expect(Math.abs(kanerva.expected_neurons!['0']! - want)).toBeLessThanOrEqual(printed(2));
    const fraction = published.kanerva_scale.fraction_of_space_within_radius;
    expect(Math.abs(kanerva.ball_fraction - fraction)).toBeLessThanOrEqual(printed(8));
    expect(JSON.parse(JSON.stringify(kanerva))).toEqual(kanerva);
  });

  it('adds the continuous (cosine) counterpart on request', () => {
    const c = attentionReport({ n: 64, d: 11, continuous: true }).continuous!;
    expect(c.cosine_threshold).toBeCloseTo(1 - 22 / 64, 15);
    const f = Object.values(c.intersection_fraction);
    expect(f).toHaveLength(65);
    for (let dv = 1; dv < f.length; dv++) expect(f[dv]!).toBeLessThanOrEqual(f[dv - 1]! * (1 + 1e-9));
    expect(c.beta_published! / c.beta_least_squares!).toBeCloseTo(11 / 10, 12);
  });

  it('reports d < 2 without a beta', () => {
    const r = attentionReport({ n: 16, d: 1 });
    expect(r.beta_published).toBeNull();
    expect(r.kl_divergence).toBeNull();
    expect(r.intersection['2']).toBe('2');
  });

  it('rejects invalid n, d, r, m with an InputError naming the flag', () => {
    const where = (opts: Parameters<typeof attentionReport>[0]): string => {
      try {
        attentionReport(opts);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).where;
      }
      throw new Error('expected an InputError');
    };
    expect(where({ n: 0, d: 0 })).toBe('--n');
    expect(where({ n: 4097, d: 10 })).toBe('--n');
    expect(where({ n: 64.5, d: 10 })).toBe('--n');
    expect(where({ n: 64, d: 65 })).toBe('--d');
    expect(where({ n: 64, d: -1 })).toBe('--d');
    expect(where({ n: 64, d: 11, r: 0 })).toBe('--r');
    expect(where({ n: 64, d: 11, r: 'most' as 'all' })).toBe('--r');
    expect(where({ n: 64, d: 11, m: 0 })).toBe('--m');
    expect(where({ n: 64, d: 11, m: 2.5 })).toBe('--m');
    expect(where({ n: 2, d: 1, continuous: true })).toBe('--n');
  });
});
