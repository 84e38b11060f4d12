/**
 * purkinje as a library: the one entry point of the npm package (`import { ... } from 'purkinje'`).
 *
 * An event-driven spiking simulator of cerebellar circuits read as a Sparse Distributed Memory (Kanerva 1988;
 * Marr-Albus; Bricken & Pehlevan 2021), with the memory models it is compared with. What this file exports is the
 * public API; anything else in the package (kernels, worker entries, WebAssembly emitters, the command line, the
 * protocols' internals) is an implementation detail that the package's `exports` map does not let you import.
 *
 * Run a circuit file:
 *
 * ```ts
 * import { loadCircuit, buildNetwork, Simulator, CpuBackend } from 'purkinje';
 *
 * const { spec } = loadCircuit('cuba');                      // circuits/cuba.yaml, validated
 * const sim = await Simulator.create(buildNetwork(spec, 1, 0.1), { seed: 1, backend: new CpuBackend() });
 * sim.onSpikes((tick, population, indices) => {});           // one batch per population and tick
 * await sim.run(10_000);                                     // 1 s at dt = 0.1 ms
 * console.log(sim.spikeCounts());
 * ```
 *
 * Run a scenario as `purkinje run` does (outputs, expectations, protocols): `runScenario(loadScenario('cuba'), {
 * durationMs: 100, outDir: 'out/cuba' })`. The algebraic memories (`BinarySdm`, `ContinuousSdm`, `ActivitySdm`), the
 * readers they are compared with (softmax attention, classic and modern Hopfield networks), the SDM/attention theory,
 * the complementary-learning-systems model (`runCls`) and its theory need no simulator.
 *
 * Units: ms, mV, pA, nS, Hz (docs/UNITS.md). Time in the simulator is an integer tick grid: tick k is k * dt ms.
 *
 * @packageDocumentation
 */

// --- Errors, time, random numbers -------------------------------------------------------------------------------
export { InputError } from './core/errors.ts';
export { DEFAULT_DT_MS, onGrid, tickToMs, toTicks } from './core/time.ts';
export { CounterRng, streamId } from './core/rng.ts';

// --- Circuits and scenarios: files -> validated specs --------------------------------------------------------------
export { CIRCUITS_DIR, loadCircuit, toNetworkSpec, type LoadedCircuit } from './circuits/loader.ts';
export { circuitSchema, type CircuitFile } from './circuits/schema.ts';
export { readSpecFile, resolveSpec, validate as validateSpec } from './circuits/files.ts';
export { calibrateBalance, calibrateGolgi, type BalanceCalibration, type Calibration } from './circuits/calibrate.ts';
export { SCENARIOS_DIR, loadScenario, type CircuitScenario, type LoadedScenario } from './scenarios/loader.ts';
export {
  clsProtocolSchema,
  eyeblinkProtocolSchema,
  granuleCodeProtocolSchema,
  scenarioSchema,
  sdmProtocolSchema,
  type ClsProtocol,
  type EyeblinkProtocol,
  type GranuleCodeProtocol,
  type ScenarioFile,
  type SdmProtocol,
} from './scenarios/schema.ts';
export { runScenario } from './scenarios/runner.ts';
export type { Expectation, PopulationSummary, RunSummary, ScenarioRunOptions } from './scenarios/types.ts';

// --- Networks ----------------------------------------------------------------------------------------------------
export {
  buildNetwork,
  Network,
  Population,
  Projection,
  type BuildOptions,
  type CfErrorSpec,
  type CfGatedSpec,
  type NetworkSpec,
  type PlasticityBinding,
  type PlasticitySpec,
  type PopulationSpec,
  type ProjectionSpec,
  type SourceSpec,
} from './network/network.ts';
export type { ConnectivityRule, Csr } from './network/connectivity.ts';
export type { Distribution, ValueSpec } from './network/distributions.ts';
export { availableMemory, estimateMemory, formatBytes, type MemoryEstimate, type MemoryItem, type SpecForMemory } from './network/memory.ts';
export { NEURON_MODELS, SOURCE_KINDS, type AnyNeuronModel, type SourceKind } from './models/neurons/registry.ts';
export type { NeuronModel, ParamSpec, StateArrays, StepIO, FloatArray } from './models/neurons/types.ts';
export type { LifParams } from './models/neurons/lif.ts';
export type { CobaParams } from './models/neurons/coba.ts';
export type { AdexParams } from './models/neurons/adex.ts';
export type { ThresholdParams } from './models/neurons/threshold.ts';
export type { CfGatedParams, CfGatedRule } from './models/plasticity/cf-gated.ts';
export type { CfErrorParams, CfErrorRule } from './models/plasticity/cf-error.ts';

