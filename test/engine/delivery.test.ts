/**
 * Batched delivery (src/engine/partition.ts deliverPart: spikes in batches of ROW_BATCH, rows touched first) against
 * plain loops over the spikes and their synapses (the engine's delivery before batching, kept here as the reference):
 * the same ring contents bit for bit, the same input marks, dirty slots and event counts, with constant and per-synapse
 * weights and delays, multapses, marks, and thread splits (each thread's part delivered alone, all parts together
 * equal to the whole). The weights span many orders of magnitude, so adding a target's inputs in another order
 * changes its float sum (a check below makes sure of that).
 */
import { describe, expect, it } from 'vitest';
import { type DeliveryCsr, ROW_BATCH, deliverPart, markWords, rowSplits, sliceBounds } from '../../src/engine/partition.ts';
import { xorshift32 as rng } from '../xorshift.ts';

interface Options {
  weights: boolean;
  delays: boolean;
}

/** A CSR of nPre rows into n targets, every row sorted by target, with multapses (repeated targets in a row). */
function makeCsr(nPre: number, n: number, meanOut: number, opt: Options, seed: number): DeliveryCsr {
  const r = rng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < nPre; i++) {
    const len = Math.floor(r() * 2 * meanOut);
    const row: number[] = [];
    for (let k = 0; k < len; k++) {
      const j = Math.floor(r() * n);
      row.push(j);
      if (r() < 0.1) row.push(j); // a multapse
    }
    row.sort((a, b) => a - b);
    rows.push(row);
  }
  const rowPtr = new Uint32Array(nPre + 1);
  for (let i = 0; i < nPre; i++) rowPtr[i + 1] = rowPtr[i]! + rows[i]!.length;
  const col = Uint32Array.from(rows.flat());
  const m = col.length;
  // Magnitudes from 1e-9 to 1e9 and both signs: the sum of a target's inputs depends on their order.
  const weights = opt.weights ? Float32Array.from({ length: m }, () => (r() < 0.5 ? -1 : 1) * 10 ** (r() * 18 - 9)) : null;
  const delays = opt.delays ? Uint16Array.from({ length: m }, () => 1 + Math.floor(r() * 5)) : null;
  return { nPre, rowPtr, col, weights, weight: 0.1 + r(), delays, delay: 1 + Math.floor(r() * 3) };
}

/** The delivery before batching: plain loops over the spikes, then their synapses (rows cut by `bounds`/`stride`). */
function reference(
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
  marks: Int32Array | null,
): number {
  if (splits === null && t > 0) return 0;
  const bounds = splits ?? csr.rowPtr;
  const stride = splits === null ? 1 : T + 1;
  const { col, weights, weight, delays, delay } = csr;
  const words = markWords(n);
  let events = 0;
  if (delays === null) dirty[(s + delay) % L] = 1;
  for (let q = 0; q < count; q++) {
    const r = spikes[q]! * stride + t;
    const a = bounds[r]!;
    const b = bounds[r + 1]!;
    events += b - a;
    for (let syn = a; syn < b; syn++) {
      const slot = (s + (delays === null ? delay : delays[syn]!)) % L;
      const j = col[syn]!;
      ring[slot * n + j]! += weights === null ? weight : weights[syn]!;
      if (marks !== null) marks[slot * words + (j >>> 5)]! |= 1 << (j & 31);
      dirty[slot] = 1;
    }
  }
  return events;
}

interface Target {
  ring: Float64Array | Float32Array;
  dirty: Uint8Array;
  marks: Int32Array | null;
}

function target(n: number, L: number, f32: boolean, withMarks: boolean, seed: number): Target {
  const r = rng(seed);
  // Rings start from non-zero values (inputs of earlier ticks), as they do in a run.
  const ring = f32 ? new Float32Array(n * L) : new Float64Array(n * L);
  for (let k = 0; k < ring.length; k++) ring[k] = r() < 0.3 ? (r() - 0.5) * 10 ** (r() * 6 - 3) : 0;
  return { ring, dirty: new Uint8Array(L), marks: withMarks ? new Int32Array(L * markWords(n)) : null };
}

/** Ascending spikes (as the kernels emit them), `count` of nPre, drawn without repetition. */
function spikesOf(nPre: number, count: number, seed: number): Uint32Array {
  const r = rng(seed);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, nPre)) chosen.add(Math.floor(r() * nPre));
  return Uint32Array.from([...chosen].sort((a, b) => a - b));
}

/** The first index at which two arrays differ bit for bit (-1: none; lengths must agree), so a failure says where. */
function firstDiff(a: Float64Array | Float32Array | Int32Array | Uint8Array | null, b: Float64Array | Float32Array | Int32Array | Uint8Array | null): number {
  if (a === null || b === null) return a === b ? -1 : 0;
  if (a.length !== b.length) return 0;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return Math.floor(k / a.BYTES_PER_ELEMENT);
  return -1;
}

