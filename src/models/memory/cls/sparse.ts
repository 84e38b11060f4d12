/**
 * Sparse random patterns for the notebooks: exactly k active units among m, drawn from the counter-based generator
 * (core/rng.ts) without replacement, keyed by (stream, index, tick), so any pattern can be drawn alone and in any
 * order (index patterns, reactivation seeds, SDM addresses, held-out rows).
 */
import type { CounterRng } from '../../../core/rng.ts';

/**
 * Index patterns: `count` patterns of exactly k active units among m, drawn without replacement per pattern
 * (stream `stream`, index `index0 + pattern`, tick `tick`, draw d; four indices per Philox call), sorted ascending.
 */
export function drawSparsePatterns(rng: CounterRng, m: number, k: number, count: number, stream: number, index0: number, tick: number): Int32Array {
  const out = new Int32Array(count * k);
  const mark = new Uint8Array(m);
  for (let mu = 0; mu < count; mu++) {
    const units = out.subarray(mu * k, mu * k + k);
    drawSparseInto(rng, m, k, stream, index0 + mu, tick, mark, units);
    units.sort();
    for (let j = 0; j < k; j++) mark[units[j]!] = 0;
  }
  return out;
}

/** k distinct units of m into `units` (unsorted), marking them in `mark` (which must be all 0 on entry). */
export function drawSparseInto(rng: CounterRng, m: number, k: number, stream: number, index: number, tick: number, mark: Uint8Array, units: Int32Array): void {
  let got = 0;
  for (let draw = 0; got < k; draw++) {
    const w = rng.words(stream, index, tick, draw);
    for (let q = 0; q < 4 && got < k; q++) {
      const u = Math.floor((w[q]! / 4294967296) * m);
      if (mark[u] === 0) {
        mark[u] = 1;
        units[got++] = u;
      }
    }
  }
}
