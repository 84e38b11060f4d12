/**
 * The pieces of a batched binary-SDM read that do not depend on which thread runs them, shared by
 * `BinarySdm.readBatch` (one thread) and the worker pool in backends/cpu/sdm (several): a block scan over a range of
 * locations leaves pairs (location i, mask of the block's queries that activate i) in increasing i (scan.ts,
 * `withinBlock`); from them come the active sets and the counter sums of every query of the block.
 *
 * Sums are integers accumulated in float64 (exact below 2^53), so splitting the locations over threads and adding
 * the partial sums in any order gives the same numbers as one `read` per query.
 */
/** Counter arrays as in binary.ts (not imported from there: binary.ts imports this file). */
type Counters = Int8Array | Int16Array | Int32Array;

/** A run of pairs in a pairs array: `count` pairs from word `start` (2 words per pair). */
export interface PairRun {
  readonly start: number;
  readonly count: number;
}

/**
 * The active set of each of the `nq` queries of a block, from runs of pairs given in increasing location order (so
 * every set comes out sorted).
 */
export function activeSetsFromPairs(pairs: ArrayLike<number>, runs: readonly PairRun[], nq: number): Uint32Array[] {
  const sizes = new Uint32Array(nq);
  for (const { start, count } of runs) {
    for (let k = start, end = start + 2 * count; k < end; k += 2) {
      let m = pairs[k + 1]!;
      while (m !== 0) {
        const b = 31 - Math.clz32(m & -m);
        sizes[b]!++;
        m &= m - 1;
      }
    }
  }
  const sets: Uint32Array[] = [];
  for (let b = 0; b < nq; b++) sets.push(new Uint32Array(sizes[b]!));
  const fill = new Uint32Array(nq);
  for (const { start, count } of runs) {
    for (let k = start, end = start + 2 * count; k < end; k += 2) {
      const i = pairs[k]!;
      let m = pairs[k + 1]!;
      while (m !== 0) {
        const b = 31 - Math.clz32(m & -m);
        sets[b]![fill[b]!++] = i;
        m &= m - 1;
      }
    }
  }
  return sets;
}

/**
 * Adds, for every pair (i, mask) of the run and every query b in mask, row i of the counters (valueBits w) to
 * acc[b w .. (b + 1) w).
 */
export function sumPairs(counters: Counters, w: number, pairs: ArrayLike<number>, run: PairRun, acc: Float64Array): void {
  const { start, count } = run;
  for (let k = start, end = start + 2 * count; k < end; k += 2) {
    const base = pairs[k]! * w;
    let m = pairs[k + 1]!;
    while (m !== 0) {
      const b = 31 - Math.clz32(m & -m);
      const o = b * w;
      for (let j = 0; j < w; j++) acc[o + j]! += counters[base + j]!;
      m &= m - 1;
    }
  }
}
