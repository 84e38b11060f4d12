/**
 * Spike sources: populations whose spikes come from a schedule rather than from dynamics. They enter the engine as
 * events in its (tick, sequence)-ordered queue. Pure functions of (seed, stream, neuron, k): every backend and run
 * draws the same trains.
 */
import type { CounterRng } from '../../core/rng.ts';

export interface PoissonParams {
  /** Rate in Hz. */
  readonly rate_hz: number;
  /** First tick at which the source may fire. */
  readonly startTick: number;
  /** Tick at which it stops (exclusive); Infinity for never. */
  readonly stopTick: number;
}

/**
 * Tick of the k-th spike (k = 0, 1, ...) of Poisson source `neuron`, given the tick of spike k-1 (or start - 1 for k = 0).
 * On the tick grid a Poisson process is a Bernoulli process with p = rate * dt per tick, so the gaps are geometric:
 * gap = 1 + floor(ln u / ln(1 - p)). Returns Infinity past stopTick.
 */
export function nextPoissonTick(
  rng: CounterRng,
  stream: number,
  neuron: number,
  k: number,
  previousTick: number,
  p: number,
  stopTick: number,
): number {
  if (p <= 0) return Infinity;
  const gap = p >= 1 ? 1 : 1 + Math.floor(Math.log(rng.uniform(stream, neuron, k)) / Math.log1p(-p));
  const t = previousTick + gap;
  return t < stopTick ? t : Infinity;
}

/** Spike generator: explicit spike times (ms) per neuron, rounded to the grid; the times a user gave, sorted. */
export function generatorTicks(timesMs: readonly number[], dtMs: number): number[] {
  return timesMs.map((t) => Math.round(t / dtMs)).sort((a, b) => a - b);
}
