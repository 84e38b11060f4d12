// AssemblyScript source of the notebook's lock-step reactivation kernel (src/backends/cpu/wasm/notebook-lanes.ts
// loads its compiled form, notebook-lanes.wasm; `npm run build:wasm` compiles it, and test/backends/notebook-lanes
// checks that the committed binary is this file's compilation). Eight reactivations advance together, one per lane
// of an i16x8 vector: the overlaps o_mu of the eight states are interleaved (pattern mu's eight lanes in 16 bytes),
// so one vector load per (unit, pattern) pair gathers G_i = sum_{mu ∋ i} o_mu for all eight states at once.
// Each lane's kWTA selection is exact on integer keys K_i = D G_i + kappa_{s_i}(c_i), D n h_i up to a constant of
// the lane (the host checks that D makes every term an integer), so the k winners, their ties (equal keys, lowest
// index first) and the flips are those of the JavaScript notebook (models/memory/cls/notebook.ts).
// Layout: the host writes a header of pointers and sizes into memory and calls init(header); every array lives in
// the imported memory. Nothing here allocates.

const LANES: i32 = 8;
// lane record (8 words): status, changing kWTA cycles, stored pattern, key bar, mode (0 reactivation, 1 recall)
const RUNNING: i32 = 0;
const DONE: i32 = 1;
const HOST: i32 = 2;
const END: i32 = 3;

let M: i32 = 0;
let P: i32 = 0;
let K: i32 = 0;
let MAXC: i32 = 0;
let D: i32 = 0;
let NS: i32 = 0;
let RANK: i32 = 0;
let KWTA_MAX: i32 = 0;
let csP: usize = 0; // i32[MAXC + 2] class start (units of pattern count c: [cs[c], cs[c + 1]))
let uoP: usize = 0; // i32[nnz] absolute byte address of pattern mu's lanes in o8, for each (unit, pattern) pair
let upP: usize = 0; // i32[M + 1] unit -> first (unit, pattern) pair
let umP: usize = 0; // i32[nnz] the pattern of each pair
let k0P: usize = 0; // i32[M] key constant of an inactive unit
let k1P: usize = 0; // i32[M] what activity adds to the key constant (kappa_1 - kappa_0)
let kc0P: usize = 0; // i32[MAXC + 1] the same per class
let kc1P: usize = 0;
let fixP: usize = 0; // u8[P] bit 0: pattern is a kWTA fixed point, bit 1: a fixed-threshold fixed point
let sampP: usize = 0; // i32[NS] sample units
let o8P: usize = 0; // i16[P * 8]
let g8P: usize = 0; // i16[M * 8]
let bar8P: usize = 0; // i16[(MAXC + 1) * 8]
let stateP: usize = 0; // u8[8 * M]
let activeP: usize = 0; // i32[8 * K]
let candP: usize = 0; // i32[M] the lane being selected: its candidates at or above the bar
let keyP: usize = 0; // i32[M]
let selP: usize = 0; // i32[M]
let winP: usize = 0; // i32[K + 1] (the branch-free winner loop writes one past the last winner)
let laneP: usize = 0; // i32[8 * 8] lane records
let seedP: usize = 0; // i32[8 * K] units a recall starts from
let skP: usize = 0; // i32[NS * 8] the sample units' keys, eight lanes per unit
let maskP: usize = 0; // u8[M rounded up to 8] each unit's lanes at or above their bar (bit l: lane l)
let packP: usize = 0; // v128[256] left-pack shuffles: for an 8-bit mask, the i16 lanes of its set bits first
let clP: usize = 0; // i16[M + 8] one lane's candidate units (packed from maskP)
let s8P: usize = 0; // i16[M * 8] the eight states interleaved (unit i's lanes in 16 bytes), 0 or 1
let patP: usize = 0; // i32[P * K] absolute byte address in s8 of each pattern's units
let workP: usize = 0; // i32[4]: gathers, lane cycles, full candidate passes

