/**
 * The WebAssembly SIMD resting flush (src/backends/cpu/wasm/settle.ts) bit for bit against the JavaScript rule
 * (models/neurons/lif.ts settleLif / flushToRest), float64 and float32 state:
 * - `settle()`: the arrays after it and its flag equal settleLif's;
 * - `settleWord(w)`: the arrays equal flushToRest's, and the word equals the engine's definition of a neuron left
 *   away from rest (wasm-kernel.ts RestingSet: v === v_rest as stored, ge, gi and refr +0);
 * on neurons crafted at every boundary of the rule: |v - v_rest| exactly at the tolerance and one ulp (of the state's
 * precision) on either side, ge and gi at +-LIF_SYN_FLUSH_MV and their neighbours, -0, +0, NaN, infinities,
 * subnormals, refractory values (positive subnormal, 1, NaN, -0, negative), v_rest not representable in float32 (the
 * difference must be taken in float64), v_rest = 0 (v = -0 is at rest); n from 1 to 257 (not multiples of the vector
 * width or of 32), a single non-flushable neuron at every index (the flag's tail lanes), guard elements around every
 * array (nothing outside is written), plain and shared memory; and the traps and layout errors.
 * A `<=` for `<` (or `>=` for `>`) in any comparison fails the boundary cases.
 */
import { describe, expect, it } from 'vitest';
import { wasm, WASM_PAGE_BYTES, type WasmMemory } from '../../src/backends/cpu/wasm/api.ts';
import type { LifWasmPrecision } from '../../src/backends/cpu/wasm/lif.ts';
import { createSettleWasm, settleWasmBytes, type SettleWasmKernel, type SettleWasmLayout } from '../../src/backends/cpu/wasm/settle.ts';
import { flushToRest, LIF_SYN_FLUSH_MV, settleLif } from '../../src/models/neurons/lif.ts';
import type { FloatArray } from '../../src/models/neurons/types.ts';
import { xorshift32 as rng } from '../xorshift.ts';

const F = LIF_SYN_FLUSH_MV;
const KEYS = ['v', 'ge', 'gi', 'refr'] as const;
type Key = (typeof KEYS)[number];
type State = Record<Key, FloatArray>;

/** The next representable number above (dir 1) or below (dir -1) x in the precision (x representable in it). */
function step(x: number, dir: 1 | -1, prec: LifWasmPrecision): number {
  if (Number.isNaN(x) || x === dir * Infinity) return x;
  if (x === 0) return dir * (prec === 64 ? Number.MIN_VALUE : 2 ** -149);
  if (prec === 64) {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x);
    const bits = b.getBigUint64(0);
    b.setBigUint64(0, (x > 0) === (dir > 0) ? bits + 1n : bits - 1n);
    return b.getFloat64(0);
  }
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  const bits = b.getUint32(0);
  b.setUint32(0, (x > 0) === (dir > 0) ? bits + 1 : bits - 1);
  return b.getFloat32(0);
}

/** x rounded to the precision, and its two neighbours there. */
function around(x: number, prec: LifWasmPrecision): number[] {
  const r = prec === 64 ? x : Math.fround(x);
  return [step(r, -1, prec), r, step(r, 1, prec)];
}

/** One configuration: v_rest, a tolerance such that v_rest + tol (and, where exact, v_rest - tol) is representable. */
interface Case {
  readonly name: string;
  readonly vRest: number;
  readonly tol: number;
  /** Values of v at and around the boundaries. */
  readonly vs: readonly number[];
}

function cases(prec: LifWasmPrecision): Case[] {
  const out: Case[] = [];
  for (const vRest of [-60, -65.3, 0, 1e-3]) {
    const r = prec === 64 ? vRest : Math.fround(vRest);
    // A value a few ulps above the stored rest; tol is its exact distance from v_rest in float64 (Sterbenz).
    let up = r;
    for (let k = 0; k < 7; k++) up = step(up, 1, prec);
    const tol = up - vRest;
    expect(tol).toBeGreaterThan(0);
    const down = vRest - tol; // exact for the float64 cases; in float32 only where representable
    const vs = [...around(r, prec), ...around(up, prec), ...around(down, prec), ...around(vRest + tol / 2, prec), ...around(vRest - tol / 2, prec)];
    vs.push(NaN, Infinity, -Infinity, 0, -0, prec === 64 ? 5e-324 : 2 ** -149, -(prec === 64 ? 5e-324 : 2 ** -149), r + 1, r - 1, -70, -50);
    out.push({ name: `v_rest ${vRest}, tol ${tol}`, vRest, tol, vs });
    // The stored rest itself one float32 rounding away from v_rest: a tolerance just below, at and above that distance.
    if (prec === 32 && r !== vRest) {
      const d = Math.abs(r - vRest);
      for (const t of [d / 2, d, step(d, 1, 64)]) out.push({ name: `v_rest ${vRest} (float32 ${r}), tol ${t}`, vRest, tol: t, vs });
    }
  }
  // A zero tolerance flushes nothing; v = -0 then stays and is at rest all the same for v_rest = 0 (-0 === 0).
  const tiny = prec === 64 ? 5e-324 : 2 ** -149;
  out.push({ name: 'v_rest 0, tol 0', vRest: 0, tol: 0, vs: [0, -0, tiny, -tiny, NaN] });
  return out;
}

