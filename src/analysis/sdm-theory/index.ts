/**
 * Exact theory of Sparse Distributed Memory as an approximation of softmax attention (Kanerva 1988; Kanerva 1993;
 * Bricken & Pehlevan 2021). Pure functions; imports only src/core.
 */
export { binomialRow, bigintLn, bigRatio } from './bigint.ts';
export {
  ballFraction,
  ballVolume,
  circleIntersection,
  expectedNeurons,
  expectedNeuronsTable,
  intersectionTable,
  logBallFractions,
  logCircleIntersection,
  logIntersectionTable,
  neuronCount,
  type NeuronCount,
  type NeuronCountInput,
} from './intersection.ts';
export { capFraction, capIntersectionFraction, logCapFraction, logCapIntersectionFraction } from './continuous.ts';
export { fitBeta, fitLogLinear, hammingCosine, type BetaFit } from './beta-fit.ts';
export { compareWeights, type WeightComparison } from './weights.ts';
export {
  criticalDistance,
  DEFAULT_RETRIEVAL_PROBABILITY,
  logMemoryCapacity,
  logMemoryOptimalProbability,
  logSignalToNoiseSquared,
  logSnrOptimalProbability,
  nearestRadius,
  optimalRadii,
  predictedBitAccuracy,
  retrievalZScore,
  type CriticalDistance,
  type OptimalRadii,
  type OptimalRadius,
} from './optimal.ts';
export {
  attentionReport,
  DEFAULT_REPORT_PATTERNS,
  MAX_REPORT_N,
  REPORT_RATIO_FACTOR,
  type AttentionReport,
  type AttentionReportOptions,
  type ByDistance,
} from './report.ts';
export {
  lnBeta,
  lnGamma,
  logAddExp,
  logBinomial,
  logRegularizedIncompleteBeta,
  logSumExp,
  normalQuantile,
  normalSf,
  regularizedIncompleteBeta,
  regularizedUpperGamma,
} from './special.ts';