@inline function ld(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function st(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function lane(l: i32, f: i32): i32 {
  return load<i32>(laneP + (<usize>(l * 8 + f) << 2));
}
@inline function setLane(l: i32, f: i32, v: i32): void {
  store<i32>(laneP + (<usize>(l * 8 + f) << 2), v);
}
@inline function gOf(i: i32, l: i32): i32 {
  return <i32>load<i16>(g8P + (<usize>i << 4) + (<usize>l << 1));
}

export function init(h: usize): void {
  M = ld(h, 0);
  P = ld(h, 1);
  K = ld(h, 2);
  MAXC = ld(h, 3);
  D = ld(h, 4);
  NS = ld(h, 5);
  RANK = ld(h, 6);
  KWTA_MAX = ld(h, 7);
  csP = <usize>ld(h, 8);
  uoP = <usize>ld(h, 9);
  upP = <usize>ld(h, 10);
  umP = <usize>ld(h, 11);
  k0P = <usize>ld(h, 12);
  k1P = <usize>ld(h, 13);
  kc0P = <usize>ld(h, 14);
  kc1P = <usize>ld(h, 15);
  fixP = <usize>ld(h, 16);
  sampP = <usize>ld(h, 17);
  o8P = <usize>ld(h, 18);
  g8P = <usize>ld(h, 19);
  bar8P = <usize>ld(h, 20);
  stateP = <usize>ld(h, 21);
  activeP = <usize>ld(h, 22);
  candP = <usize>ld(h, 23);
  keyP = <usize>ld(h, 24);
  selP = <usize>ld(h, 25);
  winP = <usize>ld(h, 26);
  laneP = <usize>ld(h, 27);
  workP = <usize>ld(h, 28);
  maskP = <usize>ld(h, 29);
  packP = <usize>ld(h, 30);
  clP = <usize>ld(h, 31);
  s8P = <usize>ld(h, 32);
  patP = <usize>ld(h, 33);
  seedP = <usize>ld(h, 34);
  skP = <usize>ld(h, 35);
}

/**
 * The kth smallest (0-based) of the i32 array a[0 .. n), which is reordered: quickselect with branch-free three-way
 * partitions (below the pivot, equal to it, above it; keys repeat a lot), pivot the median of three.
 */
function selectKth(a: usize, n: i32, kth: i32): i32 {
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const x = ld(a, lo);
    const y = ld(a, lo + ((hi - lo) >> 1));
    const z = ld(a, hi - 1);
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // [lo, lt): < pivot
    let lt = lo;
    for (let i = lo; i < hi; i++) {
      const v = ld(a, i);
      st(a, i, ld(a, lt));
      st(a, lt, v);
      lt += <i32>(v < pivot);
    }
    if (kth < lt) {
      hi = lt;
      continue;
    }
    // [lt, le): == pivot
    let le = lt;
    for (let i = lt; i < hi; i++) {
      const v = ld(a, i);
      st(a, i, ld(a, le));
      st(a, le, v);
      le += <i32>(v == pivot);
    }
    if (kth < le) return pivot;
    lo = le;
  }
  return ld(a, kth);
}

/** Adds d to lane l's overlaps of unit j's patterns (a seed's units; after a cycle, overlapsAll sums them anew). */
@inline function addOverlaps(j: i32, l: i32, d: i32): void {
  const e = ld(upP, j + 1);
  const lo = o8P + (<usize>l << 1);
  for (let q = ld(upP, j); q < e; q++) {
    const addr = lo + (<usize>ld(umP, q) << 4);
    store<i16>(addr, <i16>(<i32>load<i16>(addr) + d));
  }
}

/** The first pattern whose lane-l overlap is K (the state is that pattern: K active units), or -1. */
function storedOf(l: i32): i32 {
  const lo = o8P + (<usize>l << 1);
  for (let mu = 0; mu < P; mu++) if (<i32>load<i16>(lo + (<usize>mu << 4)) == K) return mu;
  return -1;
}

// Philox4x32-10 (core/rng.ts): the four words of counter (c0, c1, c2, c3) under key (k0, k1), into w0..w3.
let w0: u32 = 0;
let w1: u32 = 0;
let w2: u32 = 0;
let w3: u32 = 0;
function philox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let x0 = c0;
  let x1 = c1;
  let x2 = c2;
  let x3 = c3;
  for (let r = 0; r < 10; r++) {
    const p0 = <u64>0xd2511f53 * <u64>x0;
    const p1 = <u64>0xcd9e8d57 * <u64>x2;
    x0 = <u32>(p1 >> 32) ^ x1 ^ k0;
    x1 = <u32>p1;
    x2 = <u32>(p0 >> 32) ^ x3 ^ k1;
    x3 = <u32>p0;
    k0 += 0x9e3779b9;
    k1 += 0xbb67ae85;
  }
  w0 = x0;
  w1 = x1;
  w2 = x2;
  w3 = x3;
}