/** ge and gi values at and around the flush bounds, and other edge values. */
function synValues(prec: LifWasmPrecision): number[] {
  const tiny = prec === 64 ? [5e-324, 1e-310] : [2 ** -149, 1e-40];
  return [0, -0, ...around(F, prec), ...around(-F, prec), F, -F, ...tiny, ...tiny.map((x) => -x), NaN, Infinity, -Infinity, 1, -1, F / 2, -F / 2, 2 * F, -2 * F];
}

function refrValues(prec: LifWasmPrecision): number[] {
  return [0, -0, 1, 3, 0.5, prec === 64 ? 5e-324 : 2 ** -149, -(prec === 64 ? 5e-324 : 2 ** -149), -1, NaN, Infinity, -Infinity];
}

const GUARD = 4; // elements before and after every array

/** Four arrays of n elements in `memory`, each between GUARD guard elements (a NaN payload), `shift` elements off a 16-byte boundary. */
function place(memory: WasmMemory, n: number, prec: LifWasmPrecision, shift: number): { state: State; layout: SettleWasmLayout; guards: Uint8Array[]; guardBytes: Uint8Array } {
  const S = prec / 8;
  const region = Math.ceil(((n + 2 * GUARD + shift) * S) / 16) * 16;
  const state = {} as State;
  const layout = {} as Record<Key, number>;
  const guards: Uint8Array[] = [];
  const guardBytes = new Uint8Array(GUARD * S).fill(0xa7);
  KEYS.forEach((k, q) => {
    const base = 64 + q * region;
    const at = base + (GUARD + shift) * S;
    state[k] = prec === 64 ? new Float64Array(memory.buffer, at, n) : new Float32Array(memory.buffer, at, n);
    layout[k] = at;
    guards.push(new Uint8Array(memory.buffer, at - GUARD * S, GUARD * S), new Uint8Array(memory.buffer, at + n * S, GUARD * S));
  });
  for (const g of guards) g.set(guardBytes);
  return { state, layout, guards, guardBytes };
}

function memoryFor(n: number, prec: LifWasmPrecision, shared: boolean): WasmMemory {
  const pages = Math.ceil((64 + 4 * (n + 2 * GUARD + 4) * (prec / 8) + 64) / WASM_PAGE_BYTES) + 1;
  return new wasm.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
}

function copyState(s: State, n: number, prec: LifWasmPrecision): State {
  const c = (a: FloatArray) => (prec === 64 ? Float64Array.from(a.subarray(0, n)) : Float32Array.from(a.subarray(0, n)));
  return { v: c(s.v), ge: c(s.ge), gi: c(s.gi), refr: c(s.refr) };
}

