/**
 * How a network is split over threads (src/engine/threads.ts), as pure functions both sides of a thread boundary use.
 *
 * - Neurons: each population large enough to pay is cut into one contiguous slice per thread; a small one stays
 *   whole on thread 0. A neuron is updated by the thread that owns it, and nothing else writes its state.
 * - Delivery: every thread walks all spikes of the tick but writes only into the ring slots of the targets it owns.
 *   CSR rows are sorted by target (network/connectivity.ts, sortPairs), so a thread's part of a row is one
 *   contiguous range, found once at set-up (`rowSplits`). A target receives its inputs in exactly the order the
 *   single-threaded engine adds them (population, projection, spike, synapse), so the float sums are bit-identical
 *   whatever the thread count.
 */

import { type CsrView, markWords } from '../kernels/index.ts';

/** Populations smaller than this are not split (thread 0 updates them whole): a slice must outweigh its call. */
export const MIN_SPLIT = 256;

/**
 * Slice boundaries of a population of n neurons over `threads` threads: bounds[t]..bounds[t+1] is thread t's slice
 * (length threads + 1). Below `minSplit` neurons everything is thread 0's.
 */
export function sliceBounds(n: number, threads: number, minSplit = MIN_SPLIT): Uint32Array {
  const b = new Uint32Array(threads + 1);
  if (n < minSplit || threads === 1) {
    b.fill(n, 1);
    return b;
  }
  // Interior bounds on multiples of 32: a word of an input-mark bitmap (deliverMarked) then belongs to one thread.
  for (let t = 1; t < threads; t++) b[t] = Math.min(n, Math.floor((n * t) / threads / 32) * 32);
  b[threads] = n;
  return b;
}

/** The parts of a CSR that delivery reads (network/connectivity.ts Csr). */
export interface DeliveryCsr extends CsrView {
  readonly nPre: number;
}

/**
 * Where each thread's synapses begin in every row: splits[i * (T + 1) + t] is the first synapse of row i whose target
 * is at or after bounds[t] (T = bounds.length - 1). Throws when a row is not sorted by target (an engine invariant:
 * network/connectivity.ts sortPairs sorts every row). `alloc` places the table (shared memory for a thread team).
 */
