/**
 * The notebook's offline reactivations (models/memory/cls/notebook.ts, `Notebook.settle`), eight at a time in a
 * WebAssembly SIMD kernel: `NotebookLanes` wraps a notebook and is a `ReplaySource` whose `settleEpochs` gives the
 * schedule exactly the results of `settle`, reactivation for reactivation (docs/DECISIONS.md 53).
 *
 * The kernel (assembly/notebook-lanes.ts, AssemblyScript, compiled to notebook-lanes.wasm next to this file) keeps
 * eight reactivations in the lanes of i16x8 vectors: the overlaps o_mu of the eight states are interleaved, so one
 * vector load per (unit, pattern) pair gathers G_i = sum_{mu ∋ i} o_mu for all eight (10,000 pairs at the published
 * size). Each lane's kWTA cycle is then an exact selection on integer keys. With S = k active units (a seed has k,
 * every kWTA cycle keeps k) the field is h_i = (1/n)[G_i - a k c_i - a T + a^2 k P - gamma (1 - a) k] - A'_i s_i,
 * A'_i = (1/n)[(1 - 2a) c_i + P a^2 - gamma (1 - a)], so with an integer D that makes D a, D a^2, D gamma (1 - a) and
 * D (1 - 2a) integers,
 *   D n h_i = K_i + (a constant of the lane),   K_i = D G_i - D a k c_i - s_i [D (1 - 2a) c_i + D a^2 P - D gamma (1 - a)],
 * an integer. Distinct fields differ by at least 1/(D n) (2.6e-5 at the published a = 1/20, gamma = 0.6, M = 2000),
 * so the notebook's rule (fields within 1e-9 tied, lowest index first) is: equal keys tied, lowest index first. The
 * kernel takes the k largest keys among the units at or above a bar drawn from a regular sample of 128 units (every
 * unit when fewer than k reach it; keys below the bar are below the k-th largest, so no tie reaches below it).
 * A lane stops when its state is a stored pattern that is a kWTA fixed point (the cycle the notebook would run there
 * changes nothing) or when its kWTA cycles are spent, and reports the reactivation done when its state is then a
 * stored pattern that is a fixed point of the fixed-threshold cycle (the notebook's threshold phase changes nothing
 * either): the outcome is 'stored', distance 0, k active.
 * Which stored patterns are fixed points is found once, by the notebook itself (`storedFixedPoint`). Every other
 * ending (a kWTA fixed point that is not a stored pattern, a stored pattern that moves under the threshold cycle,
 * kWTA cycles exhausted elsewhere) is handed back to the notebook, which runs the fixed-threshold phase from the
 * state the lane's kWTA phase ended in (`settleFrom`; 0.8% of the reactivations at the published size); a seed that
 * is itself a stored pattern, the whole reactivation.
 * A notebook the keys cannot represent (no D up to 10,000 with D n <= 10^6, G beyond int16, P k pairs beyond the
 * memory plan) is refused by `notebookLanesSupport`, and its schedules are computed by the notebook alone.
 * Tests: test/backends/notebook-lanes.test.ts (schedules array for array against the notebook's; the binary against
 * a compilation of its source).
 */
import { readFileSync } from 'node:fs';
import { packRecallStates, type Classification, type Dataset, type Notebook, type NotebookCounters, type RecallStates, type ReplaySource, type SettleResult } from '../../../models/memory/cls/index.ts';
import { wasm, WASM_PAGE_BYTES, type WasmInstance } from './api.ts';

/** Reactivations advanced together (the lanes of an i16x8 vector). */
export const NOTEBOOK_LANES = 8;
/** Units in the regular sample whose keys set each cycle's bar. */
const SAMPLE = 128;
/**
 * Expected candidates per cycle, in multiples of k (the bar's rank in the sample): 2 measured fastest at the
 * published size (1.5-2.5 within 5%; 0.5% of the cycles take the lower bar).
 */
const CANDIDATE_FACTOR = 2;

export interface NotebookLanesOptions {
  /** Expected candidates per cycle in multiples of k (default 2); below 1 most cycles take the lower bars (tests). */
  readonly candidateFactor?: number;
}

/** Lane status codes (assembly/notebook-lanes.ts). */
const DONE = 1;

let compiled: object | undefined;

