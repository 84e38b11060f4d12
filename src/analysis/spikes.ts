/** Spike-train statistics: pure functions and an online accumulator with O(neurons) memory. */

/** Mean firing rate in Hz of `size` neurons that fired `spikes` times in `durationMs`. */
export function meanRateHz(spikes: number, size: number, durationMs: number): number {
  return size > 0 && durationMs > 0 ? (spikes / size) * (1000 / durationMs) : 0;
}

/**
 * Accumulates inter-spike intervals per neuron (in ticks) without storing spike trains: count, sum and sum of
 * squares of the ISIs, so the coefficient of variation CV = sd(ISI) / mean(ISI) of each neuron is exact.
 */
export class IsiAccumulator {
  private readonly last: Float64Array;
  private readonly n: Uint32Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;

  constructor(readonly size: number) {
    this.last = new Float64Array(size).fill(-1);
    this.n = new Uint32Array(size);
    this.s1 = new Float64Array(size);
    this.s2 = new Float64Array(size);
  }

  add(tick: number, indices: ArrayLike<number>): void {
    for (let q = 0; q < indices.length; q++) {
      const i = indices[q]!;
      const prev = this.last[i]!;
      if (prev >= 0) {
        const isi = tick - prev;
        this.n[i]!++;
        this.s1[i]! += isi;
        this.s2[i]! += isi * isi;
      }
      this.last[i] = tick;
    }
  }

  /**
   * Mean over neurons with at least `minIntervals` ISIs of their CV (population sd, ddof = 0), and how many
   * neurons entered the mean. NaN when none qualifies.
   */
  meanCv(minIntervals = 2): { cv: number; neurons: number } {
    let sum = 0;
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      const c = this.n[i]!;
      if (c < minIntervals) continue;
      const mean = this.s1[i]! / c;
      const varIsi = Math.max(0, this.s2[i]! / c - mean * mean);
      sum += Math.sqrt(varIsi) / mean;
      k++;
    }
    return { cv: k ? sum / k : NaN, neurons: k };
  }
}

/** CV of one spike train given as sorted spike times (reference implementation for tests and small data). */
export function cvOfTrain(times: readonly number[]): number {
  if (times.length < 3) return NaN;
  const isi = times.slice(1).map((t, i) => t - times[i]!);
  const mean = isi.reduce((a, b) => a + b, 0) / isi.length;
  const v = isi.reduce((a, b) => a + (b - mean) ** 2, 0) / isi.length;
  return Math.sqrt(v) / mean;
}
