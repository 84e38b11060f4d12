/**
 * Softmax attention, modern and classic Hopfield networks against independent references: a naive softmax, the
 * beta limits, one modern-Hopfield step = attention, and the classic network's one-step error rate against the
 * signal-to-noise prediction P(bit error) = Phi(-1/sqrt(alpha)) (Amit, Gutfreund & Sompolinsky 1985), with its
 * capacity collapse near alpha = 0.138.
 */
import { describe, expect, it } from 'vitest';
import { CounterRng, streamId } from '../../../src/core/rng.ts';
import { attentionRead, bipolarUnit, modernHopfieldRead, rows, softmaxWeights } from '../../../src/models/memory/attention.ts';
import { ClassicHopfield, toBipolar } from '../../../src/models/memory/hopfield.ts';
import { flipBits, randomBits } from '../../../src/models/memory/sdm/bits.ts';

const rng = new CounterRng(11);
const bits = (n: number, i: number, s = 'k') => randomBits(rng, n, streamId(s), i);

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf), independent of the code under test. */
function phi(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

describe('softmax attention', () => {
  const n = 32;
  const keys = Array.from({ length: 20 }, (_, i) => bipolarUnit(bits(n, i)));
  const values = Array.from({ length: 20 }, (_, i) => bipolarUnit(bits(n, i, 'v')));
  const K = rows(keys);
  const V = rows(values);
  const q = bipolarUnit(flipBits(bits(n, 3), 4, rng, streamId('q'), 0));

  it('weights are a softmax of beta times the cosines (naive reference) and sum to 1', () => {
    const beta = 7.5;
    const w = softmaxWeights(K, q, beta);
    const raw = keys.map((k) => Math.exp(beta * k.reduce((s, x, i) => s + x * q[i]!, 0)));
    const z = raw.reduce((a, b) => a + b, 0);
    raw.forEach((r, p) => expect(w[p]).toBeCloseTo(r / z, 14));
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('beta -> large reads the nearest key\'s value; beta = 0 reads the mean', () => {
    const near = attentionRead(K, V, q, 1e4).vector;
    near.forEach((x, i) => expect(x).toBeCloseTo(values[3]![i]!, 9));
    const mean = attentionRead(K, V, q, 0).vector;
    mean.forEach((x, i) => expect(x).toBeCloseTo(values.reduce((s, v) => s + v[i]!, 0) / values.length, 12));
  });

  it('one modern Hopfield step is the attention read', () => {
    const a = attentionRead(K, V, q, 9).vector;
    const h = modernHopfieldRead(K, V, q, 9, 1).vector;
    expect(Array.from(h)).toEqual(Array.from(a));
  });
});

describe('classic Hopfield network', () => {
  it('one synchronous-field update flips bits at the rate Phi(-1/sqrt(alpha))', () => {
    const n = 500;
    for (const alpha of [0.1, 0.2]) {
      const m = Math.round(alpha * n);
      const pats = Array.from({ length: m }, (_, i) => toBipolar(bits(n, i, `h${alpha}`)));
      const net = new ClassicHopfield(n, pats);
      let errors = 0;
      for (const x of pats) {
        for (let i = 0; i < n; i++) {
          let h = 0;
          for (let j = 0; j < n; j++) h += net.weights[i * n + j]! * x[j]!;
          if ((h > 0 ? 1 : -1) !== x[i]) errors++;
        }
      }
      const p = errors / (m * n);
      // The field's noise is approximately normal with variance (m - 1)/n around a signal 1 - 1/n.
      const expected = phi(-(1 - 1 / n) / Math.sqrt((m - 1) / n));
      expect(Math.abs(p - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / (m * n)) + 0.004);
    }
  });

  it('recalls nearly every stored pattern below capacity and loses them above it', () => {
    const n = 200;
    const recalled = (alpha: number) => {
      const m = Math.round(alpha * n);
      const pats = Array.from({ length: m }, (_, i) => toBipolar(bits(n, i, `c${alpha}`)));
      const net = new ClassicHopfield(n, pats);
      let good = 0;
      pats.forEach((x, p) => {
        const state = Int8Array.from(x);
        net.recall(state, rng, streamId('order'), p);
        let wrong = 0;
        for (let i = 0; i < n; i++) if (state[i] !== x[i]) wrong++;
        if (wrong <= n * 0.02) good++;
      });
      return good / m;
    };
    expect(recalled(0.05)).toBeGreaterThan(0.95);
    expect(recalled(0.3)).toBeLessThan(0.5);
  });
});