/** The compiled kernel (read and compiled once per thread). */
function kernelModule(): object {
  compiled ??= new wasm.Module(readFileSync(new URL('./notebook-lanes.wasm', import.meta.url)));
  return compiled;
}

/** The integer scale of the keys: D and the integers D a, D a^2, D gamma (1 - a), D (1 - 2a); undefined when none. */
export interface KeyScale {
  readonly d: number;
  readonly a1: number;
  readonly a2: number;
  readonly a3: number;
  readonly a4: number;
}

/** The smallest D <= 10,000 making the key's coefficients integers (each within 1e-9 of one), with D n <= 10^6; else undefined. */
export function keyScale(a: number, gamma: number, norm: number): KeyScale | undefined {
  const near = (x: number): number | undefined => {
    const r = Math.round(x);
    return Math.abs(x - r) <= 1e-9 ? r : undefined;
  };
  for (let d = 1; d <= 10_000 && d * norm <= 1e6; d++) {
    const a1 = near(d * a);
    const a2 = near(d * a * a);
    const a3 = near(d * gamma * (1 - a));
    const a4 = near(d * (1 - 2 * a));
    if (a1 !== undefined && a2 !== undefined && a3 !== undefined && a4 !== undefined) return { d, a1, a2, a3, a4 };
  }
  return undefined;
}

/** Why the lanes cannot run this notebook's reactivations exactly, or undefined when they can. */
export function notebookLanesSupport(nb: Notebook): string | undefined {
  const { a, gamma } = nb.params;
  if (!keyScale(a, gamma, nb.norm)) return `no integer key scale for a = ${a}, gamma = ${gamma} (D n <= 10^6)`;
  const counts = nb.encoding.counts;
  const maxCount = counts.length > 0 ? counts[counts.length - 1]! : 0;
  if (maxCount * nb.k > 32767) return `G may exceed int16 (max pattern count ${maxCount} x k ${nb.k})`;
  const { d, kappa0, kappa1 } = keyConstants(nb);
  let kappa = 0;
  for (let c = 0; c < kappa0.length; c++) kappa = Math.max(kappa, Math.abs(kappa0[c]!), Math.abs(kappa1[c]!));
  if (d * maxCount * nb.k + kappa >= 2 ** 30) return `keys beyond int32 (D ${d}, largest constant ${kappa})`;
  if (nb.k < 1 || nb.k >= nb.m) return `k = ${nb.k} of M = ${nb.m} leaves nothing to select`;
  if (nb.m > 32767) return `M = ${nb.m} beyond the kernel's int16 unit indices`;
  if (nb.p * nb.k > 1 << 24) return `P k = ${nb.p * nb.k} pairs beyond the kernel's memory plan`;
  return undefined;
}

/**
 * The kernel's integer keys of a state with k active units: K_i = D G_i + kappa_{s_i}(c_i) with
 * kappa_0(c) = -D a k c and kappa_1(c) = kappa_0(c) - [D (1 - 2a) c + D a^2 P - D gamma (1 - a)] (see the file
 * comment), as written into the kernel's tables: D and kappa per pattern count c.
 */
export function keyConstants(nb: Notebook): { readonly d: number; readonly kappa0: Float64Array; readonly kappa1: Float64Array } {
  const scale = keyScale(nb.params.a, nb.params.gamma, nb.norm);
  if (!scale) throw new RangeError(`notebook lanes: ${notebookLanesSupport(nb) ?? 'no integer key scale'}`);
  const counts = nb.encoding.counts;
  const maxC = counts.length > 0 ? counts[counts.length - 1]! : 0;
  // as doubles (exact integers far below 2^53): notebookLanesSupport refuses constants beyond int32 range
  const kappa0 = new Float64Array(maxC + 1);
  const kappa1 = new Float64Array(maxC + 1);
  for (let c = 0; c <= maxC; c++) {
    kappa0[c] = -scale.a1 * nb.k * c;
    kappa1[c] = kappa0[c]! - (scale.a4 * c + scale.a2 * nb.p - scale.a3);
  }
  return { d: scale.d, kappa0, kappa1 };
}

interface Exports {
  init(header: number): void;
  seed(lane: number, stream: number, index: number, tick: number, k0: number, k1: number): number;
  seedUnits(lane: number): number;
  step(mask: number): number;
}

