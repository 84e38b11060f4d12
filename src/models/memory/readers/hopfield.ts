/**
 * Classic Hopfield network (Hopfield 1982, "Neural networks and physical systems with emergent collective
 * computational abilities", PNAS 79:2554) over N bipolar units s_i in {-1, +1}, storing P patterns xi^p with the
 * Hebbian rule
 *
 *   W_ij = (1/N) sum_p xi^p_i xi^p_j   (i != j),   W_ii = 0,
 *
 * and the threshold dynamics s_i <- sgn(h_i), h_i = sum_j W_ij s_j. Tie rule: a unit whose field is exactly 0 keeps
 * its state (Hopfield's "no change" at threshold). The network keeps the integer couplings
 * C_ij = N W_ij = sum_p xi^p_i xi^p_j, so fields are exact integers (times 1/N) and ties are exact, not rounding
 * accidents.
 *
 * Dynamics, each until a sweep changes nothing (a fixed point) or `maxSweeps` sweeps:
 *  - 'async': one sweep visits every free unit once, in a fresh seeded random order per sweep (Fisher-Yates with
 *    u = rng.uniform(stream, index, sweep, t)), or in index order when no generator is given; each update sees the
 *    states already updated. The energy E = -1/2 sum_ij W_ij s_i s_j never increases, so it always ends at a fixed
 *    point. Fields are kept incrementally (O(N) per flip).
 *  - 'sync': every free unit updates at once from the same fields (Little 1974); it ends at a fixed point or a
 *    2-cycle (Goles, Fogelman-Soulie & Pellegrin 1985), which is reported as `cycle`.
 *
 * Capacity: for random patterns and N -> infinity the stored patterns stay (near-)stable up to the load
 * alpha = P/N = 0.138 (Amit, Gutfreund & Sompolinsky 1985, Phys. Rev. Lett. 55:1530). The per-bit error of one update
 * from a stored pattern follows from signal N - 1 against crosstalk, a sum of (P - 1)(N - 1) independent +-1 terms:
 * P_err ~ Phi(-1/sqrt(alpha)) for large N. `hopfieldCapacity(N)` is the whole number of patterns below that load,
 * floor(0.138 N): 8 patterns for N = 64, 17 for N = 128. Far above it (1,024 patterns in 64 units is a load of 16)
 * the stored patterns are not fixed points and recall ends in spurious states about 60% right per bit.
 *
 * Cues may contain 0 for "unknown" units: they contribute no input until updated, and a 0 unit whose field is 0
 * becomes -1 (bit 0, as the default tie rule of the other readers).
 *
 * Heteroassociation (a standard choice): store the concatenated patterns [key; value] (N = n + valueBits,
 * `heteroPatterns`), clamp the key units to the query and let the value units settle from 0 ("unknown");
 * `hopfieldHeteroRead` does this.
 */
import { InputError } from '../../../core/errors.ts';
import { CounterRng, streamId } from '../../../core/rng.ts';
import type { PatternSet } from './patterns.ts';

/** A Hopfield network: N units, P stored patterns, integer couplings C = N W (row-major N x N, symmetric, zero diagonal). */
export interface HopfieldNetwork {
  readonly size: number;
  readonly patterns: number;
  readonly couplings: Int32Array;
}

/** Stream of the asynchronous update order. */
export const HOPFIELD_ORDER_STREAM = streamId('readers:hopfield-order');

/**
 * Stores P patterns given as a row-major P x N matrix of 0/1 bits (bit 1 -> +1, 0 -> -1) with the Hebbian rule
 * (file comment). Cost O(P N^2).
 */
export function hopfieldStore(patterns: Uint8Array, size: number): HopfieldNetwork {
  if (!Number.isInteger(size) || size < 1) throw new InputError('hopfieldStore size', `a positive integer, got ${size}`);
  if (patterns.length % size !== 0) throw new InputError('hopfieldStore patterns', `a multiple of size = ${size} bits, got ${patterns.length}`);
  const P = patterns.length / size;
  if (P >= 2 ** 31) throw new InputError('hopfieldStore patterns', `fewer than 2^31 patterns (int32 couplings), got ${P}`);
  const N = size;
  const C = new Int32Array(N * N);
  const x = new Int8Array(N);
  for (let p = 0; p < P; p++) {
    const o = p * N;
    for (let i = 0; i < N; i++) {
      const b = patterns[o + i]!;
      if (b !== 0 && b !== 1) throw new InputError(`hopfieldStore patterns[${o + i}]`, `0 or 1, got ${b}`);
      x[i] = b === 1 ? 1 : -1;
    }
    // upper triangle only; mirrored below
    for (let i = 0; i < N; i++) {
      const xi = x[i]!;
      const row = i * N;
      for (let j = i + 1; j < N; j++) C[row + j]! += xi * x[j]!;
    }
  }
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) C[j * N + i] = C[i * N + j]!;
  return { size: N, patterns: P, couplings: C };
}