// --- The simulator and its backends ------------------------------------------------------------------------------
export {
  SCHEDULE,
  Simulator,
  type CurrentStep,
  type EventListener,
  type MemoryEvent,
  type Phase,
  type PlasticityHook,
  type RunOptions as SimulatorRunOptions,
  type SimulatorOptions,
  type SpikeListener,
  type TickListener,
} from './engine/simulator.ts';
export { BACKEND_CHOICES, createBackend, type BackendChoice } from './backends/select.ts';
export { CpuBackend } from './backends/cpu/index.ts';
export { GpuJsBackend, probeGpuDevice, type GpuDevice, type GpuJsOptions } from './backends/gpujs/index.ts';
export { chooseBackend, type AutoChoice, type BackendTrial } from './engine/auto.ts';
export type { Backend, BackendName } from './kernels/index.ts';

// --- Streams, recorders, sinks -----------------------------------------------------------------------------------
export {
  bin,
  clsEvents$,
  events$,
  inPopulations,
  rateHz,
  run$,
  selectNeurons,
  spikes$,
  type PopulationRate,
  type SpikeBatch,
  type SpikeCountBin,
} from './streams/index.ts';
export { isiRecorder, rasterRecorder, spikeRecorder } from './recording/recorders.ts';
export { spikeSink } from './recording/sinks/index.ts';
export { FORMAT_EXTENSION, SPIKE_FORMATS, type SpikeFormat, type SpikeSink } from './recording/sinks/types.ts';
export { MemorySink } from './recording/sinks/memory.ts';
export { CsvSpikeSink } from './recording/sinks/csv.ts';
export { NdjsonSpikeSink } from './recording/sinks/ndjson.ts';
export { ArrowSpikeSink } from './recording/sinks/arrow.ts';
export { cvOfTrain, IsiAccumulator, meanRateHz } from './analysis/spikes.ts';

// --- Sparse Distributed Memory: binary, continuous, on a circuit's granule activity --------------------------------
export {
  BINARY_SDM_DEFAULTS,
  BinarySdm,
  COUNTER_MAX,
  KANERVA_1988,
  type BinarySdmParams,
  type CounterBits,
  type Counters,
  type IterativeReadOptions,
  type IterativeReadResult,
  type ReadonlyCounters,
  type ReadonlyUint32Array,
  type SdmReadResult,
} from './models/memory/sdm/binary.ts';
export { ContinuousSdm, type ContinuousReadResult, type ContinuousSdmParams, type ReadonlyFloat64Array } from './models/memory/sdm/continuous.ts';
export { ActivitySdm, type Activity } from './models/memory/sdm/activity.ts';
export { PatternStore, type PatternReadResult } from './models/memory/sdm/patterns.ts';
export { DEFAULT_TIE, TIE_RULES, type TieRule } from './models/memory/sdm/threshold.ts';
export { flipBits, hammingBits, packBits, randomBits, unpackBits, wrongBits } from './models/memory/sdm/bits.ts';
export type { ScanKernel } from './models/memory/sdm/scan.ts';
export { SdmReadPool } from './backends/cpu/sdm/pool.ts';

// --- Attention and Hopfield readers of the same key/value patterns ------------------------------------------------
export {
  bipolar,
  bipolarUnit,
  bipolarUnitRows,
  bitAccuracy,
  cosine,
  hamming,
  keyBits,
  makePatternSet,
  makeQueries,
  matrix,
  matrixRow,
  signBits,
  valueBitsOf,
  valueCosine,
  type Association,
  type Matrix,
  type PatternSet,
  type PatternSetParams,
  type QueryOptions,
  type QuerySet,
} from './models/memory/readers/patterns.ts';
export {
  attentionMemory,
  attentionMemoryOf,
  attentionRead,
  attentionReadBatch,
  attentionWeights,
  softmax,
  type AttentionBatchOptions,
  type AttentionBatchRead,
  type AttentionMemory,
  type AttentionRead,
} from './models/memory/readers/attention.ts';
export {
  HOPFIELD_CRITICAL_LOAD,
  heteroPatterns,
  hopfieldCapacity,
  hopfieldEnergy,
  hopfieldHeteroRead,
  hopfieldOf,
  hopfieldReadBits,
  hopfieldRecall,
  hopfieldStore,
  hopfieldWeights,
  isFixedPoint,
  type HopfieldNetwork,
  type HopfieldRead,
  type HopfieldRecall,
  type HopfieldRecallOptions,
} from './models/memory/readers/hopfield.ts';
export {
  modernHopfieldCapacity,
  modernHopfieldEnergy,
  modernHopfieldRead,
  modernHopfieldRetrieve,
  type ModernHopfieldOptions,
  type ModernHopfieldRead,
  type ModernHopfieldResult,
} from './models/memory/readers/modern-hopfield.ts';

