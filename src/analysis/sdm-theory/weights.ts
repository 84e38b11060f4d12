/**
 * How closely softmax attention weights follow SDM's intersection weights on the grid of distances
 * (Bricken & Pehlevan 2021, §2): one weight per distance dv = 0..n, not multiplied by how many
 * addresses lie at each distance.
 *
 *   SDM:      w_sdm(dv) = I(n, d, dv) / Σ_k I(n, d, k)
 *   softmax:  w_att(dv) = exp(β cos(dv)) / Σ_k exp(β cos(k)),   cos(dv) = 1 - 2 dv / n
 */
import { hammingCosine } from './beta-fit.ts';
import { requireDimension, requireFinite, requireRadius } from './input.ts';
import { logIntersectionTable } from './intersection.ts';
import { logSumExp } from './special.ts';

/** Result of {@link compareWeights}; arrays are indexed by dv = 0..n. */
export interface WeightComparison {
  readonly beta: number;
  readonly sdm: number[];
  readonly softmax: number[];
  /** KL(SDM || softmax) = Σ_dv w_sdm ln(w_sdm / w_att) (nats; terms with w_sdm = 0 contribute 0). */
  readonly klDivergence: number;
  /** max_dv |w_sdm(dv) - w_att(dv)| and the dv where it occurs. */
  readonly maxAbsDifference: number;
  readonly maxAbsDifferenceDv: number;
  /** The factor used for {@link firstDvRatioOutside}. */
  readonly ratioFactor: number;
  /**
   * First dv where the exponential approximation breaks down: w_sdm / w_att leaves [1/ratioFactor, ratioFactor]
   * (null if it never does).
   */
  readonly firstDvRatioOutside: number | null;
  /** First dv where I(n, d, dv) = 0 (dv = 2d + 1), where softmax keeps a positive weight; null if 2d + 1 > n. */
  readonly firstDvZeroIntersection: number | null;
}

/**
 * Compares SDM and softmax weights over dv = 0..n (formulas in the module header), computed in logs so that any n
 * works. For n = 64, d = 11 and the published β = 15.852765: w_sdm(0) = 0.463774, w_att(0) = 0.390672 and
 * KL = 0.0309.
 *
 * @param beta softmax inverse temperature (a finite number)
 * @param options.ratioFactor breakdown factor > 1 for the weight ratio (default 2)
 * @param options.logTable ln I(n, d, dv) for dv = 0..n, when the caller already has it
 */
export function compareWeights(
  n: number,
  d: number,
  beta: number,
  options: { ratioFactor?: number; logTable?: ArrayLike<number> } = {},
): WeightComparison {
  requireDimension(n);
  requireRadius(n, d);
  requireFinite('--beta', beta, -Infinity, Infinity);
  const ratioFactor = options.ratioFactor ?? 2;
  if (!(ratioFactor > 1 && Number.isFinite(ratioFactor))) throw new RangeError('ratioFactor must be a number > 1');
  const logI = options.logTable ?? logIntersectionTable(n, d);
  const logits = Float64Array.from({ length: n + 1 }, (_, dv) => beta * hammingCosine(n, dv));
  const logSdmNorm = logSumExp(Float64Array.from({ length: n + 1 }, (_, dv) => logI[dv]!));
  const logAttNorm = logSumExp(logits);
  const logRatioLimit = Math.log(ratioFactor);
  const sdm: number[] = [];
  const softmax: number[] = [];
  let klDivergence = 0;
  let maxAbsDifference = -1;
  let maxAbsDifferenceDv = 0;
  let firstDvRatioOutside: number | null = null;
  let firstDvZeroIntersection: number | null = null;
  for (let dv = 0; dv <= n; dv++) {
    const logSdm = logI[dv]! - logSdmNorm;
    const logAtt = logits[dv]! - logAttNorm;
    const ws = Math.exp(logSdm);
    const wa = Math.exp(logAtt);
    sdm.push(ws);
    softmax.push(wa);
    if (logSdm > -Infinity) klDivergence += ws * (logSdm - logAtt);
    if (Math.abs(ws - wa) > maxAbsDifference) {
      maxAbsDifference = Math.abs(ws - wa);
      maxAbsDifferenceDv = dv;
    }
    if (firstDvRatioOutside === null && Math.abs(logSdm - logAtt) > logRatioLimit) firstDvRatioOutside = dv;
    if (firstDvZeroIntersection === null && logSdm === -Infinity) firstDvZeroIntersection = dv;
  }
  return {
    beta,
    sdm,
    softmax,
    klDivergence,
    maxAbsDifference,
    maxAbsDifferenceDv,
    ratioFactor,
    firstDvRatioOutside,
    firstDvZeroIntersection,
  };
}