/** The weights W = C / N as doubles (row-major N x N). */
export function hopfieldWeights(net: HopfieldNetwork): Float64Array {
  const N = net.size;
  return Float64Array.from(net.couplings, (c) => c / N);
}

function checkState(net: HopfieldNetwork, s: Int8Array, where: string): void {
  if (s.length !== net.size) throw new InputError(where, `${net.size} units, got ${s.length}`);
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v !== 1 && v !== -1 && v !== 0) throw new InputError(`${where}[${i}]`, `+1, -1 or 0, got ${v}`);
  }
}

/** Integer fields N h_i = sum_j C_ij s_j, written into `out`. */
function integerFields(net: HopfieldNetwork, s: Int8Array, out: Float64Array): Float64Array {
  const N = net.size;
  const C = net.couplings;
  for (let i = 0; i < N; i++) {
    const row = i * N;
    let h = 0;
    for (let j = 0; j < N; j++) h += C[row + j]! * s[j]!;
    out[i] = h;
  }
  return out;
}

/** Local fields h_i = sum_j W_ij s_j (exact integer sums divided by N). */
export function hopfieldFields(net: HopfieldNetwork, state: Int8Array, out: Float64Array = new Float64Array(net.size)): Float64Array {
  checkState(net, state, 'hopfieldFields state');
  integerFields(net, state, out);
  for (let i = 0; i < net.size; i++) out[i]! /= net.size;
  return out;
}

/** Energy E = -1/2 sum_ij W_ij s_i s_j (Hopfield 1982, eq. 7, without thresholds). */
export function hopfieldEnergy(net: HopfieldNetwork, state: Int8Array): number {
  checkState(net, state, 'hopfieldEnergy state');
  const h = integerFields(net, state, new Float64Array(net.size));
  let e = 0;
  for (let i = 0; i < net.size; i++) e += h[i]! * state[i]!;
  return -e / (2 * net.size);
}

/** Next state of one unit from its (integer) field: sgn(h), ties keep the state, 0 with a 0 field becomes -1. */
function nextState(h: number, s: number): number {
  return h > 0 ? 1 : h < 0 ? -1 : s === 0 ? -1 : s;
}

/** Whether every free unit (clamp bit 0) is stable: it would not change under its own update. */
export function isFixedPoint(net: HopfieldNetwork, state: Int8Array, clamp?: Uint8Array): boolean {
  checkState(net, state, 'isFixedPoint state');
  if (clamp !== undefined && clamp.length !== net.size) throw new InputError('isFixedPoint clamp', `${net.size} flags, got ${clamp.length}`);
  const h = integerFields(net, state, new Float64Array(net.size));
  for (let i = 0; i < net.size; i++) {
    if (clamp !== undefined && clamp[i] === 1) continue;
    if (nextState(h[i]!, state[i]!) !== state[i]) return false;
  }
  return true;
}

export interface HopfieldRecallOptions {
  /** 'async' (random sequential) or 'sync' (all units at once). */
  readonly mode: 'async' | 'sync';
  /** Largest number of sweeps (default 100). */
  readonly maxSweeps?: number;
  /** N flags, 1 = the unit is clamped to the cue and never updated. */
  readonly clamp?: Uint8Array;
  /** Generator of the asynchronous order; without it units are visited in index order. */
  readonly rng?: CounterRng;
  /** Stream of the order (default 'readers:hopfield-order'). */
  readonly stream?: number;
  /** Counter index of the order, e.g. the trial number (default 0). */
  readonly index?: number;
}