/** Index of the first element whose bits differ, with the array's name, or null. */
function bitDiff(a: State, b: State, n: number): string | null {
  for (const k of KEYS) {
    const x = new Uint8Array(a[k].buffer, a[k].byteOffset, n * a[k].BYTES_PER_ELEMENT);
    const y = new Uint8Array(b[k].buffer, b[k].byteOffset, n * b[k].BYTES_PER_ELEMENT);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${k}[${Math.floor(i / a[k].BYTES_PER_ELEMENT)}]: ${a[k][Math.floor(i / a[k].BYTES_PER_ELEMENT)]} vs ${b[k][Math.floor(i / b[k].BYTES_PER_ELEMENT)]}`;
  }
  return null;
}

/** The engine's definition (wasm-kernel.ts RestingSet.atRest) of neuron i being exactly at rest. */
function atRest(s: State, i: number, restV: number): boolean {
  return s.v[i] === restV && Object.is(s.ge[i], 0) && Object.is(s.gi[i], 0) && Object.is(s.refr[i], 0);
}

/**
 * Runs the wasm flush on `state` (in memory) and the JavaScript rule on a copy; checks both ways (settle, and
 * settleWord over every word) give settleLif's arrays and flag / the definition's bitmap. Returns the flag.
 */
function check(k: SettleWasmKernel, placed: ReturnType<typeof place>, n: number, prec: LifWasmPrecision, c: Case, what: string): number {
  const { state } = placed;
  const start = copyState(state, n, prec);
  const ref = copyState(start, n, prec);
  const flag = settleLif(ref, n, c.vRest, c.tol);
  const got = k.settle();
  expect(bitDiff(state, ref, n), `${what}: settle, ${c.name}`).toBeNull();
  expect(got, `${what}: settle flag, ${c.name}`).toBe(flag);
  for (const g of placed.guards) expect(g, `${what}: guard`).toEqual(placed.guardBytes);

  // settleWord: restore the start and flush word by word.
  for (const key of KEYS) state[key].set(start[key]);
  const restV = prec === 32 ? Math.fround(c.vRest) : c.vRest;
  const words = Math.ceil(n / 32);
  for (let w = 0; w < words; w++) {
    const bits = k.settleWord(w);
    let want = 0;
    for (let i = w * 32; i < Math.min(n, w * 32 + 32); i++) {
      flushToRest(start.v, start.ge, start.gi, start.refr, i, c.vRest, c.tol);
      if (!atRest(start, i, restV)) want |= 1 << (i & 31);
    }
    expect(bits, `${what}: settleWord(${w}), ${c.name}`).toBe(want);
  }
  expect(bitDiff(state, start, n), `${what}: settleWord, ${c.name}`).toBeNull();
  expect(bitDiff(start, ref, n)).toBeNull();
  for (const g of placed.guards) expect(g, `${what}: guard`).toEqual(placed.guardBytes);
  return flag;
}

function kernelFor(memory: WasmMemory, n: number, prec: LifWasmPrecision, c: Case, shift = 0) {
  const placed = place(memory, n, prec, shift);
  const k = createSettleWasm(memory, n, c.vRest, c.tol, placed.layout, prec);
  return { placed, k };
}

describe.each([64, 32] as const)('wasm resting flush, float%i', (prec) => {
  it('every boundary value of v, ge, gi and refr alone, and v against each ge, gi, refr value', () => {
    for (const c of cases(prec)) {
      const restV = prec === 64 ? c.vRest : Math.fround(c.vRest);
      const rows: Array<[number, number, number, number]> = [];
      for (const v of c.vs) rows.push([v, 0, 0, 0]);
      for (const g of synValues(prec)) rows.push([restV, g, 0, 0], [restV, 0, g, 0], [restV, g, g, 0]);
      for (const r of refrValues(prec)) rows.push([restV, 0, 0, r]);
      for (const v of c.vs) for (const g of synValues(prec)) rows.push([v, g, -g, 0]);
      for (const v of c.vs) for (const r of refrValues(prec)) rows.push([v, 0, 0, r]);
      const n = rows.length;
      const memory = memoryFor(n, prec, false);
      const { placed, k } = kernelFor(memory, n, prec, c);
      rows.forEach((row, i) => KEYS.forEach((key, q) => (placed.state[key][i] = row[q]!)));
      const s = copyState(placed.state, n, prec);
      check(k, placed, n, prec, c, `crafted n=${n}`);
      // The boundary values must split both ways (else the test would not see a <= for <).
      const flushed = rows.map((_, i) => flushToRest(s.v, s.ge, s.gi, s.refr, i, c.vRest, c.tol));
      // (No v can be flushed with a zero tolerance, or in float32 with one below the distance of v_rest from its
      // float32 rounding.)
      expect(flushed.some((x) => x)).toBe(Math.abs(restV - c.vRest) < c.tol);
      if (c.tol === 0) expect(rows.some((_, i) => Object.is(s.v[i], -0) && atRest(s, i, restV))).toBe(true);
      expect(flushed.some((x) => !x)).toBe(true);
    }
  });

  it('the rule is strict: v exactly tol away, and ge or gi exactly at +-LIF_SYN_FLUSH_MV, are not flushed', () => {
    const c = cases(prec)[0]!;
    const restV = prec === 64 ? c.vRest : Math.fround(c.vRest);
    const at = restV + c.tol; // exact (cases() built tol from it)
    const rows: Array<[number, number, number, number]> = [
      [at, 0, 0, 0],
      [step(at, -1, prec), 0, 0, 0],
      [restV, 0, 0, 0],
    ];
    if (prec === 64) rows.push([c.vRest - c.tol, 0, 0, 0], [restV, F, 0, 0], [restV, -F, 0, 0], [restV, 0, F, 0], [restV, 0, -F, 0], [restV, step(F, -1, 64), step(-F, 1, 64), 0]);
    const n = rows.length;
    const memory = memoryFor(n, prec, false);
    const { placed, k } = kernelFor(memory, n, prec, c);
    rows.forEach((row, i) => KEYS.forEach((key, q) => (placed.state[key][i] = row[q]!)));
    const bits = k.settleWord(0);
    const expected = prec === 64 ? 0b11111001 : 0b001;
    expect(bits).toBe(expected);
    expect(placed.state.v[0]).toBe(at);
    expect(placed.state.v[1]).toBe(restV);
  });

  it('n = 1 ... 257 with random boundary values, plain and shared memory, aligned and not', () => {
    const rand = rng(prec === 64 ? 2027 : 2028);
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 97, 100, 127, 129, 255, 256, 257];
    for (const c of cases(prec)) {
      const restV = prec === 64 ? c.vRest : Math.fround(c.vRest);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      for (const n of sizes) {
        const shared = n % 2 === 1;
        const memory = memoryFor(n, prec, shared);
        const shift = n % 3 === 0 ? 1 : 0;
        const { placed, k } = kernelFor(memory, n, prec, c, shift);
        for (let trial = 0; trial < 6; trial++) {
          // Mostly flushable neurons (so the flag is sometimes 1), the rest drawn from the boundary values.
          const pAway = [0, 0.02, 0.1, 0.5, 1, 0.05][trial]!;
          for (let i = 0; i < n; i++) {
            const away = rand() < pAway;
            placed.state.v[i] = away || rand() < 0.3 ? pick(c.vs) : rand() < 0.5 ? restV : restV + (rand() - 0.5) * c.tol;
            placed.state.ge[i] = away && rand() < 0.5 ? pick(synValues(prec)) : rand() < 0.8 ? 0 : (rand() - 0.5) * F;
            placed.state.gi[i] = away && rand() < 0.5 ? pick(synValues(prec)) : rand() < 0.8 ? 0 : (rand() - 0.5) * F;
            placed.state.refr[i] = away && rand() < 0.3 ? pick(refrValues(prec)) : 0;
          }
          check(k, placed, n, prec, c, `random n=${n} shared=${shared} shift=${shift} trial ${trial}`);
        }
      }
    }
  });

  it("the flag: every neuron flushable gives 1, one neuron that is not (at any index, tail lanes included) gives 0", () => {
    const c = cases(prec)[0]!;
    const restV = prec === 64 ? c.vRest : Math.fround(c.vRest);
    for (const n of [1, 2, 3, 5, 7, 9, 33, 67]) {
      const memory = memoryFor(n, prec, false);
      const { placed, k } = kernelFor(memory, n, prec, c);
      const fill = () => {
        for (let i = 0; i < n; i++) {
          placed.state.v[i] = i % 2 ? restV : step(restV + c.tol, -1, prec);
          placed.state.ge[i] = i % 3 ? 0 : step(F, -1, prec);
          placed.state.gi[i] = -0;
          placed.state.refr[i] = i % 4 ? 0 : -0;
        }
      };
      fill();
      expect(check(k, placed, n, prec, c, `all flushable n=${n}`)).toBe(1);
      const blockers: Array<[Key, number]> = [['v', restV + c.tol], ['ge', 2 * F], ['gi', NaN], ['refr', 1], ['v', NaN]];
      for (let i = 0; i < n; i++) {
        const [key, x] = blockers[i % blockers.length]!;
        fill();
        placed.state[key][i] = x;
        expect(check(k, placed, n, prec, c, `blocker ${key}=${x} at ${i} of ${n}`)).toBe(0);
      }
    }
  });

  it('traps for a word past the end; rejects bad layouts and a memory too small', () => {
    const c = cases(prec)[0]!;
    const n = 70;
    const memory = memoryFor(n, prec, false);
    const { k } = kernelFor(memory, n, prec, c);
    expect(() => k.settleWord(3)).toThrow(/unreachable/);
    expect(() => k.settleWord(-1)).toThrow(/unreachable/);
    expect(k.settleWord(2)).toBeTypeOf('number');
    const S = prec / 8;
    expect(() => settleWasmBytes(n, -60, 1, { v: 0, ge: 8 * n, gi: 16 * n, refr: 16 * n + S }, prec)).toThrow(/overlaps/);
    expect(() => settleWasmBytes(n, -60, 1, { v: 1, ge: 8 * n, gi: 16 * n, refr: 24 * n }, prec)).toThrow(/multiple/);
    expect(() => settleWasmBytes(0, -60, 1, { v: 0, ge: 16, gi: 32, refr: 48 }, prec)).toThrow(/positive/);
    const small = new wasm.Memory({ initial: 1 });
    expect(() => createSettleWasm(small, n, -60, 1, { v: 0, ge: 8 * n, gi: 16 * n, refr: WASM_PAGE_BYTES }, prec)).toThrow(/needs/);
  });
});
