/**
 * Direct CSR builders: each connectivity rule written straight into compressed sparse rows, without the list of
 * (pre, post) pairs and the comparison sort that `generatePairs` + `sortPairs` (connectivity.ts) need. They draw
 * exactly the numbers the pair generator draws, with the same counters, and order each row by target as `sortPairs`
 * does, so a seed gives the same CSR, array for array (test/network/csr-hashes.test.ts and build-csr.test.ts):
 *
 * - fixed_indegree and address_match draw per target, in target order: k sources per target go into what becomes
 *   the target array, and are then turned into rows by source with a two-pass counting sort (first into buckets of
 *   2^shift sources, then into rows within each bucket, which stays in cache). Targets arrive in increasing order and
 *   both passes are stable, so every row comes out sorted, multapses adjacent.
 * - pairwise_bernoulli draws per source, in increasing target order: rows come out sorted and in order.
 * - fixed_outdegree draws per source: rows of exactly k targets, each sorted in place.
 * - all_to_all and one_to_one are written directly; explicit lists go through the pair list.
 *
 * The drawing rules run as jobs of independent chunks (`ChunkJob`, `runChunk`): a chunk reads its inputs and writes
 * only its own part of the outputs, the same whichever thread runs it and however often, so a `ChunkRunner` may run
 * the chunks in this thread (`serialRunner`) or spread them over worker threads (parallel.ts) with the same result.
 */
import { CounterRng, streamId } from '../core/rng.ts';
import { toTicks } from '../core/time.ts';
import { randomPackedInto, wordsFor } from '../models/memory/sdm/bits.ts';
import { type ConnectivityRule, type CsrLayout, HARD_LOCATION_STREAM, checkFixedDegree, generatePairs, sortPairs } from './connectivity.ts';
import { type ValueSpec, sampler } from './distributions.ts';

/** About this many synapses per chunk: ~0.1 s of drawing, small enough to balance threads, large enough to be cheap. */
export const CHUNK_SYNAPSES = 1 << 20;

/** A fixed_indegree or fixed_outdegree rule, validated: `nOwn` neurons draw k partners each among `nOther`. */
export interface DegreeDraw {
  readonly k: number;
  /** Neurons whose degree is fixed (targets for indegree, sources for outdegree). */
  readonly nOwn: number;
  /** Neurons they draw from. */
  readonly nOther: number;
  /** Whether a draw of the neuron itself is refused (no autapses within one population). */
  readonly noSelf: boolean;
  /** Whether a partner drawn twice is refused (no multapses). */
  readonly distinct: boolean;
}

/** What the targets of a target-major rule draw: k sources each (fixed_indegree), or address fibres (address_match). */
export type TargetDraw = { readonly rule: 'fixed_indegree'; readonly d: DegreeDraw } | { readonly rule: 'address_match'; readonly bits: number; readonly stream: number };

/** How a target-major rule's synapses are bucketed by source for the two-pass counting sort. */
export interface Buckets {
  /** Sources per bucket: 2^shift (1 to 10). */
  readonly shift: number;
  /** Bits of a target index in a packed (source within bucket, target) word. */
  readonly jBits: number;
  readonly count: number;
}