/** A notebook's reactivations, eight at a time (see the file comment). */
export class NotebookLanes implements ReplaySource {
  readonly m: number;
  readonly p: number;
  /** Reactivations handed back to the notebook, and the lane cycles, gathers and full candidate passes the kernel ran. */
  readonly kernelWork = { handedBack: 0, laneCycles: 0, gathers: 0, fullPasses: 0 };
  /**
   * The cycles the notebook would have counted for the kWTA phases the lanes ran (changing cycles, plus the cycle that
   * finds the fixed point unless the cycles ran out) and for the threshold phases they skipped (one cycle that
   * changes nothing), so that `counters.cycles` grows as the notebook's own count.
   */
  private cyclesRun = 0;
  private readonly ex: Exports;
  private readonly i32: Int32Array;
  private readonly activeAt: number;
  private readonly seedUnitsAt: number;
  /** Bit 0: stored pattern mu is a kWTA fixed point; bit 1: a fixed-threshold fixed point. */
  private readonly fixed: Uint8Array;
  private readonly laneAt: number;
  private readonly workAt: number;
  private readonly k: number;

  /** @throws RangeError when `notebookLanesSupport` refuses the notebook. */
  constructor(
    readonly notebook: Notebook,
    options: NotebookLanesOptions = {},
  ) {
    const why = notebookLanesSupport(notebook);
    if (why) throw new RangeError(`notebook lanes: ${why}`);
    const { m, p, k } = notebook;
    this.m = m;
    this.p = p;
    this.k = k;
    const { d, kappa0: kc0, kappa1: kc1 } = keyConstants(notebook);
    const counts = notebook.encoding.counts;
    const maxC = counts[m - 1]!;
    const { unitPtr, unitPatterns } = notebook;
    const nnz = unitPatterns.length;
    const ns = Math.min(SAMPLE, m);
    const factor = options.candidateFactor ?? CANDIDATE_FACTOR;
    if (!(factor > 0)) throw new RangeError(`notebook lanes: candidateFactor must be > 0, got ${factor}`);
    const rank = Math.min(ns, Math.max(1, Math.ceil((ns * factor * k) / m)));

    // memory plan: 16-byte aligned arrays after a 256-byte header (sizes, then these pointers in this order: the
    // kernel's init reads them so)
    let at = 256;
    const take = (bytes: number): number => {
      const ptr = at;
      at += Math.ceil(bytes / 16) * 16;
      return ptr;
    };
    const L = NOTEBOOK_LANES;
    const ptr = {
      cs: take(4 * (maxC + 2)),
      uo: take(4 * nnz),
      up: take(4 * (m + 1)),
      um: take(4 * nnz),
      k0: take(4 * m),
      k1: take(4 * m),
      kc0: take(4 * (maxC + 1)),
      kc1: take(4 * (maxC + 1)),
      fix: take(p),
      samp: take(4 * ns),
      o8: take(2 * L * p),
      g8: take(2 * L * m),
      bar8: take(2 * L * (maxC + 1)),
      state: take(L * m),
      active: take(4 * L * k),
      cand: take(4 * m),
      key: take(4 * m),
      sel: take(4 * m),
      win: take(4 * (k + 1)),
      lane: take(4 * L * 8),
      work: take(16),
      mask: take(8 * Math.ceil(m / 8)),
      pack: take(16 * 256),
      cl: take(2 * (m + 8)),
      s8: take(2 * L * m),
      pat: take(4 * p * k),
      seed: take(4 * L * k),
      sk: take(4 * L * ns),
    };
    const memory = new wasm.Memory({ initial: Math.ceil(at / WASM_PAGE_BYTES) + 1 });
    const buf = memory.buffer as ArrayBuffer;
    const i32 = new Int32Array(buf);
    const u8 = new Uint8Array(buf);
    const w = (p0: number, values: ArrayLike<number>): void => i32.set(values, p0 >> 2);

    const cs = new Int32Array(maxC + 2);
    for (let i = 0, c = 0; c <= maxC + 1; c++) {
      while (i < m && counts[i]! < c) i++;
      cs[c] = i;
    }
    w(ptr.cs, cs);
    w(ptr.uo, Int32Array.from(unitPatterns, (mu) => ptr.o8 + 16 * mu));
    w(ptr.up, unitPtr);
    w(ptr.pat, Int32Array.from(notebook.patterns, (i) => ptr.s8 + 16 * i));
    w(ptr.um, unitPatterns);
    // K_i = D G_i + kappa_s(c_i) (keyConstants); per unit: kappa_0 and what activity adds, kappa_1 - kappa_0
    w(ptr.kc0, kc0);
    w(ptr.kc1, kc1);
    w(ptr.k0, Int32Array.from(counts, (c) => kc0[c]!));
    w(ptr.k1, Int32Array.from(counts, (c) => kc1[c]! - kc0[c]!));
    for (let mu = 0; mu < p; mu++) u8[ptr.fix + mu] = notebook.storedFixedPoint(mu);
    // left-pack shuffles: for each 8-bit mask, the byte pairs of its set bits' i16 lanes first (i8x16.swizzle)
    for (let mask = 0; mask < 256; mask++) {
      let r = 0;
      for (let j = 0; j < 8; j++)
        if (mask & (1 << j)) {
          u8[ptr.pack + 16 * mask + 2 * r] = 2 * j;
          u8[ptr.pack + 16 * mask + 2 * r + 1] = 2 * j + 1;
          r++;
        }
      for (; r < 8; r++) u8[ptr.pack + 16 * mask + 2 * r] = u8[ptr.pack + 16 * mask + 2 * r + 1] = 0x80;
    }
    const sample = new Int32Array(ns);
    for (let j = 0; j < ns; j++) sample[j] = Math.floor(((2 * j + 1) * m) / (2 * ns));
    w(ptr.samp, sample);
    w(0, [m, p, k, maxC, d, ns, rank, notebook.params.kwtaCycles]);
    w(32, Object.values(ptr));

    const instance: WasmInstance = new wasm.Instance(kernelModule(), { env: { memory } });
    this.ex = instance.exports as unknown as Exports;
    this.ex.init(0);
    this.i32 = i32;
    this.activeAt = ptr.active >> 2;
    this.seedUnitsAt = ptr.seed >> 2;
    this.fixed = u8.slice(ptr.fix, ptr.fix + p);
    this.laneAt = ptr.lane >> 2;
    this.workAt = ptr.work >> 2;
  }