export function rowSplits(csr: DeliveryCsr, bounds: Uint32Array, alloc: (n: number) => Uint32Array = (n) => new Uint32Array(n)): Uint32Array {
  const T = bounds.length - 1;
  const { rowPtr, col, nPre } = csr;
  const out = alloc(nPre * (T + 1));
  for (let i = 0; i < nPre; i++) {
    const a = rowPtr[i]!;
    const b = rowPtr[i + 1]!;
    for (let s = a + 1; s < b; s++) if (col[s]! < col[s - 1]!) throw new Error(`internal: CSR row ${i} is not sorted by target`);
    const base = i * (T + 1);
    out[base] = a;
    out[base + T] = b;
    for (let t = 1; t < T; t++) {
      // first synapse in [a, b) with col >= bounds[t]
      let lo = t > 1 ? out[base + t - 1]! : a;
      let hi = b;
      const key = bounds[t]!;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (col[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      out[base + t] = lo;
    }
  }
  return out;
}

/**
 * Spikes per batch of a delivery. A batch's rows are touched first (one load per cache line of `col`, and of `weights`
 * and `delays` where they exist), then its synapses are added in the usual order. The rows of the spikes of a tick lie
 * anywhere in the CSR, so reading them is a run of cache misses; one after the other, each waits for the one before,
 * while the touching loads of a batch do not depend on each other and overlap. Measured inside the simulator on
 * bench/scale.ts's network (2-core dev machine, paired runs): about 30% less delivery time at 256k neurons, no change
 * at 10^6 (where the random additions into the ring, not the rows, take most of it).
 */
export const ROW_BATCH = 16;

/** Row bounds of the spikes being delivered (per module instance, so per thread). */
let rowA = new Uint32Array(1024);
let rowB = new Uint32Array(1024);
/** Where the touching loads go: a value nothing reads would let the compiler drop them. */
let touched = 0;

/** Gathers the bounds of thread t's part of each spike's row into rowA/rowB (independent loads that overlap). */
function gatherRows(bounds: Uint32Array, stride: number, t: number, spikes: Uint32Array, count: number): number {
  if (rowA.length < count) {
    rowA = new Uint32Array(2 * count);
    rowB = new Uint32Array(2 * count);
  }
  let events = 0;
  for (let q = 0; q < count; q++) {
    const r = spikes[q]! * stride + t;
    const a = bounds[r]!;
    const b = bounds[r + 1]!;
    rowA[q] = a;
    rowB[q] = b;
    events += b - a;
  }
  return events;
}

/** Touches the rows of spikes q0..q1 (gatherRows): one load per cache line of each array a synapse reads. */
function touchRows(csr: DeliveryCsr, q0: number, q1: number): void {
  const { col, weights, delays } = csr;
  let acc = 0;
  let wacc = 0;
  for (let q = q0; q < q1; q++) {
    const a = rowA[q]!;
    const b = rowB[q]!;
    if (b === a) continue;
    for (let syn = a; syn < b; syn += 16) acc = (acc + col[syn]!) | 0;
    acc = (acc + col[b - 1]!) | 0;
    if (weights !== null) {
      for (let syn = a; syn < b; syn += 16) wacc += weights[syn]!;
      wacc += weights[b - 1]!;
    }
    if (delays !== null) {
      for (let syn = a; syn < b; syn += 32) acc = (acc + delays[syn]!) | 0;
      acc = (acc + delays[b - 1]!) | 0;
    }
  }
  touched = (touched + acc + (wacc > 0 ? 1 : 0)) | 0;
}

/**
 * Adds the synapses of thread t's part of `count` spike rows (splits: rowSplits; null when the target is not split,
 * so thread 0 delivers whole rows and the others nothing) into the target ring (slot (s + delay) mod L, n targets
 * per slot) and marks the slots it wrote as dirty (a constant delay's slot always, as the single-threaded delivery
 * does). Returns the synaptic events delivered. Spikes go in batches of ROW_BATCH (rows touched first); every target
 * receives its additions in spike order, then synapse order, whatever the batching, so the float sums are those of
 * plain loops over the spikes (test/engine/delivery.test.ts compares them bit for bit).
 */
export function deliverPart(
  csr: DeliveryCsr,
  splits: Uint32Array | null,
  T: number,
  t: number,
  spikes: Uint32Array,
  count: number,
  s: number,
  ring: Float64Array | Float32Array,
  n: number,
  L: number,
  dirty: Uint8Array,
  marks: Int32Array | null = null,
): number {
  // No splits: the target is not split, and thread 0 owns all of it (rows as they are).
  if (splits === null && t > 0) return 0;
  const events = gatherRows(splits ?? csr.rowPtr, splits === null ? 1 : T + 1, t, spikes, count);
  if (marks !== null) deliverMarked(csr, count, s, ring, n, L, dirty, marks);
  else deliverRows(csr, count, s, ring, n, L, dirty);
  return events;
}

/** The additions of deliverPart without marks, for the rows gatherRows left in rowA/rowB. */
function deliverRows(csr: DeliveryCsr, count: number, s: number, ring: Float64Array | Float32Array, n: number, L: number, dirty: Uint8Array): void {
  const { col, weights, weight, delays, delay } = csr;
  if (delays === null) {
    const slot = (s + delay) % L;
    const base = slot * n;
    dirty[slot] = 1;
    for (let q0 = 0; q0 < count; q0 += ROW_BATCH) {
      const q1 = Math.min(count, q0 + ROW_BATCH);
      touchRows(csr, q0, q1);
      for (let q = q0; q < q1; q++) {
        const a = rowA[q]!;
        const b = rowB[q]!;
        if (weights === null) for (let syn = a; syn < b; syn++) ring[base + col[syn]!]! += weight;
        else for (let syn = a; syn < b; syn++) ring[base + col[syn]!]! += weights[syn]!;
      }
    }
  } else {
    for (let q0 = 0; q0 < count; q0 += ROW_BATCH) {
      const q1 = Math.min(count, q0 + ROW_BATCH);
      touchRows(csr, q0, q1);
      for (let q = q0; q < q1; q++) {
        const b = rowB[q]!;
        for (let syn = rowA[q]!; syn < b; syn++) {
          const slot = (s + delays[syn]!) % L;
          dirty[slot] = 1;
          ring[slot * n + col[syn]!]! += weights === null ? weight : weights[syn]!;
        }
      }
    }
  }
}

export { markWords };

/**
 * deliverPart for a target whose kernel skips resting neurons: each synapse also sets its target's bit in the slot's
 * input-mark bitmap (markWords(n) words per slot), so the kernel knows which resting neurons have input.
 */
function deliverMarked(
  csr: DeliveryCsr,
  count: number,
  s: number,
  ring: Float64Array | Float32Array,
  n: number,
  L: number,
  dirty: Uint8Array,
  marks: Int32Array,
): void {
  const { col, weights, weight, delays, delay } = csr;
  const words = markWords(n);
  for (let q0 = 0; q0 < count; q0 += ROW_BATCH) {
    const q1 = Math.min(count, q0 + ROW_BATCH);
    touchRows(csr, q0, q1);
    for (let q = q0; q < q1; q++) {
      const b = rowB[q]!;
      for (let syn = rowA[q]!; syn < b; syn++) {
        const slot = delays === null ? (s + delay) % L : (s + delays[syn]!) % L;
        const j = col[syn]!;
        ring[slot * n + j]! += weights === null ? weight : weights[syn]!;
        marks[slot * words + (j >>> 5)]! |= 1 << (j & 31);
        dirty[slot] = 1;
      }
    }
  }
  if (delays === null) dirty[(s + delay) % L] = 1;
}

/** Synapses the rows of `count` spikes hold (the events a delivery of them makes). */
export function rowEvents(rowPtr: Uint32Array, spikes: Uint32Array, count: number): number {
  let e = 0;
  for (let q = 0; q < count; q++) {
    const i = spikes[q]!;
    e += rowPtr[i + 1]! - rowPtr[i]!;
  }
  return e;
}