/** One job of chunks; every array is shared with the threads that run it (or plain in one thread). */
export type ChunkJob =
  | {
      /** Pass 0 of target-major rules: targets [c * per, ...) draw their sources into `drawn[j * k ..]`. */
      readonly kind: 'draw-targets';
      readonly seed: number;
      readonly stream: number;
      readonly draw: TargetDraw;
      readonly nPost: number;
      readonly k: number;
      readonly per: number;
      readonly buckets: Buckets;
      readonly drawn: Uint32Array;
      /** Synapses per (chunk, bucket), written by the chunk: `hist[c * buckets.count + b]`. */
      readonly hist: Uint32Array;
    }
  | {
      /** Pass 1: a chunk of targets moves its synapses, packed, to their buckets, from `offsets[c * count ..]`. */
      readonly kind: 'scatter-buckets';
      readonly nPost: number;
      readonly k: number;
      readonly per: number;
      readonly buckets: Buckets;
      readonly drawn: Uint32Array;
      readonly offsets: Uint32Array;
      readonly packed: Uint32Array;
    }
  | {
      /** Pass 2: buckets [c * per, ...) write the row pointers of their sources and their targets into `col`. */
      readonly kind: 'fill-rows';
      readonly nPre: number;
      readonly per: number;
      readonly buckets: Buckets;
      /** First synapse of each bucket (count + 1 entries). */
      readonly start: Uint32Array;
      readonly packed: Uint32Array;
      readonly rowPtr: Uint32Array;
      readonly col: Uint32Array;
    }
  | {
      /** pairwise_bernoulli: sources [c * per, ...) into `col[capacity[c] .. capacity[c + 1])`, lengths to rowLength. */
      readonly kind: 'bernoulli';
      readonly seed: number;
      readonly stream: number;
      readonly p: number;
      readonly noSelf: boolean;
      readonly nPre: number;
      readonly nPost: number;
      readonly per: number;
      readonly capacity: Float64Array;
      readonly col: Uint32Array;
      readonly rowLength: Uint32Array;
      /** Synapses each chunk wrote, or OVERFLOW when its room was too small (the caller then redoes it). */
      readonly used: Uint32Array;
    }
  | {
      /** fixed_outdegree: sources [c * per, ...) draw k targets each into `col[i * k ..]`, each row then sorted. */
      readonly kind: 'draw-sources';
      readonly seed: number;
      readonly stream: number;
      readonly d: DegreeDraw;
      readonly per: number;
      readonly col: Uint32Array;
    }
  | {
      /** Drawn weights or delays of synapses [c * per, ...): element s from (stream, s) as `drawValue` draws it. */
      readonly kind: 'values';
      readonly seed: number;
      readonly stream: number;
      readonly spec: ValueSpec;
      readonly n: number;
      readonly per: number;
      /** Delays: the time step that turns ms into ticks (clipped to [1, 65535]); absent for weights. */
      readonly dtMs: number | null;
      readonly out: Float32Array | Uint16Array;
    };

/** Marks a Bernoulli chunk whose synapses did not fit in its room. */
export const OVERFLOW = 0xffffffff;

/**
 * Runs the chunks of jobs: in this thread (`serialRunner`) or over worker threads (parallel.ts `ConnectPool`).
 * Arrays come from `alloc`, so that the threads that run the chunks see them.
 */
export interface ChunkRunner {
  /** Whether chunks may run in other threads (the arrays from alloc are then SharedArrayBuffer views). */
  readonly parallel: boolean;
  /** About how many synapses a chunk should hold (the network does not depend on it). */
  readonly chunkSynapses: number;
  alloc(n: number): Uint32Array;
  allocFloat32(n: number): Float32Array;
  allocUint16(n: number): Uint16Array;
  allocFloat64(n: number): Float64Array;
  /** Scratch space of at least n elements, zeroed or not; valid until the next call of scratch. */
  scratch(n: number): Uint32Array;
  /** Runs chunks 0 .. chunks-1 of the job, each to completion, and returns when all have. */
  run(job: ChunkJob, chunks: number): void;
}

/** Runs every chunk in this thread, in order, on plain arrays. */
export const serialRunner: ChunkRunner = {
  parallel: false,
  chunkSynapses: CHUNK_SYNAPSES,
  alloc: (n) => new Uint32Array(n),
  allocFloat32: (n) => new Float32Array(n),
  allocUint16: (n) => new Uint16Array(n),
  allocFloat64: (n) => new Float64Array(n),
  scratch: (n) => new Uint32Array(n),
  run(job, chunks) {
    for (let c = 0; c < chunks; c++) runChunk(job, c);
  },
};

/** Time spent drawing connections and ordering them into rows (ms), added to by `connect`. */
export interface ConnectTimes {
  pairsMs: number;
  sortMs: number;
}