  /** The notebook's state (the final state of the reactivation last handed back to it). */
  get state(): Uint8Array {
    return this.notebook.state;
  }

  /**
   * The notebook's work counters with the lanes' work: over the reactivations of `settleEpochs` (the differences a
   * schedule records), `cycles` grows as the notebook's own count would; the notebook's probes of the stored patterns
   * in the constructor count as its cycles, recalls not at all. `selections` adds the lane cycles, `recomputes` the
   * eight-lane gathers.
   */
  get counters(): Readonly<NotebookCounters> {
    const c = this.notebook.counters;
    const k = this.kernelWork;
    return { cycles: c.cycles + this.cyclesRun, selections: c.selections + k.laneCycles, recomputes: c.recomputes + k.gathers, columnUpdates: c.columnUpdates };
  }

  /** One reactivation, by the notebook itself. */
  settle(epoch: number, slot: number): SettleResult {
    return this.notebook.settle(epoch, slot);
  }

  /**
   * Runs jobs 0 .. total - 1 through the eight lanes, in order: `start(l, q)` puts job q in lane l (false: the job
   * ended without the lane, which takes the next one), `finish(l, q)` takes job q when its lane reports it.
   */
  private drive(total: number, start: (lane: number, q: number) => boolean, finish: (lane: number, q: number) => void): void {
    const L = NOTEBOOK_LANES;
    const job = new Int32Array(L).fill(-1);
    let next = 0;
    let mask = 0;
    const refill = (l: number): void => {
      while (next < total) {
        const q = next++;
        if (!start(l, q)) continue;
        job[l] = q;
        mask |= 1 << l;
        return;
      }
      job[l] = -1;
      mask &= ~(1 << l);
    };
    for (let l = 0; l < L; l++) refill(l);
    while (mask !== 0) {
      let out = this.ex.step(mask);
      while (out !== 0) {
        const l = 31 - Math.clz32(out & -out);
        out &= out - 1;
        finish(l, job[l]!);
        refill(l);
      }
    }
  }