export interface HopfieldRecall {
  /** Final state (+1/-1; 0 only for clamped unknown units). */
  readonly state: Int8Array;
  /** A sweep changed nothing: the final state is a fixed point. */
  readonly converged: boolean;
  /** Sweeps run, including the last one that changed nothing when converged. */
  readonly sweeps: number;
  /** Unit updates that changed a state, in total. */
  readonly flips: number;
  /** Synchronous dynamics stopped in a 2-cycle (the state after the last sweep equals the one two sweeps back). */
  readonly cycle: boolean;
}

/**
 * Runs the dynamics (file comment) from `cue` (+1, -1 or 0 per unit; not modified) until a fixed point, a 2-cycle
 * ('sync') or `maxSweeps` sweeps.
 */
export function hopfieldRecall(net: HopfieldNetwork, cue: Int8Array, options: HopfieldRecallOptions): HopfieldRecall {
  checkState(net, cue, 'hopfieldRecall cue');
  const { mode } = options;
  if (mode !== 'async' && mode !== 'sync') throw new InputError('hopfieldRecall mode', `'async' or 'sync', got ${String(mode)}`);
  const maxSweeps = options.maxSweeps ?? 100;
  if (!Number.isInteger(maxSweeps) || maxSweeps < 0) throw new InputError('hopfieldRecall maxSweeps', `a non-negative integer, got ${maxSweeps}`);
  const N = net.size;
  const clamp = options.clamp;
  if (clamp !== undefined && clamp.length !== N) throw new InputError('hopfieldRecall clamp', `${N} flags, got ${clamp.length}`);
  let nFree = 0;
  const free = new Uint32Array(N);
  for (let i = 0; i < N; i++) if (clamp === undefined || clamp[i] !== 1) free[nFree++] = i;
  const s = cue.slice();
  const h = integerFields(net, s, new Float64Array(N));
  const C = net.couplings;
  // Changing unit u by delta moves every field h_i by C_iu delta = C_ui delta (C symmetric).
  const apply = (u: number, delta: number): void => {
    const row = u * N;
    for (let i = 0; i < N; i++) h[i]! += C[row + i]! * delta;
  };
  let flips = 0;
  if (mode === 'async') {
    const order = new Uint32Array(nFree);
    const rng = options.rng;
    const stream = options.stream ?? HOPFIELD_ORDER_STREAM;
    const index = options.index ?? 0;
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      order.set(free.subarray(0, nFree));
      if (rng !== undefined) {
        for (let t = nFree - 1; t > 0; t--) {
          const j = Math.floor(rng.uniform(stream, index, sweep, t) * (t + 1));
          const x = order[t]!;
          order[t] = order[j]!;
          order[j] = x;
        }
      }
      let changed = 0;
      for (let t = 0; t < nFree; t++) {
        const u = order[t]!;
        const old = s[u]!;
        const next = nextState(h[u]!, old);
        if (next !== old) {
          s[u] = next;
          apply(u, next - old);
          changed++;
        }
      }
      flips += changed;
      if (changed === 0) return { state: s, converged: true, sweeps: sweep + 1, flips, cycle: false };
    }
    return { state: s, converged: false, sweeps: maxSweeps, flips, cycle: false };
  }
  // synchronous: s(t+1)_u = sgn(h_u(s(t))) for every free u; a 2-cycle is s(t+1) = s(t-1).
  const before = new Int8Array(N);
  const next = new Int8Array(N);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    next.set(s);
    for (let t = 0; t < nFree; t++) {
      const u = free[t]!;
      next[u] = nextState(h[u]!, s[u]!);
    }
    let changed = 0;
    for (let t = 0; t < nFree; t++) {
      const u = free[t]!;
      const delta = next[u]! - s[u]!;
      if (delta !== 0) {
        apply(u, delta);
        changed++;
      }
    }
    flips += changed;
    if (changed === 0) return { state: s, converged: true, sweeps: sweep + 1, flips, cycle: false };
    let cycle = sweep > 0;
    for (let i = 0; i < N && cycle; i++) if (next[i] !== before[i]) cycle = false;
    before.set(s);
    s.set(next);
    if (cycle) return { state: s, converged: false, sweeps: sweep + 1, flips, cycle: true };
  }
  return { state: s, converged: false, sweeps: maxSweeps, flips, cycle: false };
}

/**
 * One synchronous update of every unit, s'_i = sgn(h_i) (ties keep the state), from `state` into `out`. Returns the
 * number of units that changed.
 */