const rngs = new Map<number, CounterRng>();
/** The generator of a seed (one per thread and seed). */
function rngOf(seed: number): CounterRng {
  let r = rngs.get(seed);
  if (!r) {
    if (rngs.size > 16) rngs.clear();
    r = new CounterRng(seed);
    rngs.set(seed, r);
  }
  return r;
}

/** Runs chunk c of a job. A pure function of the job's inputs that writes only chunk c's part of its outputs. */
export function runChunk(job: ChunkJob, c: number): void {
  switch (job.kind) {
    case 'draw-targets': {
      const lo = c * job.per;
      const hi = Math.min(job.nPost, lo + job.per);
      const out = job.drawn.subarray(lo * job.k, hi * job.k);
      const rng = rngOf(job.seed);
      if (job.draw.rule === 'fixed_indegree') drawFixedDegree(job.draw.d, rng, job.stream, lo, hi, out);
      else drawAddressFibres(job.draw.bits, rng, job.draw.stream, lo, hi, out);
      const { shift, count } = job.buckets;
      const hist = job.hist.subarray(c * count, (c + 1) * count);
      hist.fill(0);
      for (let q = 0; q < out.length; q++) hist[out[q]! >>> shift]!++;
      return;
    }
    case 'scatter-buckets': {
      const lo = c * job.per;
      const hi = Math.min(job.nPost, lo + job.per);
      const { shift, jBits, count } = job.buckets;
      const fill = job.offsets.slice(c * count, (c + 1) * count);
      const { drawn, packed, k } = job;
      const low = (1 << shift) - 1;
      let q = lo * k;
      for (let j = lo; j < hi; j++) {
        for (let e = q + k; q < e; q++) {
          const b = drawn[q]!;
          packed[fill[b >>> shift]!++] = ((b & low) << jBits) | j;
        }
      }
      return;
    }
    case 'fill-rows': {
      const { shift, jBits, count } = job.buckets;
      const { start, packed, rowPtr, col, nPre } = job;
      const size = 1 << shift;
      const jMask = 2 ** jBits - 1;
      const fill = new Uint32Array(size);
      for (let b = c * job.per, end = Math.min(count, b + job.per); b < end; b++) {
        const a = start[b]!;
        const z = start[b + 1]!;
        const first = b * size;
        const sources = Math.min(size, nPre - first);
        fill.fill(0);
        for (let s = a; s < z; s++) fill[packed[s]! >>> jBits]!++;
        // Row pointers of the bucket's sources, and where each row's next target goes.
        let at = a;
        for (let i = 0; i < sources; i++) {
          const n = fill[i]!;
          fill[i] = at;
          at += n;
          rowPtr[first + i + 1] = at;
        }
        for (let s = a; s < z; s++) {
          const v = packed[s]!;
          col[fill[v >>> jBits]!++] = v & jMask;
        }
      }
      return;
    }
    case 'bernoulli': {
      const lo = c * job.per;
      const hi = Math.min(job.nPre, lo + job.per);
      const from = job.capacity[c]!;
      const room = job.col.subarray(from, job.capacity[c + 1]!);
      const n = bernoulliInto(job.p, job.noSelf, job.nPost, rngOf(job.seed), job.stream, lo, hi, room, job.rowLength.subarray(lo, hi));
      job.used[c] = n < 0 ? OVERFLOW : n;
      return;
    }
    case 'draw-sources': {
      const lo = c * job.per;
      const hi = Math.min(job.d.nOwn, lo + job.per);
      const out = job.col.subarray(lo * job.d.k, hi * job.d.k);
      drawFixedDegree(job.d, rngOf(job.seed), job.stream, lo, hi, out);
      sortRows(out, job.d.k);
      return;
    }
    case 'values': {
      const lo = c * job.per;
      const hi = Math.min(job.n, lo + job.per);
      const rng = rngOf(job.seed);
      const { out, stream, dtMs } = job;
      const draw = sampler(job.spec);
      if (dtMs === null) for (let s = lo; s < hi; s++) out[s] = draw(rng, stream, s);
      else for (let s = lo; s < hi; s++) out[s] = Math.min(MAX_DELAY_TICKS, Math.max(1, toTicks(draw(rng, stream, s), dtMs)));
      return;
    }
  }
}

