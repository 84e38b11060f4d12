/**
 * Classic Hopfield network (Hopfield 1982) over bipolar patterns: Hebbian weights W = (1/N) sum_p xi_p xi_p^T with a
 * zero diagonal, asynchronous updates in a seeded random order until a fixed point (or a sweep limit). Capacity
 * about 0.138 N random patterns (Amit, Gutfreund & Sompolinsky 1985). Heteroassociation stores [key; value] as one
 * pattern of N = n + w units and clamps the key part while the value part settles.
 */
import type { CounterRng } from '../../core/rng.ts';

export class ClassicHopfield {
  readonly weights: Float32Array;
  constructor(
    readonly size: number,
    patterns: readonly Int8Array[],
  ) {
    const N = size;
    const w = new Float32Array(N * N);
    for (const x of patterns) {
      for (let i = 0; i < N; i++) {
        const xi = x[i]! / N;
        if (xi === 0) continue;
        const row = i * N;
        for (let j = 0; j < N; j++) w[row + j]! += xi * x[j]!;
      }
    }
    for (let i = 0; i < N; i++) w[i * N + i] = 0;
    this.weights = w;
  }

  /**
   * Asynchronous recall from `state` (+1/-1, modified in place). Units [0, clamped) keep their values. A unit with
   * zero field keeps its state. Returns whether a fixed point was reached within `maxSweeps`.
   */
  recall(state: Int8Array, rng: CounterRng, stream: number, index: number, clamped = 0, maxSweeps = 20): { converged: boolean; sweeps: number } {
    const N = this.size;
    const order = new Uint32Array(N - clamped);
    for (let s = 0; s < maxSweeps; s++) {
      for (let i = 0; i < order.length; i++) order[i] = clamped + i;
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1, stream, index, s, i);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      let changed = 0;
      for (const u of order) {
        const row = u * N;
        let h = 0;
        for (let j = 0; j < N; j++) h += this.weights[row + j]! * state[j]!;
        const next = h > 0 ? 1 : h < 0 ? -1 : state[u]!;
        if (next !== state[u]) {
          state[u] = next;
          changed++;
        }
      }
      if (changed === 0) return { converged: true, sweeps: s + 1 };
    }
    return { converged: false, sweeps: maxSweeps };
  }
}

export function toBipolar(bits: Uint8Array): Int8Array {
  return Int8Array.from(bits, (b) => (b === 1 ? 1 : -1));
}