const CASES: Array<Options & { name: string }> = [
  { name: 'constant weight and delay', weights: false, delays: false },
  { name: 'per-synapse weights', weights: true, delays: false },
  { name: 'per-synapse delays', weights: false, delays: true },
  { name: 'per-synapse weights and delays', weights: true, delays: true },
];

describe('batched delivery (partition.ts deliverPart)', () => {
  const nPre = 700;
  const n = 1000;
  const L = 7;
  for (const c of CASES)
    for (const withMarks of [false, true])
      for (const f32 of [false, true])
        it(`equals plain loops bit for bit: ${c.name}${withMarks ? ', marks' : ''}, float${f32 ? 32 : 64}`, () => {
          const csr = makeCsr(nPre, n, 12, c, 11 + (c.weights ? 1 : 0) + (c.delays ? 2 : 0));
          // Spike counts below, at and across ROW_BATCH, and a whole tick of many.
          for (const count of [0, 1, ROW_BATCH - 1, ROW_BATCH, ROW_BATCH + 1, 3 * ROW_BATCH + 5, 400]) {
            const spikes = spikesOf(nPre, count, 100 + count);
            const got = target(n, L, f32, withMarks, 5);
            const want = target(n, L, f32, withMarks, 5);
            // Several ticks in a row, so slots are hit again from other spike ticks.
            for (let s = 3; s < 6; s++) {
              const e1 = deliverPart(csr, null, 1, 0, spikes, spikes.length, s, got.ring, n, L, got.dirty, got.marks);
              const e2 = reference(csr, null, 1, 0, spikes, spikes.length, s, want.ring, n, L, want.dirty, want.marks);
              expect(e1).toBe(e2);
            }
            expect(firstDiff(got.ring, want.ring)).toBe(-1);
            expect(firstDiff(got.dirty, want.dirty)).toBe(-1);
            expect(firstDiff(got.marks, want.marks)).toBe(-1);
          }
        });

  for (const c of CASES)
    for (const T of [2, 3])
      it(`thread parts equal plain loops and together the whole: ${c.name}, ${T} threads, marks`, () => {
        const csr = makeCsr(nPre, n, 12, c, 21 + T);
        const bounds = sliceBounds(n, T, 64);
        const splits = rowSplits(csr, bounds);
        const spikes = spikesOf(nPre, 300, 7 * T);
        const whole = target(n, L, false, true, 9);
        const parts = target(n, L, false, true, 9);
        let eWhole = 0;
        let eParts = 0;
        for (let s = 10; s < 13; s++) {
          eWhole += reference(csr, null, 1, 0, spikes, spikes.length, s, whole.ring, n, L, whole.dirty, whole.marks);
          for (let t = 0; t < T; t++) {
            const alone = target(n, L, false, true, 9);
            const ref = target(n, L, false, true, 9);
            const e = deliverPart(csr, splits, T, t, spikes, spikes.length, s, alone.ring, n, L, alone.dirty, alone.marks);
            expect(e).toBe(reference(csr, splits, T, t, spikes, spikes.length, s, ref.ring, n, L, ref.dirty, ref.marks));
            expect(firstDiff(alone.ring, ref.ring)).toBe(-1);
            expect(firstDiff(alone.marks, ref.marks)).toBe(-1);
            expect(firstDiff(alone.dirty, ref.dirty)).toBe(-1);
            eParts += deliverPart(csr, splits, T, t, spikes, spikes.length, s, parts.ring, n, L, parts.dirty, parts.marks);
          }
        }
        expect(eParts).toBe(eWhole);
        expect(firstDiff(parts.ring, whole.ring)).toBe(-1);
        expect(firstDiff(parts.marks, whole.marks)).toBe(-1);
        expect(firstDiff(parts.dirty, whole.dirty)).toBe(-1);
      });

  it('the test networks are order-sensitive: the same inputs in another spike order give other sums', () => {
    const csr = makeCsr(nPre, n, 12, { weights: true, delays: false }, 12);
    const spikes = spikesOf(nPre, 400, 500);
    const a = target(n, L, false, false, 5);
    const b = target(n, L, false, false, 5);
    reference(csr, null, 1, 0, spikes, spikes.length, 3, a.ring, n, L, a.dirty, null);
    const reversed = spikes.slice().reverse();
    reference(csr, null, 1, 0, reversed, reversed.length, 3, b.ring, n, L, b.dirty, null);
    expect(firstDiff(a.ring, b.ring)).toBeGreaterThanOrEqual(0);
  });
});