/** Delays are stored as uint16 ticks. */
export const MAX_DELAY_TICKS = 65535;

/**
 * The CSR of a rule between nPre and nPost neurons (`samePopulation`: autapses are i === j), identical to
 * `sortPairs(generatePairs(...))` for the same arguments, with the same RangeErrors. The drawing rules run on
 * `runner` (their arrays are then shared memory when it is parallel). When `times` is given, the milliseconds spent
 * drawing and ordering are added to it.
 */
export function connect(
  rule: ConnectivityRule,
  nPre: number,
  nPost: number,
  samePopulation: boolean,
  rng: CounterRng,
  stream: number,
  runner: ChunkRunner = serialRunner,
  times?: ConnectTimes,
): CsrLayout {
  let t = performance.now();
  const lap = (part: keyof ConnectTimes): void => {
    if (!times) return;
    const now = performance.now();
    times[part] += now - t;
    t = now;
  };
  const seed = rng.seed;
  switch (rule.rule) {
    case 'all_to_all': {
      const out = allToAll(nPre, nPost, samePopulation && !(rule.allow_autapses ?? true));
      lap('pairsMs');
      return out;
    }
    case 'one_to_one': {
      if (nPre !== nPost) throw new RangeError(`one_to_one needs equal sizes, got ${nPre} and ${nPost}`);
      const rowPtr = new Uint32Array(nPre + 1);
      const col = new Uint32Array(nPre);
      for (let i = 0; i < nPre; i++) {
        rowPtr[i + 1] = i + 1;
        col[i] = i;
      }
      lap('pairsMs');
      return { rowPtr, col };
    }
    case 'pairwise_bernoulli': {
      const out = bernoulli(rule.p, samePopulation && !(rule.allow_autapses ?? true), nPre, nPost, seed, stream, runner);
      lap('pairsMs');
      return out;
    }
    case 'fixed_indegree': {
      const d = degreeDraw(rule, nPre, nPost, samePopulation);
      return byTarget({ rule: 'fixed_indegree', d }, d.k, nPre, nPost, seed, stream, runner, lap);
    }
    case 'address_match': {
      const bits = rule.bits;
      if (nPre !== 2 * bits) throw new RangeError(`address_match with ${bits} bits needs a source of ${2 * bits} on/off fibres, got ${nPre}`);
      return byTarget({ rule: 'address_match', bits, stream: streamId(rule.stream ?? HARD_LOCATION_STREAM) }, bits, nPre, nPost, seed, stream, runner, lap);
    }
    case 'fixed_outdegree': {
      const d = degreeDraw(rule, nPre, nPost, samePopulation);
      const col = runner.alloc(nPre * d.k);
      const per = Math.max(1, Math.ceil(runner.chunkSynapses / Math.max(1, d.k)));
      runner.run({ kind: 'draw-sources', seed, stream, d, per, col }, Math.ceil(nPre / per));
      const rowPtr = runner.alloc(nPre + 1);
      for (let i = 0; i < nPre; i++) rowPtr[i + 1] = (i + 1) * d.k;
      lap('pairsMs');
      return { rowPtr, col };
    }
    case 'explicit': {
      const pairs = generatePairs(rule, nPre, nPost, samePopulation, rng, stream);
      lap('pairsMs');
      const out = sortPairs(pairs, nPre);
      lap('sortMs');
      return out;
    }
  }
}

/** Weights drawn per synapse: element s is `drawValue(spec, rng, stream, s)` as float32, as network.ts always drew them. */
export function drawWeights(spec: ValueSpec, n: number, seed: number, stream: number, runner: ChunkRunner = serialRunner): Float32Array {
  const out = runner.allocFloat32(n);
  const per = valuesPerChunk(runner);
  runner.run({ kind: 'values', seed, stream, spec, n, per, dtMs: null, out }, Math.ceil(n / per));
  return out;
}

