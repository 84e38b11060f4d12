/**
 * The granule-code sweep: for each number of inputs K and each code (the given coding levels under one kind of
 * inhibition, and the conjunction code, f = 2^-K), the SDM's recall against load with plain counters and with the
 * covariance rule, and the code's dimension, overlap and participation. One seed; deterministic in it.
 *
 * Recall is measured twice on the same stored addresses and codes: auto-association (value = address) and
 * hetero-association (random values). With clean cues, auto-association can also be served by the identity map: a
 * granule cell that samples the 'on' fibre of bit b is active only when b = 1, so its counter for b only grows with
 * the load, and the read of b gains a term proportional to the load from every such cell in the cue's code (for K = 1
 * the whole memory becomes a Hopfield network whose self-coupling, L, grows faster than the crosstalk, sqrt(L n)).
 * Random values have no such term; the hetero-associative capacity is what the memory stores.
 *
 * Address streams (CounterRng, the sweep's seed): 'granule-code:patterns' (the stored addresses),
 * 'granule-code:values' (the hetero-associative values), 'granule-code:samples' (the P codes of the statistics),
 * 'granule-code:mean' (the Q = P codes of their mean), 'granule-code:calibration' (the addresses that set the
 * global thresholds). Wiring: wiring.ts.
 */
import { capacityAt, recallByLoad, type RecallPoint } from './capacity.ts';
import { conjunctionFraction, GranuleCoder, type CodeSpec } from './code.ts';
import { codeStatistics, type CodeStatistics } from './statistics.ts';
import { buildWiring, randomAddresses } from './wiring.ts';

export interface SweepParams {
  /** Address bits n. */
  readonly n: number;
  /** Granule cells r. */
  readonly r: number;
  /** Inputs per granule cell, K. */
  readonly inputs: readonly number[];
  /** Coding levels f of the inhibited codes. */
  readonly codingLevels: readonly number[];
  /** Inhibition of those codes: feedback top-k or a feedforward global threshold. */
  readonly inhibition: 'topk' | 'global';
  /** Lognormal weight sigma (0: uniform weights). */
  readonly weightSigma: number;
  /** Loads (patterns stored), increasing. */
  readonly loads: readonly number[];
  readonly cuesPerLoad: number;
  /** P, codes for the statistics (and as many for their mean). */
  readonly samples: number;
  /** Addresses that calibrate the global thresholds (default 100). */
  readonly calibrationAddresses?: number;
  /** Include the conjunction code for each K (default true). */
  readonly conjunction?: boolean;
  readonly seed: number;
  /** Called after each K with the number of K done. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Checked between K: the sweep stops early (returning the rows so far) once it is true. */
  readonly aborted?: () => boolean;
}

export interface SweepRow {
  readonly inputs: number;
  /** 'conjunction' (fire iff all K inputs are active) or the inhibition of a coding level. */
  readonly code: 'conjunction' | 'topk' | 'global';
  /** The coding level asked for; for the conjunction code its exact expectation C(n, K) / C(2n, K) (about 2^-K). */
  readonly targetCodingLevel: number;
  /** The global threshold on the granule input (global inhibition only). */
  readonly threshold: number | null;
  /** Auto-association (value = address). */
  readonly auto: CapacityResult;
  /** Hetero-association (random values). */
  readonly hetero: CapacityResult;
  /** Statistics of the code over P random addresses (codingLevel there is the measured mean |A| / r). */
  readonly stats: CodeStatistics;
}

export interface CapacityResult {
  readonly recall: readonly RecallPoint[];
  /** Largest load recalled to 99% of bits with plain counters (0: none of the loads). */
  readonly plain: number;
  /** The same with the covariance rule. */
  readonly covariance: number;
}

export function granuleCodeSweep(p: SweepParams): SweepRow[] {
  const maxLoad = Math.max(0, ...p.loads);
  const patterns = randomAddresses(p.n, p.seed, 'granule-code:patterns', maxLoad);
  const values = randomAddresses(p.n, p.seed, 'granule-code:values', maxLoad);
  const samples = randomAddresses(p.n, p.seed, 'granule-code:samples', p.samples);
  const meanSamples = randomAddresses(p.n, p.seed, 'granule-code:mean', p.samples);
  const calibration = p.inhibition === 'global' ? randomAddresses(p.n, p.seed, 'granule-code:calibration', p.calibrationAddresses ?? 100) : [];
  const rows: SweepRow[] = [];
  for (const [ki, K] of p.inputs.entries()) {
    if (p.aborted?.()) break;
    const coder = new GranuleCoder(buildWiring({ n: p.n, r: p.r, inputs: K, weightSigma: p.weightSigma, seed: p.seed }));
    const thresholds = p.inhibition === 'global' ? coder.globalThresholds(p.codingLevels, calibration) : null;
    const specs: CodeSpec[] = p.codingLevels.map((f, i) => (thresholds ? { inhibition: 'global', threshold: thresholds[i]! } : { inhibition: 'topk', codingLevel: f }));
    if (p.conjunction ?? true) specs.push({ inhibition: 'all' });
    const codesOf = (xs: readonly Uint8Array[]) => {
      const per: Uint32Array[][] = specs.map(() => []);
      for (const x of xs) coder.codes(x, specs).forEach((c, s) => per[s]!.push(c));
      return per;
    };
    const stored = codesOf(patterns);
    const sample = codesOf(samples);
    const mean = codesOf(meanSamples);
    specs.forEach((spec, s) => {
      const capacity = (vs: readonly Uint8Array[]): CapacityResult => {
        const recall = recallByLoad({ r: p.r, codes: stored[s]!, values: vs, loads: p.loads, cuesPerLoad: p.cuesPerLoad });
        return { recall, plain: capacityAt(recall, 'plain'), covariance: capacityAt(recall, 'covariance') };
      };
      rows.push({
        inputs: K,
        code: spec.inhibition === 'all' ? 'conjunction' : spec.inhibition,
        targetCodingLevel: spec.inhibition === 'all' ? conjunctionFraction(p.n, K) : p.codingLevels[s]!,
        threshold: spec.inhibition === 'global' ? spec.threshold : null,
        auto: capacity(patterns),
        hetero: capacity(values),
        stats: codeStatistics(sample[s]!, mean[s]!, p.r),
      });
    });
    p.onProgress?.(ki + 1, p.inputs.length);
  }
  return rows;
}