/** Activates unit floor(w M / 2^32) of lane l unless already active (models/memory/cls/sparse.ts#drawSparseInto). */
@inline function drawUnit(w: u32, l: i32, s: usize, act: usize, got: i32): i32 {
  const u = <i32>((<u64>w * <u64>M) >> 32);
  if (got >= K || load<u8>(s + <usize>u) != 0) return got;
  store<u8>(s + <usize>u, 1);
  store<i16>(s8P + (<usize>u << 4) + (<usize>l << 1), 1);
  st(act, got, u);
  addOverlaps(u, l, 1);
  return got + 1;
}

/**
 * Starts lane l from the seed of a reactivation: the K distinct units `drawSparseInto` draws with the generator of
 * `seed` (key k0 = seed mod 2^32, k1 = seed / 2^32) on (stream, index, tick); clears the lane's previous state.
 * Returns the stored pattern the seed is (-1: none).
 */
export function seed(l: i32, stream: u32, index: u32, tick: u32, k0: u32, k1: u32): i32 {
  const s = stateP + <usize>(l * M);
  const act = activeP + (<usize>(l * K) << 2);
  clearLane(l, s, act);
  let got = 0;
  for (let draw: u32 = 0; got < K; draw++) {
    philox(stream, index, tick, draw, k0, k1);
    got = drawUnit(w0, l, s, act, got);
    got = drawUnit(w1, l, s, act, got);
    got = drawUnit(w2, l, s, act, got);
    got = drawUnit(w3, l, s, act, got);
  }
  return startLane(l, 0);
}

/** Clears lane l's state (its active units) and overlaps. */
function clearLane(l: i32, s: usize, act: usize): void {
  for (let r = 0; r < K; r++) {
    const j = ld(act, r);
    store<u8>(s + <usize>j, 0);
    store<i16>(s8P + (<usize>j << 4) + (<usize>l << 1), 0);
  }
  const lo = o8P + (<usize>l << 1);
  for (let mu = 0; mu < P; mu++) store<i16>(lo + (<usize>mu << 4), 0);
}

/** Lane l's record for a new run in `mode`; returns the stored pattern its state is (-1: none). */
function startLane(l: i32, mode: i32): i32 {
  const mu = storedOf(l);
  setLane(l, 0, RUNNING);
  setLane(l, 1, 0);
  setLane(l, 2, mu);
  setLane(l, 4, mode);
  return mu;
}

/**
 * Starts lane l on a recall (`Notebook.recall` after its first cycle): from the K distinct units at seedP + l K, the
 * winners of that first kWTA cycle on the cue's graded activity. Returns the stored pattern they are (-1: none).
 */
export function seedUnits(l: i32): i32 {
  const s = stateP + <usize>(l * M);
  const act = activeP + (<usize>(l * K) << 2);
  clearLane(l, s, act);
  const from = seedP + (<usize>(l * K) << 2);
  for (let r = 0; r < K; r++) {
    const u = ld(from, r);
    store<u8>(s + <usize>u, 1);
    store<i16>(s8P + (<usize>u << 4) + (<usize>l << 1), 1);
    st(act, r, u);
    addOverlaps(u, l, 1);
  }
  return startLane(l, 1);
}