/** Delays drawn per synapse, in ticks of dtMs clipped to [1, 65535]: element s from `drawValue(spec, rng, stream, s)`. */
export function drawDelays(spec: ValueSpec, n: number, seed: number, stream: number, dtMs: number, runner: ChunkRunner = serialRunner): Uint16Array {
  const out = runner.allocUint16(n);
  const per = valuesPerChunk(runner);
  runner.run({ kind: 'values', seed, stream, spec, n, per, dtMs, out }, Math.ceil(n / per));
  return out;
}

/** Values per chunk of a 'values' job (a drawn value costs a few times a connection's draw). */
function valuesPerChunk(runner: ChunkRunner): number {
  return Math.max(1, Math.ceil(runner.chunkSynapses / 4));
}

/** all_to_all: every row the targets 0..nPost-1, less i itself when autapses are excluded. */
function allToAll(nPre: number, nPost: number, noAutapses: boolean): CsrLayout {
  const rowPtr = new Uint32Array(nPre + 1);
  for (let i = 0; i < nPre; i++) rowPtr[i + 1] = rowPtr[i]! + nPost - (noAutapses && i < nPost ? 1 : 0);
  const col = new Uint32Array(rowPtr[nPre]!);
  let s = 0;
  for (let i = 0; i < nPre; i++) {
    const skip = noAutapses ? i : -1;
    for (let j = 0; j < nPost; j++) if (j !== skip) col[s++] = j;
  }
  return { rowPtr, col };
}

/** Validates a fixed-degree rule (the RangeErrors of `generatePairs`) and returns what its draw needs. */
export function degreeDraw(
  rule: Extract<ConnectivityRule, { rule: 'fixed_indegree' | 'fixed_outdegree' }>,
  nPre: number,
  nPost: number,
  samePopulation: boolean,
): DegreeDraw {
  const indeg = rule.rule === 'fixed_indegree';
  const k = indeg ? rule.indegree : rule.outdegree;
  const nOther = indeg ? nPre : nPost;
  const auto = rule.allow_autapses ?? true;
  const multi = rule.allow_multapses ?? true;
  checkFixedDegree(rule.rule, k, nOther, auto, multi, samePopulation);
  return { k, nOwn: indeg ? nPost : nPre, nOther, noSelf: !auto && samePopulation, distinct: !multi };
}

/**
 * Bucketing for nPre sources and nPost targets: 2^shift sources per bucket (at most 1024, so that a bucket's rows stay
 * in cache while they are filled), and a synapse packed as (source within bucket, target) in 32 bits. Throws a
 * RangeError beyond 2^31 targets, where no bit would be left for the source (circuits allow 5 x 10^7 neurons).
 */
export function bucketsFor(nPre: number, nPost: number): Buckets {
  const jBits = Math.max(1, 32 - Math.clz32(Math.max(1, nPost - 1)));
  const shift = Math.min(10, 32 - jBits);
  if (shift < 1) throw new RangeError(`at most 2^31 targets for a rule drawn per target, got ${nPost}`);
  return { shift, jBits, count: Math.max(1, Math.ceil(nPre / 2 ** shift)) };
}

/**
 * A target-major rule (fixed_indegree, address_match): k sources per target drawn into the target array, then two
 * stable counting passes turn target-major into rows by source (see the file's TSDoc).
 */
