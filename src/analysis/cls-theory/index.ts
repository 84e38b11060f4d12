/**
 * Closed-form generalization theory of the complementary-learning-systems (Go-CLS) model of Sun, Advani, Spruston,
 * Saxe & Fitzgerald (Nature Neuroscience 26, 2023), after Advani, Saxe & Sompolinsky (Neural Networks 132, 2020).
 */
export {
  MpQuadrature,
  mpDensity,
  mpEdges,
  mpLambdaResolvent,
  mpPointMass,
  type MpExpectOptions,
  type MpIntegral,
  type MpRule,
} from './marchenko-pastur.ts';
export {
  alphaOneGrowth,
  discreteEtaMax,
  egAsymptote,
  egContinuous,
  egDiscrete,
  etAsymptote,
  etContinuous,
  etDiscrete,
  gdErrors,
  optimalStopping,
  ridgeEg,
  ridgeLambda,
  schedule,
  signalNoise,
  type ErrorPoint,
  type Schedule,
  type SignalNoise,
  type StoppingResult,
} from './gradient-descent.ts';
export { onlineCoefficients, onlineEg, onlineEgLimit, onlineEgOnePass } from './online.ts';
export { notebookMemoryError } from './notebook.ts';
export {
  clsTheoryCurves,
  clsTheoryReport,
  parseSnr,
  type ClsTheoryCurves,
  type ClsTheoryOptions,
  type ClsTheoryReport,
  type JsonNumber,
} from './report.ts';
