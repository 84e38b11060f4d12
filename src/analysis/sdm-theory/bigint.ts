/**
 * Exact integer helpers: binomial rows as BigInt, and turning huge BigInt counts and ratios into doubles
 * without overflow (a count of points of {0,1}^4096 has about 1233 decimal digits; a double stops at 1.8e308).
 */

const LN2 = Math.LN2;

/**
 * Row n of Pascal's triangle, C(n, k) for k = 0..kMax (kMax defaults to n; entries past n are 0n), exact:
 *
 *   C(n, 0) = 1,   C(n, k + 1) = C(n, k) (n - k) / (k + 1)      (the division is exact)
 */
export function binomialRow(n: number, kMax = n): bigint[] {
  const row: bigint[] = new Array<bigint>(kMax + 1).fill(0n);
  let c = 1n;
  for (let k = 0; k <= Math.min(kMax, n); k++) {
    row[k] = c;
    c = (c * BigInt(n - k)) / BigInt(k + 1);
  }
  return row;
}

/** Prefix sums S(j) = Σ_{k <= j} row[k] for j = 0..row.length-1. */
export function prefixSums(row: readonly bigint[]): bigint[] {
  const out: bigint[] = new Array<bigint>(row.length);
  let s = 0n;
  for (let j = 0; j < row.length; j++) {
    s += row[j]!;
    out[j] = s;
  }
  return out;
}

/** Number of bits of x > 0 (position of the highest set bit plus one); 0 for x = 0. */
export function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** Natural log of a positive BigInt, to double precision at any size: ln(x) = ln(x >> s) + s ln 2. */
export function bigintLn(x: bigint): number {
  if (x <= 0n) return x === 0n ? -Infinity : NaN;
  const shift = Math.max(0, bitLength(x) - 64);
  return Math.log(Number(x >> BigInt(shift))) + shift * LN2;
}

/** x 2^e without intermediate overflow or underflow of the power of two (e may be below -1074 or above 1023). */
function scaleByPowerOfTwo(x: number, e: number): number {
  const half = Math.trunc(e / 2);
  return x * 2 ** half * 2 ** (e - half);
}

/**
 * num / den as the nearest double (within one unit in the last place), for any sizes of num >= 0 and den > 0:
 * the quotient is formed with 64 significant bits in BigInt arithmetic, then scaled by a power of two.
 * Underflows to 0 or overflows to Infinity only when the true ratio does.
 */
export function bigRatio(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError('bigRatio: denominator must be positive');
  if (num < 0n) return -bigRatio(-num, den);
  if (num === 0n) return 0;
  const shift = 64 - (bitLength(num) - bitLength(den));
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  return scaleByPowerOfTwo(Number(q), -shift);
}
