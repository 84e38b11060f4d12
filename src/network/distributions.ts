/**
 * Values that may be constant or drawn per element from a distribution, keyed by the counter-based RNG
 * (seed, stream, element index) so that the same seed always gives the same draws.
 */
import type { CounterRng } from '../core/rng.ts';

export type Distribution =
  | { readonly constant: number }
  | { readonly uniform: { readonly low: number; readonly high: number } }
  | { readonly normal: { readonly mean: number; readonly sd: number; readonly low?: number | undefined; readonly high?: number | undefined } }
  | { readonly lognormal: { readonly mu: number; readonly sigma: number } };

export type ValueSpec = number | Distribution;

export function isConstant(v: ValueSpec): v is number | { constant: number } {
  return typeof v === 'number' || 'constant' in v;
}

export function constantOf(v: number | { constant: number }): number {
  return typeof v === 'number' ? v : v.constant;
}

/** Element `index` of a value spec for a generator and stream (see `sampler`). */
export type Sampler = (rng: CounterRng, stream: number, index: number) => number;

/**
 * The draw of a value spec as a function of (rng, stream, index), with the spec's dispatch done once, for loops over
 * many elements. Uniform: low + (high - low) u with u = `rng.uniform(stream, index, 0)`. Normal: mean + sd z with
 * z = `rng.normal(stream, index, 0, k)`, redrawn (k = 1, 2, ...) until inside [low, high]; after 1000 failed draws
 * the mean clamped to the range (the range is then far in a tail). Lognormal: exp(mu + sigma z), z from draw 0.
 */
export function sampler(spec: ValueSpec): Sampler {
  if (typeof spec === 'number' || 'constant' in spec) {
    const v = typeof spec === 'number' ? spec : spec.constant;
    return () => v;
  }
  if ('uniform' in spec) {
    const { low, high } = spec.uniform;
    return (rng, stream, index) => low + (high - low) * rng.uniform(stream, index, 0);
  }
  if ('normal' in spec) {
    const { mean, sd, low = -Infinity, high = Infinity } = spec.normal;
    return (rng, stream, index) => {
      for (let k = 0; k < 1000; k++) {
        const x = mean + sd * rng.normal(stream, index, 0, k);
        if (x >= low && x <= high) return x;
      }
      return Math.min(high, Math.max(low, mean));
    };
  }
  const { mu, sigma } = spec.lognormal;
  return (rng, stream, index) => Math.exp(mu + sigma * rng.normal(stream, index, 0));
}

/** Draws element `index` of a value spec: `sampler(spec)(rng, stream, index)`. */
export function drawValue(spec: ValueSpec, rng: CounterRng, stream: number, index: number): number {
  return sampler(spec)(rng, stream, index);
}