function byTarget(draw: TargetDraw, k: number, nPre: number, nPost: number, seed: number, stream: number, runner: ChunkRunner, lap: (part: keyof ConnectTimes) => void): CsrLayout {
  const total = nPost * k;
  const buckets = bucketsFor(nPre, nPost);
  const nB = buckets.count;
  // Chunks of about runner.chunkSynapses synapses, fewer when the (chunk, bucket) table would grow past 2^22 entries.
  const chunksWanted = Math.max(1, Math.min(Math.ceil(total / runner.chunkSynapses), Math.floor((1 << 22) / nB)));
  const per = Math.max(1, Math.ceil(nPost / chunksWanted));
  const chunks = Math.ceil(nPost / per);
  const col = runner.alloc(total);
  const hist = runner.alloc(chunks * nB);
  runner.run({ kind: 'draw-targets', seed, stream, draw, nPost, k, per, buckets, drawn: col, hist }, chunks);
  lap('pairsMs');
  // Each bucket's synapses in chunk (hence target) order: offsets[c][b] = start[b] + the bucket's synapses in chunks < c.
  const offsets = hist; // rewritten in place: hist[c][b] is read before offsets[c][b] replaces it
  const start = runner.alloc(nB + 1);
  let at = 0;
  for (let b = 0; b < nB; b++) {
    start[b] = at;
    for (let c = 0; c < chunks; c++) {
      const n = hist[c * nB + b]!;
      offsets[c * nB + b] = at;
      at += n;
    }
  }
  start[nB] = at;
  const packed = runner.scratch(total);
  runner.run({ kind: 'scatter-buckets', nPost, k, per, buckets, drawn: col, offsets, packed }, chunks);
  const rowPtr = runner.alloc(nPre + 1);
  const bper = Math.max(1, Math.ceil(runner.chunkSynapses / Math.max(1, Math.floor(total / nB))));
  runner.run({ kind: 'fill-rows', nPre, per: bper, buckets, start, packed, rowPtr, col }, Math.ceil(nB / bper));
  lap('sortMs');
  return { rowPtr, col };
}

/**
 * pairwise_bernoulli: chunks of sources write their rows into rooms sized for the mean plus 8 standard deviations
 * (a chunk that overflows its room is redone here, in a buffer that grows), then the rows are packed into `col` at
 * its exact size.
 */
function bernoulli(p: number, noSelf: boolean, nPre: number, nPost: number, seed: number, stream: number, runner: ChunkRunner): CsrLayout {
  const rowPtr = runner.alloc(nPre + 1);
  if (p <= 0 || nPre === 0 || nPost === 0) return { rowPtr, col: runner.alloc(0) };
  const perRow = Math.min(1, p) * nPost;
  const per = Math.max(1, Math.ceil(runner.chunkSynapses / Math.max(1, perRow)));
  const chunks = Math.ceil(nPre / per);
  const capacity = runner.allocFloat64(chunks + 1);
  for (let c = 0; c < chunks; c++) {
    const mean = perRow * (Math.min(nPre, (c + 1) * per) - c * per);
    capacity[c + 1] = capacity[c]! + Math.min(nPost * (Math.min(nPre, (c + 1) * per) - c * per), Math.ceil(mean + 8 * Math.sqrt(mean) + 64));
  }
  const rooms = runner.scratch(capacity[chunks]!);
  const rowLength = rowPtr.subarray(1);
  const used = runner.alloc(chunks);
  runner.run({ kind: 'bernoulli', seed, stream, p, noSelf, nPre, nPost, per, capacity, col: rooms, rowLength, used }, chunks);
  const redone = new Map<number, Uint32Array>();
  let total = 0;
  for (let c = 0; c < chunks; c++) {
    if (used[c] === OVERFLOW) {
      const lo = c * per;
      const hi = Math.min(nPre, lo + per);
      const rows = bernoulliRows(p, noSelf, nPost, rngOf(seed), stream, lo, hi);
      rowLength.set(rows.rowLength, lo);
      redone.set(c, rows.col);
      total += rows.col.length;
    } else total += used[c]!;
  }
  const col = runner.alloc(total);
  let at = 0;
  for (let c = 0; c < chunks; c++) {
    const part = redone.get(c) ?? rooms.subarray(capacity[c]!, capacity[c]! + used[c]!);
    col.set(part, at);
    at += part.length;
  }
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  return { rowPtr, col };
}

/**
 * Draws the k partners of own neurons lo..hi-1 into `out[(a - lo) * k ..]`, in draw order: partner
 * `rng.int(nOther, stream, a, draw)` for draw = 0, 1, ..., refusing a itself (noSelf) and repeats (distinct).
 */