/** G_i = sum_{mu ∋ i} o_mu of every unit, for the eight lanes at once. */
function gather(): void {
  let q = uoP;
  for (let c = 0; c <= MAXC; c++) {
    let g = g8P + (<usize>ld(csP, c) << 4);
    const end = g8P + (<usize>ld(csP, c + 1) << 4);
    if (c == 0) {
      for (; g < end; g += 16) v128.store(g, i16x8.splat(0));
      continue;
    }
    const step = <usize>c << 2;
    for (; g < end; g += 16) {
      let acc = v128.load(<usize>load<i32>(q));
      for (let r: usize = 4; r < step; r += 4) acc = i16x8.add(acc, v128.load(<usize>load<i32>(q + r)));
      q += step;
      v128.store(g, acc);
    }
  }
}

@inline function keyOf(i: i32, l: i32, s: usize): i32 {
  return D * gOf(i, l) + ld(k0P, i) + <i32>load<u8>(s + <usize>i) * ld(k1P, i);
}

/**
 * ceil(x / d) for d > 0, |x| < 2^31, in float64 (pipelined, where an integer division is not): the quotient is
 * rounded to the nearest double, which is exact when x / d is an integer and otherwise at least 1 / d away from one,
 * far beyond its rounding error, so the ceiling is exact.
 */
@inline function ceilDiv(x: i32, d: i32): i32 {
  return <i32>Math.ceil(<f64>x / <f64>d);
}

/** Lane l's key bar (the RANK-th largest key of the sample units) and its G bar per class, into bar8 lane l. */
function laneBar(l: i32): i32 {
  const from = skP + (<usize>l << 2);
  for (let j = 0; j < NS; j++) st(selP, j, load<i32>(from + (<usize>j << 5)));
  const b = selectKth(selP, NS, NS - RANK);
  for (let c = 0; c <= MAXC; c++) {
    const b0 = ceilDiv(b - ld(kc0P, c), D);
    const b1 = ceilDiv(b - ld(kc1P, c), D);
    let gb = b0 < b1 ? b0 : b1;
    if (gb < -32768) gb = -32768;
    if (gb > 32767) gb = 32767;
    store<i16>(bar8P + (<usize>c << 4) + (<usize>l << 1), <i16>gb);
  }
  return b;
}

/** The keys of the sample units in all eight lanes (K = D G + kappa_0 + s (kappa_1 - kappa_0), in i32x4 halves). */
function sampleKeys(): void {
  const dv = i32x4.splat(D);
  for (let j = 0; j < NS; j++) {
    const u = ld(sampP, j);
    const g = v128.load(g8P + (<usize>u << 4));
    const sv = v128.load(s8P + (<usize>u << 4));
    const k0 = i32x4.splat(ld(k0P, u));
    const kd = i32x4.splat(ld(k1P, u));
    const out = skP + (<usize>j << 5);
    v128.store(out, i32x4.add(i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_s(g), dv), k0), i32x4.mul(i32x4.extend_low_i16x8_s(sv), kd)));
    v128.store(out + 16, i32x4.add(i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_s(g), dv), k0), i32x4.mul(i32x4.extend_high_i16x8_s(sv), kd)));
  }
}

/** For every unit, the lanes whose G bar it reaches (its class's), as a byte (bit l: lane l); no branch. */
function candidates(): void {
  for (let c = 0; c <= MAXC; c++) {
    const bar = v128.load(bar8P + (<usize>c << 4));
    const e = ld(csP, c + 1);
    for (let i = ld(csP, c); i < e; i++) store<u8>(maskP + <usize>i, <u8>i16x8.bitmask(i16x8.ge_s(v128.load(g8P + (<usize>i << 4)), bar)));
  }
}

