/**
 * Plain, loop-by-loop reference implementations used by the SDM tests. Deliberately independent of the packed code in
 * src/models/memory/sdm: bits are arrays of numbers, distances are counted bit by bit.
 */
import { CounterRng } from '../../../../src/core/rng.ts';

export type Tie = 'zero' | 'one' | 'keep';

/** n random bits (0/1) from a seeded generator, drawn one uniform per bit. */
export function naiveRandomBits(rng: CounterRng, n: number, stream: number, index: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.uniform(stream, index, i) < 0.5 ? 0 : 1);
  return out;
}

export function naiveDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

/** Packs bit arrays into the documented layout (bit i -> word floor(i / 32), position i mod 32), one bit at a time. */
export function naivePack(vectors: number[][], n: number): Uint32Array {
  const words = Math.ceil(n / 32);
  const out = new Uint32Array(vectors.length * words);
  vectors.forEach((v, p) => {
    for (let i = 0; i < n; i++) if (v[i] === 1) out[p * words + Math.floor(i / 32)] = (out[p * words + Math.floor(i / 32)]! + 2 ** (i % 32)) >>> 0;
  });
  return out;
}

export class NaiveSdm {
  readonly counters: number[][];
  constructor(
    readonly addresses: number[][],
    readonly d: number,
    readonly w: number,
    readonly cmax: number,
    readonly tie: Tie,
  ) {
    this.counters = addresses.map(() => new Array<number>(w).fill(0));
  }

  active(x: ArrayLike<number>): number[] {
    const out: number[] = [];
    this.addresses.forEach((a, i) => {
      if (naiveDist(a, x) <= this.d) out.push(i);
    });
    return out;
  }

  write(x: ArrayLike<number>, v: ArrayLike<number>): void {
    for (const i of this.active(x)) {
      const row = this.counters[i]!;
      for (let j = 0; j < this.w; j++) row[j] = Math.max(-this.cmax, Math.min(this.cmax, row[j]! + (v[j] === 1 ? 1 : -1)));
    }
  }

  read(x: ArrayLike<number>, cue: ArrayLike<number> | null): { bits: number[]; sums: number[]; active: number } {
    const act = this.active(x);
    const sums = new Array<number>(this.w).fill(0);
    for (const i of act) for (let j = 0; j < this.w; j++) sums[j]! += this.counters[i]![j]!;
    const bits = sums.map((s, j) => (s > 0 ? 1 : s < 0 ? 0 : this.tie === 'one' ? 1 : this.tie === 'zero' ? 0 : cue![j]!));
    return { bits, sums, active: act.length };
  }
}

/** Sum_{k <= d} C(n, k) exactly. */
export function ballVolume(n: number, d: number): bigint {
  let c = 1n;
  let v = 0n;
  for (let k = 0; k <= d; k++) {
    v += c;
    c = (c * BigInt(n - k)) / BigInt(k + 1);
  }
  return v;
}

/** V(n, d) / 2^n as a double (exact to ~1e-18 absolute). */
export function ballFraction(n: number, d: number): number {
  const scale = 10n ** 18n;
  return Number((ballVolume(n, d) * scale) / 2n ** BigInt(n)) / 1e18;
}