  /**
   * `Notebook.recallStates(data)`, eight recalls at a time: the first cycle (on the cue's graded activity) by the
   * notebook, the binary kWTA cycles after it in the kernel; the same states, array for array.
   */
  recallStates(data: Dataset): RecallStates {
    const { k, ex, i32 } = this;
    const { unitPtr, unitPatterns } = this.notebook;
    const count = data.count;
    const memory = new Int32Array(count);
    const distance = new Int32Array(count);
    const ends: Array<{ row: number; units: Int32Array }> = [];
    const cycles = this.notebook.params.kwtaCycles - 1;
    const first = new Int32Array(k);
    const overlap = new Int32Array(this.p);
    /** Where a recall ended that is not exactly a stored pattern: classified as `Notebook.classify` does. */
    const classify = (row: number, units: Int32Array): void => {
      overlap.fill(0);
      for (const i of units) for (let q = unitPtr[i]!; q < unitPtr[i + 1]!; q++) overlap[unitPatterns[q]!]!++;
      let best = 0;
      for (let mu = 1; mu < this.p; mu++) if (overlap[mu]! > overlap[best]!) best = mu;
      memory[row] = best;
      distance[row] = units.length + k - 2 * overlap[best]!;
      ends.push({ row, units });
    };
    this.drive(
      count,
      (l, row) => {
        this.notebook.recallFirstCycle(data.x.subarray(row * data.n, row * data.n + data.n), first);
        i32.set(first, this.seedUnitsAt + l * k);
        const mu = ex.seedUnits(l);
        if (mu >= 0 && ((this.fixed[mu]! & 1) !== 0 || cycles <= 0)) {
          memory[row] = mu; // a stored pattern the kWTA cycles keep (or none to run)
          return false;
        }
        if (cycles <= 0) {
          classify(row, first.slice());
          return false;
        }
        return true;
      },
      (l, row) => {
        const base = this.laneAt + 8 * l;
        if (i32[base] === DONE) memory[row] = i32[base + 2]!;
        else classify(row, i32.slice(this.activeAt + l * k, this.activeAt + l * k + k).sort());
      },
    );
    return packRecallStates(data, memory, distance, ends);
  }

  /** Every reactivation of epochs from..to, eight at a time; `record` gets each once, in the order they finish. */
  settleEpochs(from: number, to: number, record: (epoch: number, slot: number, r: SettleResult) => void): void {
    const { p, k, ex, i32 } = this;
    const total = Math.max(0, to - from + 1) * p;
    const { seed, stream } = this.notebook.seedDraw;
    const k0 = seed >>> 0;
    const k1 = Math.floor(seed / 4294967296) >>> 0;
    const scratch = new Uint8Array(this.m);
    const kwtaMax = this.notebook.params.kwtaCycles;
    const thresholdCheck = this.notebook.params.thresholdCycles > 0 ? 1 : 0;
    /** Reactivation q to the notebook: from its seed, or (lane l) from the state the lane's kWTA phase ended in. */
    const handBack = (q: number, l = -1): void => {
      const e = from + Math.floor(q / p);
      const slot = q % p;
      this.kernelWork.handedBack++;
      if (l < 0) {
        record(e, slot, this.notebook.settle(e, slot));
        return;
      }
      scratch.fill(0);
      for (let r = this.activeAt + l * k, end = r + k; r < end; r++) scratch[i32[r]!] = 1;
      record(e, slot, this.notebook.settleFrom(scratch, i32[this.laneAt + 8 * l + 1]!));
    };
    const w0 = [i32[this.workAt]!, i32[this.workAt + 1]!, i32[this.workAt + 2]!];
    this.drive(
      total,
      (l, q) => {
        if (ex.seed(l, stream, q % p, from + Math.floor(q / p), k0, k1) < 0) return true;
        handBack(q); // the seed is itself a stored pattern
        return false;
      },
      (l, q) => {
        const base = this.laneAt + 8 * l;
        const kw = i32[base + 1]!;
        this.cyclesRun += kw + (kw < kwtaMax ? 1 : 0);
        if (i32[base] === DONE) {
          this.cyclesRun += thresholdCheck;
          const memory = i32[base + 2]!;
          const r: Classification & { kwtaCycles: number; thresholdCycles: number } = { outcome: 'stored', memory, distance: 0, active: k, kwtaCycles: kw, thresholdCycles: 0 };
          record(from + Math.floor(q / p), q % p, r);
        } else handBack(q, l);
      },
    );
    this.kernelWork.gathers += i32[this.workAt]! - w0[0]!;
    this.kernelWork.laneCycles += i32[this.workAt + 1]! - w0[1]!;
    this.kernelWork.fullPasses += i32[this.workAt + 2]! - w0[2]!;
  }
}