/** Lane l's candidates, in index order, into clP (i16); returns their number. Eight units at a time, no branch. */
function packLane(l: i32): i32 {
  const bit = i8x16.splat(<i8>(<i32>1 << l));
  const zero = i8x16.splat(0);
  let idx = i16x8(0, 1, 2, 3, 4, 5, 6, 7);
  const eight = i16x8.splat(8);
  let n = 0;
  for (let i = 0; i < M; i += 8) {
    const m = i8x16.bitmask(i8x16.ne(v128.and(v128.load64_zero(maskP + <usize>i), bit), zero));
    v128.store(clP + (<usize>n << 1), i8x16.swizzle(idx, v128.load(packP + (<usize>m << 4))));
    n += <i32>popcnt(m);
    idx = i16x8.add(idx, eight);
  }
  return n;
}

/**
 * Lane l's kWTA cycle: the K largest keys win (equal keys: lowest index first); the flips update the state (its byte
 * and its interleaved lane) and the active list. Returns the number of flips. (The overlaps, and the stored pattern
 * the new state equals, follow in overlapsAll.)
 */
function selectLane(l: i32, b: i32): i32 {
  const s = stateP + <usize>(l * M);
  const act = activeP + (<usize>(l * K) << 2);
  const cand = candP;
  const nc = packLane(l);
  let n = 0;
  for (let r = 0; r < nc; r++) {
    const i = <i32>load<u16>(clP + (<usize>r << 1));
    const key = keyOf(i, l, s);
    st(cand, n, i);
    st(keyP, n, key);
    n += <i32>(key >= b);
  }
  if (n < K) {
    // fewer than K units reach the sample's bar: every unit at or above a lower bar (the sample's key of rank
    // 4 RANK) is a candidate, or every unit when that is still fewer than K
    store<i32>(workP + 8, load<i32>(workP + 8) + 1);
    let b2 = i32.MIN_VALUE;
    if (4 * RANK < NS) {
      for (let j = 0; j < NS; j++) st(selP, j, keyOf(ld(sampP, j), l, s));
      b2 = selectKth(selP, NS, NS - 4 * RANK);
    }
    for (let pass = 0; pass < 2 && n < K; pass++) {
      n = 0;
      for (let i = 0; i < M; i++) {
        const key = keyOf(i, l, s);
        st(cand, n, i);
        st(keyP, n, key);
        n += <i32>(key >= b2);
      }
      b2 = i32.MIN_VALUE;
    }
  }
  for (let r = 0; r < n; r++) st(selP, r, ld(keyP, r));
  const t = selectKth(selP, n, n - K);
  let greater = 0;
  for (let r = 0; r < n; r++) greater += <i32>(ld(keyP, r) > t);
  let ties = K - greater;
  let nw = 0;
  for (let r = 0; r < n; r++) {
    const key = ld(keyP, r);
    const tie = <i32>(key == t) & <i32>(ties > 0);
    ties -= tie;
    const on = <i32>(key > t) | tie;
    const i = ld(cand, r);
    st(winP, nw, i);
    nw += on;
    store<u8>(s + <usize>i, <u8>(<i32>load<u8>(s + <usize>i) | (on << 1)));
  }
  // state bits: 1 active before, 2 active after. The old active units first: 1 -> 0 is a flip off, 3 -> 1 stays
  // (and no longer looks new below); then the winners: 2 is a flip on.
  // (the overlaps follow from the interleaved states after every lane's cycle: overlapsAll)
  let flips = 0;
  const s8 = s8P + (<usize>l << 1);
  for (let r = 0; r < K; r++) {
    const j = ld(act, r);
    const v = <i32>load<u8>(s + <usize>j);
    store<u8>(s + <usize>j, <u8>(v >> 1));
    store<i16>(s8 + (<usize>j << 4), <i16>(v >> 1));
    flips += <i32>(v == 1);
  }
  for (let r = 0; r < K; r++) {
    const j = ld(winP, r);
    st(act, r, j);
    const v = <i32>load<u8>(s + <usize>j);
    flips += <i32>(v == 2);
    store<u8>(s + <usize>j, 1);
    store<i16>(s8 + (<usize>j << 4), 1);
  }
  return flips;
}

