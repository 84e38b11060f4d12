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

/**
 * Draws element `index` of a value spec. Truncated normals are redrawn (draw counter 1, 2, ...) until inside
 * [low, high]; after 1000 failed draws the value is clamped (the range is then far in a tail).
 */
export function drawValue(spec: ValueSpec, rng: CounterRng, stream: number, index: number): number {
  if (typeof spec === 'number') return spec;
  if ('constant' in spec) return spec.constant;
  if ('uniform' in spec) {
    const { low, high } = spec.uniform;
    return low + (high - low) * rng.uniform(stream, index, 0);
  }
  if ('normal' in spec) {
    const { mean, sd, low = -Infinity, high = Infinity } = spec.normal;
    for (let k = 0; k < 1000; k++) {
      const x = mean + sd * rng.normal(stream, index, 0, k);
      if (x >= low && x <= high) return x;
    }
    return Math.min(high, Math.max(low, mean));
  }
  const { mu, sigma } = spec.lognormal;
  return Math.exp(mu + sigma * rng.normal(stream, index, 0));
}
