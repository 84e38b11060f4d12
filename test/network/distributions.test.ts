/**
 * Value specs: `sampler` (the dispatch done once, for loops) draws exactly what the documented formulas give from the
 * counter-based generator, element by element, and `drawValue` is the same function.
 */
import { describe, expect, it } from 'vitest';
import { CounterRng } from '../../src/core/rng.ts';
import { type ValueSpec, drawValue, sampler } from '../../src/network/distributions.ts';

const rng = new CounterRng(2 ** 33 + 17);
const stream = 12345;

/** The formulas, written out from the generator. */
function formula(spec: ValueSpec, i: number): number {
  if (typeof spec === 'number') return spec;
  if ('constant' in spec) return spec.constant;
  if ('uniform' in spec) return spec.uniform.low + (spec.uniform.high - spec.uniform.low) * rng.uniform(stream, i, 0);
  if ('normal' in spec) {
    const { mean, sd, low = -Infinity, high = Infinity } = spec.normal;
    for (let k = 0; k < 1000; k++) {
      const x = mean + sd * rng.normal(stream, i, 0, k);
      if (x >= low && x <= high) return x;
    }
    return Math.min(high, Math.max(low, mean));
  }
  return Math.exp(spec.lognormal.mu + spec.lognormal.sigma * rng.normal(stream, i, 0));
}

const specs: Array<[string, ValueSpec]> = [
  ['a number', 2.5],
  ['a constant', { constant: -3 }],
  ['uniform', { uniform: { low: -60, high: -50 } }],
  ['normal', { normal: { mean: 1, sd: 0.3 } }],
  ['truncated normal', { normal: { mean: 1, sd: 1, low: 0.9, high: 1.1 } }],
  ['a normal truncated far in its tail (clamped)', { normal: { mean: 0, sd: 1, low: 40, high: 41 } }],
  ['lognormal', { lognormal: { mu: 0.5, sigma: 0.4 } }],
];

describe('sampler', () => {
  it.each(specs)('%s: element i is the formula of (seed, stream, i), as drawValue draws it', (_name, spec) => {
    const draw = sampler(spec);
    for (let i = 0; i < 2000; i += 7) {
      const x = draw(rng, stream, i);
      expect(x).toBe(formula(spec, i));
      expect(drawValue(spec, rng, stream, i)).toBe(x);
    }
  });
});
