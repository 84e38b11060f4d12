/**
 * Connectivity rules (names and semantics follow NEST's `Connect`). Every draw is keyed by the counter-based RNG
 * (seed, stream of the projection, neuron, counter), so a seed fixes the network whatever the backend.
 *
 * `generatePairs` states what each rule draws, as (pre, post) pairs in draw order, and `sortPairs` orders them into
 * compressed sparse rows by presynaptic neuron, each row sorted by target. That pair is the reference semantics;
 * networks are built by the direct CSR builders of build-csr.ts (`connect`), which give the same rows without the
 * pair list (test/network/build-csr.test.ts checks them against each other).
 */
import { type CounterRng, streamId } from '../core/rng.ts';
import type { CsrView } from '../kernels/index.ts';
import { randomBits } from '../models/memory/sdm/bits.ts';

/** Default stream of hard-location addresses, shared with the algebraic SDM. */
export const HARD_LOCATION_STREAM = 'sdm:hard-locations';

export type ConnectivityRule =
  | { readonly rule: 'all_to_all'; readonly allow_autapses?: boolean | undefined }
  | { readonly rule: 'one_to_one' }
  | { readonly rule: 'fixed_indegree'; readonly indegree: number; readonly allow_autapses?: boolean | undefined; readonly allow_multapses?: boolean | undefined }
  | { readonly rule: 'fixed_outdegree'; readonly outdegree: number; readonly allow_autapses?: boolean | undefined; readonly allow_multapses?: boolean | undefined }
  | { readonly rule: 'pairwise_bernoulli'; readonly p: number; readonly allow_autapses?: boolean | undefined }
  | { readonly rule: 'explicit'; readonly pairs: ReadonlyArray<readonly [number, number]> }
  /**
   * Kanerva addressing through on/off fibre pairs: the source has 2 * bits fibres (fibre i fires when address bit i
   * is 1, fibre bits + i when it is 0); target j, a hard location with a random address a_j (stream `stream`, index
   * j: the same draw as BinarySdm's hard locations for the same seed), receives fibre i where a_j[i] = 1 and fibre
   * bits + i where a_j[i] = 0. Its input with unit weights is the number of address bits that match its own.
   */
  | { readonly rule: 'address_match'; readonly bits: number; readonly stream?: string | undefined };

/**
 * Milliseconds spent in each part of a network build, summed over populations and projections. `buildNetwork` adds
 * to the one it is given (`BuildOptions.profile`); bench/scale.ts prints it.
 */
export interface BuildProfile {
  /** Populations: validation and initial state. */
  populationsMs: number;
  /** Drawing the connections of each rule. */
  pairsMs: number;
  /** Ordering them into rows by source, each row sorted by target. */
  sortMs: number;
  /** Weights and delays per synapse, and the projection's CSR record. */
  csrMs: number;
}

/** A profile with every part at zero. */
export function emptyBuildProfile(): BuildProfile {
  return { populationsMs: 0, pairsMs: 0, sortMs: 0, csrMs: 0 };
}

/** Pairs grown in typed arrays (amortised doubling). */
export class PairList {
  pre = new Uint32Array(1024);
  post = new Uint32Array(1024);
  length = 0;
  push(i: number, j: number): void {
    if (this.length === this.pre.length) {
      const np = new Uint32Array(this.pre.length * 2);
      np.set(this.pre);
      this.pre = np;
      const nq = new Uint32Array(this.post.length * 2);
      nq.set(this.post);
      this.post = nq;
    }
    this.pre[this.length] = i;
    this.post[this.length] = j;
    this.length++;
  }
}

/**
 * Generates the pairs of a rule between nPre and nPost neurons. `selfConnections` says whether pre and post are
 * the same population (autapses are then i === j). Throws RangeError with a message fit for the user on impossible
 * requests (for example an indegree larger than the source without multapses).
 */