export function drawFixedDegree(d: DegreeDraw, rng: CounterRng, stream: number, lo: number, hi: number, out: Uint32Array): void {
  const { k, nOther, noSelf } = d;
  const seen = d.distinct ? new Uint8Array(nOther) : null;
  let q = 0;
  for (let a = lo; a < hi; a++) {
    const start = q;
    const end = q + k;
    for (let draw = 0; q < end; draw++) {
      const b = rng.int(nOther, stream, a, draw);
      if (noSelf && b === a) continue;
      if (seen) {
        if (seen[b] === 1) continue;
        seen[b] = 1;
      }
      out[q++] = b;
    }
    if (seen) for (let s = start; s < end; s++) seen[out[s]!] = 0;
  }
}

/**
 * The fibres that targets lo..hi-1 receive under address_match: for target j with address a_j (Philox words of
 * (stream, j), bits.ts `randomPackedInto`), fibre i where bit i is 1 and bits + i where it is 0, into
 * `out[(j - lo) * bits + i]`.
 */
export function drawAddressFibres(bits: number, rng: CounterRng, stream: number, lo: number, hi: number, out: Uint32Array): void {
  const words = new Uint32Array(wordsFor(bits));
  let q = 0;
  for (let j = lo; j < hi; j++) {
    randomPackedInto(rng, bits, stream, j, words);
    for (let i = 0; i < bits; i++) out[q++] = ((words[i >>> 5]! >>> (i & 31)) & 1) === 1 ? i : bits + i;
  }
}

/** Sorts each row of k entries of `rows` (`rows[r * k .. (r + 1) * k)`) in place. */
export function sortRows(rows: Uint32Array, k: number): void {
  if (k < 2) return;
  for (let a = 0; a < rows.length; a += k) {
    const b = a + k;
    if (k <= 32) {
      // Insertion sort: short rows sort faster in place than through a subarray.
      for (let s = a + 1; s < b; s++) {
        const v = rows[s]!;
        let t = s - 1;
        while (t >= a && rows[t]! > v) {
          rows[t + 1] = rows[t]!;
          t--;
        }
        rows[t + 1] = v;
      }
    } else rows.subarray(a, b).sort();
  }
}

/**
 * pairwise_bernoulli for sources lo..hi-1 into `room`: for source i, candidate targets are skipped geometrically
 * (draw k: `rng.uniform(stream, i, k)`, j += 1 + floor(log(u) / log(1 - p)); every target when p >= 1), O(synapses)
 * draws, targets of a row in increasing order. Writes row lengths to `rowLength[i - lo]` and returns the synapses
 * written, or -1 when they do not fit in `room`.
 */
export function bernoulliInto(p: number, noSelf: boolean, nPost: number, rng: CounterRng, stream: number, lo: number, hi: number, room: Uint32Array, rowLength: Uint32Array): number {
  const logq = Math.log1p(-p);
  const all = p >= 1;
  const cap = room.length;
  let s = 0;
  for (let i = lo; i < hi; i++) {
    const start = s;
    let j = -1;
    for (let k = 0; ; k++) {
      j += all ? 1 : 1 + Math.floor(Math.log(rng.uniform(stream, i, k)) / logq);
      if (j >= nPost) break;
      if (noSelf && i === j) continue;
      if (s === cap) return -1;
      room[s++] = j;
    }
    rowLength[i - lo] = s - start;
  }
  return s;
}

/** pairwise_bernoulli rows of sources lo..hi-1 in a buffer grown as needed (the overflow path of `bernoulli`). */
function bernoulliRows(p: number, noSelf: boolean, nPost: number, rng: CounterRng, stream: number, lo: number, hi: number): { rowLength: Uint32Array; col: Uint32Array } {
  const rowLength = new Uint32Array(hi - lo);
  for (let room = new Uint32Array(1024); ; room = new Uint32Array(room.length * 2)) {
    const n = bernoulliInto(p, noSelf, nPost, rng, stream, lo, hi, room, rowLength);
    if (n >= 0) return { rowLength, col: room.slice(0, n) };
  }
}