// --- SDM / attention theory ---------------------------------------------------------------------------------------
export {
  attentionReport,
  DEFAULT_RETRIEVAL_PROBABILITY,
  ballFraction,
  ballVolume,
  capFraction,
  capIntersectionFraction,
  circleIntersection,
  compareWeights,
  criticalDistance,
  expectedNeurons,
  fitBeta,
  hammingCosine,
  logBallFractions,
  logCapFraction,
  logMemoryCapacity,
  logMemoryOptimalProbability,
  logSignalToNoiseSquared,
  nearestRadius,
  neuronCount,
  optimalRadii,
  predictedBitAccuracy,
  type AttentionReport,
  type AttentionReportOptions,
  type BetaFit,
  type ByDistance,
  type CriticalDistance,
  type NeuronCount,
  type NeuronCountInput,
  type OptimalRadii,
  type OptimalRadius,
  type WeightComparison,
} from './analysis/sdm-theory/index.ts';

// --- Complementary learning systems: teacher, notebook, student ---------------------------------------------------
export {
  CLS_DEFAULTS,
  clsParams,
  SDM_NOTEBOOK_DEFAULTS,
  validateClsParams,
  withSdmDefaults,
  type ClsOverrides,
  type ClsParams,
  type NotebookKind,
  type NotebookParams,
  type StudentParams,
  type TeacherParams,
} from './models/memory/cls/params.ts';
export { createTeacher, sampleData, teacherEffectiveSnr, type Dataset, type Teacher } from './models/memory/cls/teacher.ts';
export {
  Notebook,
  type Classification,
  type FieldUpdate,
  type NotebookCounters,
  type Reactivation,
  type ReactivationOutcome,
  type Recall,
} from './models/memory/cls/notebook.ts';
export { SdmNotebook } from './models/memory/cls/sdm-notebook.ts';
export { Student } from './models/memory/cls/student.ts';
export { ReplaySchedule, type ReplayData, type ReplayEncoding, type ReplayEntry, type ReplaySource } from './models/memory/cls/replay.ts';
export {
  computeReplaySchedule,
  createNotebook,
  runCls,
  type ClsCurves,
  type ClsEvent,
  type ClsResult,
  type Regime,
  type RunOptions as ClsRunOptions,
  type TStarSource,
} from './models/memory/cls/run.ts';

// --- The CLS notebook on the spiking engine ----------------------------------------------------------------------
export { buildNotebookNetwork, SpikingNotebook, type CyclePhase, type CycleState, type SpikingNotebookOptions } from './hippocampus/spiking-notebook.ts';

// --- Sweeps over scenario values and seeds (local worker threads or a BullMQ queue) ------------------------------
export { planSweep, runSweep, type PointStatus, type SweepOptions, type SweepPlan, type SweepResult } from './sweep/sweep.ts';

// --- CLS theory -------------------------------------------------------------------------------------------------
export {
  clsTheoryCurves,
  clsTheoryReport,
  egContinuous,
  egDiscrete,
  etContinuous,
  etDiscrete,
  gdErrors,
  MpQuadrature,
  mpDensity,
  notebookMemoryError,
  onlineEg,
  optimalStopping,
  signalNoise,
  type ClsTheoryCurves,
  type ClsTheoryOptions,
  type ClsTheoryReport,
  type ErrorPoint,
  type JsonNumber,
  type MpExpectOptions,
  type MpIntegral,
  type MpRule,
  type Schedule,
  type SignalNoise,
  type StoppingResult,
} from './analysis/cls-theory/index.ts';