export function hopfieldSyncStep(net: HopfieldNetwork, state: Int8Array, out: Int8Array = new Int8Array(net.size)): { state: Int8Array; changed: number } {
  checkState(net, state, 'hopfieldSyncStep state');
  if (out.length !== net.size || out === state) throw new InputError('hopfieldSyncStep out', `a separate array of ${net.size} units`);
  const h = integerFields(net, state, new Float64Array(net.size));
  let changed = 0;
  for (let i = 0; i < net.size; i++) {
    out[i] = nextState(h[i]!, state[i]!);
    if (out[i] !== state[i]) changed++;
  }
  return { state: out, changed };
}

/** Rows [key; value] (width n + valueBits) of a pattern set, for a heteroassociative Hopfield network. */
export function heteroPatterns(set: PatternSet): Uint8Array {
  const { m, n, valueBits: w } = set;
  const out = new Uint8Array(m * (n + w));
  for (let p = 0; p < m; p++) {
    out.set(set.keys.subarray(p * n, (p + 1) * n), p * (n + w));
    out.set(set.values.subarray(p * w, (p + 1) * w), p * (n + w) + n);
  }
  return out;
}

/**
 * The Hopfield network of a pattern set: the keys (N = n) for an autoassociative set, the concatenated [key; value]
 * patterns (N = n + valueBits) for a heteroassociative one.
 */
export function hopfieldOf(set: PatternSet): HopfieldNetwork {
  return set.association === 'auto' ? hopfieldStore(set.keys, set.n) : hopfieldStore(heteroPatterns(set), set.n + set.valueBits);
}

/** A Hopfield read: the recalled bits and how the dynamics ended. */
export interface HopfieldRead {
  /** Recalled bits (+1 -> 1, -1 and 0 -> 0): all N units for `hopfieldReadBits`, the value units for `hopfieldHeteroRead`. */
  readonly bits: Uint8Array;
  readonly recall: HopfieldRecall;
}

function toBits(s: Int8Array, from: number): Uint8Array {
  const out = new Uint8Array(s.length - from);
  for (let i = from; i < s.length; i++) out[i - from] = s[i]! > 0 ? 1 : 0;
  return out;
}

/** Autoassociative read: recall from the bits of a cue (1 -> +1, 0 -> -1). */
export function hopfieldReadBits(net: HopfieldNetwork, cue: Uint8Array, options: HopfieldRecallOptions): HopfieldRead {
  if (cue.length !== net.size) throw new InputError('hopfieldReadBits cue', `${net.size} bits, got ${cue.length}`);
  const s = Int8Array.from(cue, (b) => (b === 1 ? 1 : -1));
  const recall = hopfieldRecall(net, s, options);
  return { bits: toBits(recall.state, 0), recall };
}

/**
 * Heteroassociative read of a [key; value] network (file comment): the first key.length units are clamped to the
 * key, the value units start unknown (0) and settle; returns the value bits.
 */
export function hopfieldHeteroRead(net: HopfieldNetwork, key: Uint8Array, options: Omit<HopfieldRecallOptions, 'clamp'>): HopfieldRead {
  const n = key.length;
  if (n < 1 || n >= net.size) throw new InputError('hopfieldHeteroRead key', `between 1 and ${net.size - 1} bits, got ${n}`);
  const s = new Int8Array(net.size);
  const clamp = new Uint8Array(net.size);
  for (let i = 0; i < n; i++) {
    s[i] = key[i] === 1 ? 1 : -1;
    clamp[i] = 1;
  }
  const recall = hopfieldRecall(net, s, { ...options, clamp });
  return { bits: toBits(recall.state, n), recall };
}

/** Critical load P/N of the Hebbian network for random patterns, N -> infinity (Amit, Gutfreund & Sompolinsky 1985). */
export const HOPFIELD_CRITICAL_LOAD = 0.138;

/**
 * Capacity of a Hebbian network of N units for random patterns: floor(0.138 N) (file comment), the most patterns it
 * can store and still retrieve (AGS's retrieval state at the critical load has about 1.5% of its bits wrong).
 */
export function hopfieldCapacity(size: number): number {
  if (!Number.isInteger(size) || size < 1) throw new InputError('hopfieldCapacity size', `a positive integer, got ${size}`);
  return Math.floor(HOPFIELD_CRITICAL_LOAD * size);
}
