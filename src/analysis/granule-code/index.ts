/**
 * The granule-layer code of the cerebellar Sparse Distributed Memory: mossy fibre -> granule wiring with K inputs per
 * cell, codes under feedforward (global threshold), feedback (top-k) and conjunction ("all K inputs active")
 * inhibition, SDM capacity with plain counters and the covariance rule, and the code's dimension (participation
 * ratio, Litwin-Kumar et al. 2017), overlap against chance and participation. Pure and deterministic in the seeds
 * (CounterRng streams 'granule-code:*'). Imports only src/core.
 */
export {
  buildWiring,
  granuleInput,
  randomAddress,
  randomAddresses,
  type Wiring,
  type WiringParams,
} from './wiring.ts';
export {
  activeCount,
  activeSet,
  conjunctionActive,
  conjunctionFraction,
  conjunctionReachable,
  GranuleCoder,
  kthLargest,
  kthLargestMany,
  thresholdActive,
  topKActive,
  type CodeSpec,
  type Inhibition,
} from './code.ts';
export { capacityAt, CodeMemory, popcount32, recallByLoad, toBitset, type ReadBits, type ReadSums, type RecallParams, type RecallPoint } from './capacity.ts';
export { codeStatistics, overlapMatrix, type CodeStatistics } from './statistics.ts';
export { granuleCodeSweep, type CapacityResult, type SweepParams, type SweepRow } from './sweep.ts';
