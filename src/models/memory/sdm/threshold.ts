/**
 * The output threshold of a binary SDM read and its tie rule.
 *
 * A read produces one sum s_j per value bit (counter sums for the neuron-based read, weighted bipolar votes for the
 * pattern-based read). Kanerva (1988, "Sparse Distributed Memory", MIT Press) thresholds each sum at 0:
 *
 *   y_j = 1 if s_j > 0,   y_j = 0 if s_j < 0,   y_j = tie(j) if s_j = 0 exactly.
 *
 * Ties happen whenever an even number of writes balance at every active location, and for every bit when no location
 * is active. The rule for s_j = 0 is a parameter:
 *  - 'zero' (default): y_j = 0, i.e. y_j = [s_j > 0]. Deterministic and independent of the cue.
 *  - 'one': y_j = 1, i.e. y_j = [s_j >= 0].
 *  - 'keep': y_j = x_j, the cue's bit (for autoassociative and iterative reads the cue is the read address). A read
 *    with no information then leaves the cue unchanged, so an empty memory makes every cue a fixed point.
 */
import { InputError } from '../../../core/errors.ts';

export type TieRule = 'zero' | 'one' | 'keep';

export const TIE_RULES: readonly TieRule[] = Object.freeze(['zero', 'one', 'keep'] as const);

/** Default tie rule: a sum of exactly 0 reads as bit 0 (y = [s > 0]). */
export const DEFAULT_TIE: TieRule = 'zero';

/** Checks a tie rule named by a user (`where` names the field). */
export function checkTie(tie: unknown, where: string): TieRule {
  if (tie === 'zero' || tie === 'one' || tie === 'keep') return tie;
  throw new InputError(where, `one of 'zero', 'one', 'keep', got ${String(tie)}`);
}

/**
 * y_j = [s_j > 0], or the tie rule where s_j = 0 exactly (see file comment). `cue` is required by 'keep' only.
 * Writes into `out` (length = sums.length) and returns it.
 */
export function thresholdSums(sums: ArrayLike<number>, tie: TieRule, cue: Uint8Array | null, out: Uint8Array): Uint8Array {
  const w = sums.length;
  if (tie === 'keep' && (cue === null || cue.length !== w)) {
    throw new InputError('read cue', `tie rule 'keep' needs a cue of ${w} bits${cue === null ? '' : `, got ${cue.length}`}`);
  }
  const tieBit = tie === 'one' ? 1 : 0;
  for (let j = 0; j < w; j++) {
    const s = sums[j]!;
    out[j] = s > 0 ? 1 : s < 0 ? 0 : tie === 'keep' ? cue![j]! : tieBit;
  }
  return out;
}