/**
 * The overlaps o_mu of the eight states from the interleaved states (one vector per (pattern, unit) pair), and for
 * each lane the first pattern its state equals (o_mu = K with K active units: lane field 2, -1 when none).
 */
function overlapsAll(): void {
  for (let l = 0; l < LANES; l++) setLane(l, 2, -1);
  const full = i16x8.splat(<i16>K);
  let q = patP;
  let seen = 0;
  for (let mu = 0; mu < P; mu++) {
    let acc = v128.load(<usize>load<i32>(q));
    const end = q + (<usize>K << 2);
    for (q += 4; q < end; q += 4) acc = i16x8.add(acc, v128.load(<usize>load<i32>(q)));
    v128.store(o8P + (<usize>mu << 4), acc);
    let bits = i16x8.bitmask(i16x8.eq(acc, full)) & ~seen;
    seen |= bits;
    while (bits != 0) {
      setLane(ctz(bits), 2, mu);
      bits &= bits - 1;
    }
  }
}

/**
 * One kWTA cycle of every lane in `mask` (the others are idle). Returns the lanes that need the host. A reactivation
 * whose kWTA phase is over (a stored pattern that is a kWTA fixed point, or its cycles spent): DONE when the state is
 * a stored pattern that is a fixed point of the fixed-threshold cycle (the reactivation ends there, lane field 1
 * changing kWTA cycles, no threshold cycle), else HOST (a kWTA fixed point that is not a stored pattern, a stored
 * pattern that moves under the threshold rule, or the cycles spent elsewhere: the host runs the threshold phase
 * with the JavaScript notebook). A recall: DONE (it ended on stored pattern lane field 2) or END (elsewhere: the state is the lane's
 * active units).
 */
export function step(mask: i32): i32 {
  gather();
  store<i32>(workP, load<i32>(workP) + 1);
  sampleKeys();
  for (let l = 0; l < LANES; l++) {
    if ((mask >> l) & 1) setLane(l, 3, laneBar(l));
    else for (let c = 0; c <= MAXC; c++) store<i16>(bar8P + (<usize>c << 4) + (<usize>l << 1), <i16>32767);
  }
  candidates();
  let changed = 0;
  for (let l = 0; l < LANES; l++) {
    if (((mask >> l) & 1) == 0) continue;
    store<i32>(workP + 4, load<i32>(workP + 4) + 1);
    changed |= <i32>(selectLane(l, lane(l, 3)) != 0) << l;
  }
  overlapsAll();
  let out = 0;
  for (let l = 0; l < LANES; l++) {
    if (((mask >> l) & 1) == 0) continue;
    const recall = lane(l, 4) == 1;
    const mu = lane(l, 2);
    if (((changed >> l) & 1) == 0) {
      // a kWTA fixed point: a recall ends there, a reactivation's threshold phase is the host's
      setLane(l, 0, recall ? (mu >= 0 ? DONE : END) : HOST);
      out |= 1 << l;
      continue;
    }
    const kw = lane(l, 1) + 1;
    setLane(l, 1, kw);
    const fix = mu >= 0 ? <i32>load<u8>(fixP + <usize>mu) : 0;
    if (recall) {
      // a recall runs KWTA_MAX - 1 cycles after its first (Notebook.recall) and has no threshold phase
      if ((fix & 1) != 0 || kw >= KWTA_MAX - 1) {
        setLane(l, 0, mu >= 0 ? DONE : END);
        out |= 1 << l;
      }
    } else if ((fix & 1) != 0 || kw >= KWTA_MAX) {
      setLane(l, 0, (fix & 2) != 0 ? DONE : HOST);
      out |= 1 << l;
    }
  }
  return out;
}
