/**
 * The algebraic SDM on given activity: hard locations are whatever cells a circuit activated, with how many spikes.
 * This is the reference a spiking circuit's reads are compared with (scenarios/protocols/sdm.ts): the same writes and
 * reads as Kanerva's counters (binary.ts), computed on the circuit's own granule codes.
 *
 * An activity is a list of (location, count) pairs, count >= 1 (a granule cell's spikes in the presentation window;
 * all counts 1 is a plain active set). With r locations and w value bits:
 *
 *   write (a, v):  C_{j,k} += (2 v_k - 1) a_j                                   (Kanerva 1988, counts as weights)
 *   read (a):      s_k = sum_j a_j C_{j,k},  y_k = [s_k > 0]  (tie 0 -> 0, as tie 'zero')
 *
 * and, with `centered` (the covariance rule; Tsodyks & Feigel'man 1988, Dayan & Willshaw 1991),
 *
 *   write (a, v):  C_{j,k} += (2 v_k - 1) (a_j - |a| / r),   |a| = sum_j a_j
 *
 * which is what heterosynaptic normalisation of the parallel-fibre weights computes (models/plasticity/cf-gated.ts):
 * the read then carries no interference from the mean overlap between codes. The centred write touches every location;
 * it is kept as plain counters C plus one total per value bit, T_k = sum_p (2 v_{p,k} - 1) |a_p| over the writes p:
 * the centred counters are C_{j,k} - T_k / r, and a read is s_k - |a| T_k / r.
 *
 * Error-driven writes (`writeError`, docs/DECISIONS.md 47): read first, then write only the value bits read wrong,
 *
 *   write (a, v, mask):  C_{j,k} += (2 v_k - 1) a_j   (centred: (2 v_k - 1)(a_j - |a| / r))   for k with mask_k = 1,
 *
 * which is what a cf_gated write window gated per Purkinje cell computes (CfGatedRule.openWindow(plastic)); with
 * `centered`, T_k also changes only for those k, as the heterosynaptic correction covers only the plastic cells.
 *
 * Counters are float64 and never saturate. A circuit whose weights reach their bounds departs from this reference: the
 * plasticity rule counts those changes (`clipped`, reported by the SDM protocol as plasticity_clipped).
 */
import { wrongBits } from './bits.ts';

export interface Activity {
  readonly cells: ArrayLike<number>;
  /** Spikes per cell, parallel to `cells`; absent = 1 each. */
  readonly counts?: ArrayLike<number>;
}

export class ActivitySdm {
  private readonly counters: Float64Array;
  /** T_k: sum over writes of (2 v_k - 1) |a|. */
  private readonly columnTotals: Float64Array;

  constructor(
    readonly r: number,
    readonly valueBits: number,
    readonly centered: boolean,
  ) {
    if (!Number.isInteger(r) || r < 1) throw new RangeError(`r must be a positive integer, got ${r}`);
    if (!Number.isInteger(valueBits) || valueBits < 1) throw new RangeError(`valueBits must be a positive integer, got ${valueBits}`);
    this.counters = new Float64Array(r * valueBits);
    this.columnTotals = new Float64Array(valueBits);
  }

  /** Writes v at activity a; with `plastic` (valueBits entries) only the bits k with plastic[k] != 0. */
  write(a: Activity, value: ArrayLike<number>, plastic?: ArrayLike<number>): void {
    const w = this.valueBits;
    if (plastic !== undefined && plastic.length !== w) throw new RangeError(`plastic mask of ${plastic.length} entries, expected ${w}`);
    const gate = (k: number) => plastic === undefined || plastic[k] !== 0;
    let total = 0;
    for (let q = 0; q < a.cells.length; q++) {
      const j = a.cells[q]!;
      const c = a.counts ? a.counts[q]! : 1;
      if (!(j >= 0 && j < this.r)) throw new RangeError(`cell ${j} outside 0..${this.r - 1}`);
      total += c;
      const base = j * w;
      for (let k = 0; k < w; k++) if (gate(k)) this.counters[base + k]! += value[k] ? c : -c;
    }
    for (let k = 0; k < w; k++) if (gate(k)) this.columnTotals[k]! += value[k] ? total : -total;
  }

  /**
   * Error-driven write: reads at `read` (the activity of the read that preceded the write), then writes v at `a` only
   * at the bits read wrong. Returns the read bits and the mask of wrong bits (all zero: nothing was written).
   */
  writeError(a: Activity, value: Uint8Array, read: Activity = a): { readonly bits: Uint8Array; readonly wrong: Uint8Array; readonly wrongCount: number } {
    const bits = this.read(read);
    const wrong = wrongBits(bits, value);
    let wrongCount = 0;
    for (const b of wrong) wrongCount += b;
    if (wrongCount > 0) this.write(a, value, wrong);
    return { bits, wrong, wrongCount };
  }

  /** The read sums s_k (centred when the memory is). */
  sums(a: Activity): Float64Array {
    const w = this.valueBits;
    const s = new Float64Array(w);
    let total = 0;
    for (let q = 0; q < a.cells.length; q++) {
      const j = a.cells[q]!;
      const c = a.counts ? a.counts[q]! : 1;
      total += c;
      const base = j * w;
      for (let k = 0; k < w; k++) s[k]! += c * this.counters[base + k]!;
    }
    if (this.centered) for (let k = 0; k < w; k++) s[k]! -= (total * this.columnTotals[k]!) / this.r;
    return s;
  }

  read(a: Activity): Uint8Array {
    const s = this.sums(a);
    const bits = new Uint8Array(this.valueBits);
    for (let k = 0; k < this.valueBits; k++) bits[k] = s[k]! > 0 ? 1 : 0;
    return bits;
  }
}
