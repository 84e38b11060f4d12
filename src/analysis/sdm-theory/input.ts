/**
 * Argument checks shared by the SDM theory functions. Every failure is an {@link InputError} naming the argument
 * the way the command line spells it (`--n`, `--d`, ...), so a CLI can print it as one line.
 */
import { InputError } from '../../core/errors.ts';

/** Returns `value` when it is an integer in [lo, hi]; otherwise throws InputError(where, ...). */
export function requireInteger(where: string, value: number, lo: number, hi: number, range = `[${lo}, ${hi}]`): number {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new InputError(where, `must be an integer in ${range}, got ${String(value)}`);
  }
  return value;
}

/** Address length n: an integer >= 1 (bits). */
export function requireDimension(n: number, max = Number.MAX_SAFE_INTEGER): number {
  return requireInteger('--n', n, 1, max);
}

/** Hamming radius d: an integer in [0, n] (bits, inclusive radius). */
export function requireRadius(n: number, d: number): number {
  return requireInteger('--d', d, 0, n, `[0, n] = [0, ${n}]`);
}

/** Distance dv between two centres: an integer in [0, n] (bits). */
export function requireDistance(n: number, dv: number): number {
  return requireInteger('--dv', dv, 0, n, `[0, n] = [0, ${n}]`);
}

/** Number of stored patterns m: an integer >= 1. */
export function requirePatternCount(m: number): number {
  return requireInteger('--m', m, 1, Number.MAX_SAFE_INTEGER, '[1, 2^53)');
}

/** Returns `value` when it is a finite number in [lo, hi]; otherwise throws InputError(where, ...). */
export function requireFinite(where: string, value: number, lo: number, hi: number): number {
  if (!Number.isFinite(value) || value < lo || value > hi) {
    throw new InputError(where, `must be a number in [${lo}, ${hi}], got ${String(value)}`);
  }
  return value;
}