export function generatePairs(
  rule: ConnectivityRule,
  nPre: number,
  nPost: number,
  samepopulation: boolean,
  rng: CounterRng,
  stream: number,
): PairList {
  const out = new PairList();
  switch (rule.rule) {
    case 'all_to_all': {
      const auto = rule.allow_autapses ?? true;
      for (let i = 0; i < nPre; i++) for (let j = 0; j < nPost; j++) if (auto || !samePop(samepopulation, i, j)) out.push(i, j);
      return out;
    }
    case 'one_to_one': {
      if (nPre !== nPost) throw new RangeError(`one_to_one needs equal sizes, got ${nPre} and ${nPost}`);
      for (let i = 0; i < nPre; i++) out.push(i, i);
      return out;
    }
    case 'pairwise_bernoulli': {
      // Geometric skipping over candidate targets: O(synapses) draws instead of O(nPre * nPost).
      const p = rule.p;
      const auto = rule.allow_autapses ?? true;
      if (p <= 0) return out;
      const logq = Math.log1p(-p);
      for (let i = 0; i < nPre; i++) {
        let j = -1;
        for (let k = 0; ; k++) {
          j += p >= 1 ? 1 : 1 + Math.floor(Math.log(rng.uniform(stream, i, k)) / logq);
          if (j >= nPost) break;
          if (auto || !samePop(samepopulation, i, j)) out.push(i, j);
        }
      }
      return out;
    }
    case 'fixed_indegree':
    case 'fixed_outdegree': {
      const indeg = rule.rule === 'fixed_indegree';
      const k = indeg ? rule.indegree : rule.outdegree;
      const nOwn = indeg ? nPost : nPre; // the side whose degree is fixed
      const nOther = indeg ? nPre : nPost;
      const auto = rule.allow_autapses ?? true;
      const multi = rule.allow_multapses ?? true;
      checkFixedDegree(rule.rule, k, nOther, auto, multi, samepopulation);
      const seen = multi ? null : new Uint8Array(nOther);
      const chosen = new Uint32Array(k);
      for (let a = 0; a < nOwn; a++) {
        let c = 0;
        for (let draw = 0; c < k; draw++) {
          const b = rng.int(nOther, stream, a, draw);
          if (!auto && samePop(samepopulation, a, b)) continue;
          if (seen) {
            if (seen[b]) continue;
            seen[b] = 1;
          }
          chosen[c++] = b;
        }
        for (let c2 = 0; c2 < k; c2++) {
          const b = chosen[c2]!;
          if (seen) seen[b] = 0;
          if (indeg) out.push(b, a);
          else out.push(a, b);
        }
      }
      return out;
    }
    case 'address_match': {
      const n = rule.bits;
      if (nPre !== 2 * n) throw new RangeError(`address_match with ${n} bits needs a source of ${2 * n} on/off fibres, got ${nPre}`);
      const s = streamId(rule.stream ?? HARD_LOCATION_STREAM);
      for (let j = 0; j < nPost; j++) {
        const a = randomBits(rng, n, s, j);
        for (let i = 0; i < n; i++) out.push(a[i] === 1 ? i : n + i, j);
      }
      return out;
    }
    case 'explicit': {
      for (const [i, j] of rule.pairs) {
        if (!(Number.isInteger(i) && i >= 0 && i < nPre)) throw new RangeError(`source index ${i} outside 0..${nPre - 1}`);
        if (!(Number.isInteger(j) && j >= 0 && j < nPost)) throw new RangeError(`target index ${j} outside 0..${nPost - 1}`);
        out.push(i, j);
      }
      return out;
    }
  }
}

function samePop(same: boolean, i: number, j: number): boolean {
  return same && i === j;
}

/**
 * Refuses a fixed-degree rule that cannot be met: k above the distinct partners available without multapses (less
 * the neuron itself without autapses in one population), or any k > 0 with no partner at all.
 */
export function checkFixedDegree(rule: 'fixed_indegree' | 'fixed_outdegree', k: number, nOther: number, auto: boolean, multi: boolean, samePopulation: boolean): void {
  const what = rule === 'fixed_indegree' ? 'indegree' : 'outdegree';
  const available = nOther - (!auto && samePopulation ? 1 : 0);
  if (!multi && k > available) throw new RangeError(`${what} ${k} exceeds the ${available} distinct partners available without multapses`);
  if (k > 0 && available <= 0) throw new RangeError(`no partners available for ${what} ${k}`);
}

/** Rows by presynaptic neuron: the targets of neuron i are `col[rowPtr[i] .. rowPtr[i+1])`, in increasing order. */
export interface CsrLayout {
  readonly rowPtr: Uint32Array;
  readonly col: Uint32Array;
}

/**
 * Synapses of one projection in compressed sparse rows by presynaptic neuron: the targets of neuron i are
 * `col[rowPtr[i] .. rowPtr[i+1])`. A constant weight or delay is stored once (`weights`/`delays` null); otherwise one
 * float32 weight and one uint16 delay (in ticks) per synapse: 4 + 4 + 2 bytes per synapse at most. A projection
 * built by worker threads (parallel.ts) holds all its arrays in SharedArrayBuffers, others none.
 */
export interface Csr extends CsrView {
  readonly nPre: number;
  readonly nPost: number;
}

/**
 * Counting sort of pairs by presynaptic index, then each row sorted by target, so that the synapse (i, j) can be
 * found by binary search (`findSynapse`). Multapses stay adjacent.
 */
export function sortPairs(pairs: PairList, nPre: number): CsrLayout {
  const n = pairs.length;
  const rowPtr = new Uint32Array(nPre + 1);
  for (let s = 0; s < n; s++) rowPtr[pairs.pre[s]! + 1]!++;
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const fill = rowPtr.slice(0, nPre);
  const col = new Uint32Array(n);
  for (let s = 0; s < n; s++) col[fill[pairs.pre[s]!]!++] = pairs.post[s]!;
  for (let i = 0; i < nPre; i++) {
    const a = rowPtr[i]!;
    const b = rowPtr[i + 1]!;
    let sorted = true;
    for (let s = a + 1; s < b && sorted; s++) if (col[s - 1]! > col[s]!) sorted = false;
    if (!sorted) col.subarray(a, b).sort();
  }
  return { rowPtr, col };
}

/** Index of the first synapse from i to j in a CSR with sorted rows, or -1. */
export function findSynapse(c: Pick<Csr, 'rowPtr' | 'col'>, i: number, j: number): number {
  let lo = c.rowPtr[i]!;
  let hi = c.rowPtr[i + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.col[mid]! < j) lo = mid + 1;
    else hi = mid;
  }
  return lo < c.rowPtr[i + 1]! && c.col[lo] === j ? lo : -1;
}

/** Bytes a projection's CSR arrays hold (row pointers, targets, and weights and delays where stored per synapse). */
export function csrBytes(c: Csr): number {
  return c.rowPtr.byteLength + c.col.byteLength + (c.weights?.byteLength ?? 0) + (c.delays?.byteLength ?? 0);
}
