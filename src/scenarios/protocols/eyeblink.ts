/**
 * Delay eyeblink conditioning (the `eyeblink` protocol) on a circuit with an `eyeblink` section: a conditioned
 * stimulus (CS) on the mossy fibres, held for the interstimulus interval (ISI) and `cs_after_us_ms` more, and an
 * unconditioned stimulus (US) to the inferior olive `isi` ms after CS onset. Each ISI is a session on a fresh circuit
 * with the same wiring (the same seed): acquisition blocks (CS + US, with CS-alone probe trials), then extinction blocks
 * (CS alone). The sessions follow one another on the log's time axis; each starts with a `session` event.
 *
 * Read-outs (analysis/conditioning.ts): per trial, a conditioned response (CR) when the nuclear count in the
 * `cr_window_ms` before the US (probe and extinction trials: where it would come) exceeds the pre-CS baseline by
 * `cr_threshold` Poisson SDs; per block, the CR fraction, the Purkinje rate in the CR window over its pre-CS rate (the
 * pause) and the olive's complex spikes after the US; per session, the time after CS onset at which the nuclear
 * response of the last acquisition blocks' probe trials peaks (where nothing from the US can shape it). The granule
 * code of the first trials of the longest-ISI session is decoded for elapsed time since CS onset (analysis/time-code.ts).
 *
 * Streamed like any run: the spike log, and events `session`, `trial` (its block, phase and whether it is a probe),
 * `cs` and `us`. Outputs: cr_fraction.csv (acquisition and extinction curves), cr_isi_<ISI>.csv (the nuclear
 * response over trial time per block) and pause_isi_<ISI>.csv (the Purkinje cells' rate over trial time per block),
 * each with its figure, summary.json and report.html.
 */
import { performance } from 'node:perf_hooks';
import { baselineRate, conditionedResponse, countIn, type ConditioningWindows, meanPsth, type Psth, responsePeakMs } from '../../analysis/conditioning.ts';
import { addSpike, codingLevel, createBinnedTrials, decodeElapsedTime, type BinnedTrials } from '../../analysis/time-code.ts';
import { type BackendChoice, createBackend } from '../../backends/select.ts';
import { InputError } from '../../core/errors.ts';
import { CounterRng, streamId } from '../../core/rng.ts';
import { DEFAULT_DT_MS, onGrid, toTicks } from '../../core/time.ts';
import { chooseBackend } from '../../engine/auto.ts';
import { Simulator } from '../../engine/simulator.ts';
import { synapseMemory } from '../../network/memory.ts';
import { buildNetwork, type Network } from '../../network/network.ts';
import type { LineSeries } from '../../recording/plots.ts';
import { isiRecorder, spikeRecorder } from '../../recording/recorders.ts';
import { OutputDir } from '../../recording/sinks/output-dir.ts';
import type { LoadedScenario } from '../loader.ts';
import { withCircuit } from '../loader.ts';
import { EventLog, openSpikeLog, populationExpectations, populationSummaries, recordedPopulations } from '../log.ts';
import { resultExpectations, writeProtocolOutputs } from '../outputs.ts';
import type { EyeblinkProtocol } from '../schema.ts';
import type { PopulationSummary, RunSummary, ScenarioRunOptions } from '../types.ts';

type Row = Record<string, number | string>;
type Section = NonNullable<NonNullable<LoadedScenario['circuit']>['circuit']['eyeblink']>;

/** What one trial is. */
export interface TrialPlan {
  readonly index: number;
  readonly block: number;
  readonly phase: 'acquisition' | 'extinction';
  /** A CS-alone trial inside acquisition. */
  readonly probe: boolean;
  /** CS and US (acquisition trials that are not probes). */
  readonly paired: boolean;
}

/** The session's trials in order: acquisition blocks (probes at `probe_trials`), then extinction blocks. */
export function trialPlan(p: Pick<EyeblinkProtocol, 'trials_per_block' | 'acquisition_blocks' | 'extinction_blocks' | 'probe_trials'>): TrialPlan[] {
  const out: TrialPlan[] = [];
  const probes = new Set(p.probe_trials);
  for (let block = 0; block < p.acquisition_blocks + p.extinction_blocks; block++) {
    const phase = block < p.acquisition_blocks ? 'acquisition' : 'extinction';
    for (let i = 0; i < p.trials_per_block; i++) {
      const probe = phase === 'acquisition' && probes.has(i);
      out.push({ index: out.length, block, phase, probe, paired: phase === 'acquisition' && !probe });
    }
  }
  return out;
}

/**
 * One mossy fibre's spike times (ms from the trial's start) in one trial: a Poisson process at `restHz`, `csHz` in
 * [csOn, csOff), `restHz` again after, each segment drawn afresh (the process restarts at each rate change, which a
 * memoryless process allows), from the counter-based generator keyed by (fibre, trial, draw).
 */
export function mossyTrain(rng: CounterRng, stream: number, fibre: number, trial: number, trialMs: number, csOn: number, csOff: number, restHz: number, csHz: number): number[] {
  const out: number[] = [];
  let draw = 0;
  for (const [a, b, rate] of [
    [0, csOn, restHz],
    [csOn, csOff, csHz],
    [csOff, trialMs, restHz],
  ] as const) {
    if (!(rate > 0)) continue;
    let t = a;
    for (;;) {
      t += (-Math.log(1 - rng.uniform(stream, fibre, trial, draw++)) * 1000) / rate;
      if (t >= b) break;
      out.push(t);
    }
  }
  return out;
}

/** The circuit's eyeblink roles, checked: the CS and US populations are external sources, the others neurons. */
function rolesOf(network: Network, sec: Section, circuitFile: string) {
  const pop = (name: string, field: string, source: boolean) => {
    const p = network.population(name);
    if (!p) throw new InputError(`${circuitFile}: ${field}`, `a population of the circuit, got '${name}'`);
    if (source && p.source?.kind !== 'external') throw new InputError(`${circuitFile}: ${field}`, `an external source (the protocol drives it), got '${name}' (${p.kind})`);
    if (!source && !p.model) throw new InputError(`${circuitFile}: ${field}`, `a neuron population, got the ${p.kind} source '${name}'`);
    return p;
  };
  return {
    mossy: pop(sec.mossy, '/eyeblink/mossy', true),
    us: pop(sec.us, '/eyeblink/us', true),
    purkinje: pop(sec.purkinje, '/eyeblink/purkinje', false),
    dcn: pop(sec.dcn, '/eyeblink/dcn', false),
    olive: pop(sec.olive, '/eyeblink/olive', false),
    granule: sec.granule.map((g, i) => pop(g, `/eyeblink/granule/${i}`, false)),
  };
}

/** Per-trial PSTHs of one population (summed over its cells), bins of binMs from each trial's start. */
class TrialPsths {
  readonly counts: Float64Array;
  constructor(
    readonly trials: number,
    readonly bins: number,
    readonly binMs: number,
  ) {
    this.counts = new Float64Array(trials * bins);
  }
  add(trial: number, bin: number, n: number): void {
    if (trial < this.trials && bin < this.bins) this.counts[trial * this.bins + bin]! += n;
  }
  trial(t: number): Psth {
    return { binMs: this.binMs, counts: this.counts.subarray(t * this.bins, (t + 1) * this.bins) };
  }
}

interface SessionResult {
  readonly isi: number;
  readonly complete: boolean;
  readonly crFraction: number[];
  readonly peakMs: number | null;
  /** Mean nuclear rate per cell (Hz) per bin and block, and of the peak's probe trials. */
  readonly dcnByBlock: Float64Array[];
  readonly dcnProbes: Float64Array | null;
  readonly pcByBlock: Float64Array[];
  readonly pause: number[];
  readonly dcnBaselineHz: number[];
  readonly dcnCrWindowHz: number[];
  readonly purkinjeBaselineHz: number[];
  readonly purkinjeCrWindowHz: number[];
  readonly oliveAfterUs: Array<number | null>;
}

const r4 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

export async function runEyeblinkScenario(loaded: LoadedScenario, proto: EyeblinkProtocol, opts: ScenarioRunOptions): Promise<RunSummary> {
  const { scenario, circuit, file } = withCircuit(loaded, 'the eyeblink protocol');
  if (opts.durationMs !== undefined) throw new InputError('--duration', `not for '${scenario.name}': its protocol sets the duration`);
  const sec = circuit.circuit.eyeblink;
  if (!sec) throw new InputError(`${file}: /protocol`, `a circuit with an 'eyeblink' section (roles of its populations), got circuit '${circuit.circuit.name}'`);
  const dtMs = scenario.dt_ms ?? circuit.circuit.dt_ms ?? DEFAULT_DT_MS;
  for (const [field, v] of [['trial_ms', proto.trial_ms], ['cs_onset_ms', proto.cs_onset_ms], ['bin_ms', proto.bin_ms], ['decode_bin_ms', proto.decode_bin_ms], ...proto.isi_ms.map((x, i) => [`isi_ms/${i}`, x] as const)] as const)
    if (!onGrid(v, dtMs)) throw new InputError(`${file}: /protocol/${field}`, `a multiple of dt (${dtMs} ms), got ${v}`);
  const seed = opts.seed ?? scenario.seed;
  const plan = trialPlan(proto);
  const blocks = proto.acquisition_blocks + proto.extinction_blocks;
  const trialTicks = toTicks(proto.trial_ms, dtMs);
  const sessionTicks = trialTicks * plan.length;
  const totalTicks = sessionTicks * proto.isi_ms.length;
  const bins = Math.round(proto.trial_ms / proto.bin_ms);
  const csOn = proto.cs_onset_ms;
  const longest = proto.isi_ms.reduce((m, x, i) => (x > proto.isi_ms[m]! ? i : m), 0);

  const out = opts.outDir !== undefined ? new OutputDir(opts.outDir, { overwrite: opts.overwrite === true }) : null;
  try {
    const files: Record<string, string> = {};
    const sinks = openSpikeLog(scenario.record, opts, out, dtMs, files);
    const recorded = recordedPopulations(scenario.record);
    const events = new EventLog(out, sinks, dtMs);
    const sessions: SessionResult[] = [];
    const counts: Record<string, number> = {};
    let decode: { errorMs: number; chanceMs: number; codingLevel: number; trials: number; bins: number; cells: number } | null = null;
    let backendInfo: { name: string; device: string; precision: number; reason: string; kernels: Record<string, string>; threads: number } | null = null;
    let trialsOf: Awaited<ReturnType<typeof chooseBackend>>['trials'] | undefined;
    let choice: BackendChoice = opts.backend ?? 'cpu';
    let buildMs = 0;
    let simulatedTicks = 0;
    let synapses = 0;
    let synapseBytes = 0;
    let bytesPerSynapse = 0;
    let synapticEvents = 0;
    let peakRss = process.memoryUsage().rss;
    let firstNetwork: Network | null = null;
    /** Each session's mean ISI CV per population (their mean goes into the summary). */
    const cvs = new Map<string, number[]>();
    let interrupted = false;
    const wall0 = performance.now();
    opts.onProgress?.(0, totalTicks, dtMs);

    for (let s = 0; s < proto.isi_ms.length && !interrupted; s++) {
      const isiMs = proto.isi_ms[s]!;
      const tb = performance.now();
      const network = buildNetwork(circuit.spec, seed, dtMs, opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {});
      buildMs += performance.now() - tb;
      firstNetwork ??= network;
      const roles = rolesOf(network, sec, circuit.file);
      // `auto` measures the candidates on the first session's circuit; the later sessions use the same backend.
      const { backend, reason, trials } =
        choice === 'auto'
          ? await chooseBackend(network, { seed, precision: opts.precision ?? 64, threads: opts.threads ?? 1 })
          : { ...(await createBackend(choice, opts.precision ?? 64)), trials: undefined };
      if (choice === 'auto') choice = backend.name === 'gpujs' ? 'gpujs' : 'cpu';
      trialsOf ??= trials;
      backendInfo ??= { name: backend.name, device: backend.device, precision: backend.precision, reason, kernels: {}, threads: 1 };
      const sim = await Simulator.create(network, { seed, backend, threads: opts.threads ?? 1 });
      try {
        backendInfo.kernels = sim.kernelImplementations;
        backendInfo.threads = sim.threads;
        const offset = s * sessionTicks;
        if (scenario.record.spikes !== 'none')
          for (const sink of sinks) {
            const rec = spikeRecorder(sink, recorded);
            sim.onSpikes((tick, pop, idx) => rec(tick + offset, pop, idx));
          }
        sim.onEvent((e) => events.write(e, offset));
        for (const l of opts.listeners ?? []) sim.onSpikes((tick, pop, idx) => l(tick + offset, pop, idx));
        const isiRec = isiRecorder(network.populations);
        sim.onSpikes(isiRec.listener);

        // PSTHs of the read-out populations, and the granule code for the decoder.
        const psth = { purkinje: new TrialPsths(plan.length, bins, proto.bin_ms), dcn: new TrialPsths(plan.length, bins, proto.bin_ms), olive: new TrialPsths(plan.length, bins, proto.bin_ms) };
        const byPop = new Map([
          [roles.purkinje, psth.purkinje],
          [roles.dcn, psth.dcn],
          [roles.olive, psth.olive],
        ]);
        const binTicks = toTicks(proto.bin_ms, dtMs);
        sim.onSpikes((tick, pop, idx) => {
          const p = byPop.get(pop);
          if (!p) return;
          // A spike computed in tick k has time k + 1 (recorders.ts); bins hold (k b, (k + 1) b] of the trial.
          const trial = Math.floor((tick - 1) / trialTicks);
          p.add(trial, Math.floor((tick - 1 - trial * trialTicks) / binTicks), idx.length);
        });
        const csMs = isiMs + proto.cs_after_us_ms;
        let code: BinnedTrials | null = null;
        if (s === longest && roles.granule.length > 0) {
          const decodeBins = Math.floor(csMs / proto.decode_bin_ms);
          const cellBase = new Map<(typeof roles.granule)[number], number>();
          let cells = 0;
          for (const g of roles.granule) {
            cellBase.set(g, cells);
            cells += g.size;
          }
          const trials = Math.min(proto.decode_trials, plan.length);
          const data = createBinnedTrials(trials, decodeBins, cells, proto.decode_bin_ms);
          code = data;
          sim.onSpikes((tick, pop, idx) => {
            const base = cellBase.get(pop);
            if (base === undefined) return;
            const trial = Math.floor((tick - 1) / trialTicks);
            if (trial >= trials) return;
            const tMs = (tick - trial * trialTicks) * dtMs - csOn;
            if (tMs < 0) return;
            for (const i of idx) addSpike(data, trial, base + i, tMs);
          });
        }

        // The trials: each trial's start schedules its events and the next trial's mossy spikes.
        const rng = new CounterRng(seed);
        const mfStream = streamId('eyeblink:mossy');
        const injectMossy = (t: number) => {
          const start = t * trialTicks;
          const byTick = new Map<number, number[]>();
          for (let j = 0; j < roles.mossy.size; j++)
            for (const ms of mossyTrain(rng, mfStream, j, t, proto.trial_ms, csOn, csOn + csMs, proto.mossy_rest_hz, proto.mossy_cs_hz)) {
              const tick = start + Math.round(ms / dtMs);
              if (tick >= start + trialTicks) continue;
              const list = byTick.get(tick);
              if (list) list.push(j);
              else byTick.set(tick, [j]);
            }
          for (const [tick, neurons] of byTick) sim.injectSpikes(roles.mossy.name, tick, neurons);
        };
        const usNeurons = Array.from({ length: roles.us.size }, (_, i) => i);
        const csTicks = toTicks(csOn, dtMs);
        const isiTicks = toTicks(isiMs, dtMs);
        const emit = (tick: number, kind: string, id: number, data: Record<string, unknown>) => sim.at(tick, () => sim.emitEvent({ tick, kind, id, data }));
        emit(0, 'session', s, { isi_ms: isiMs, trials: plan.length, trial_ms: proto.trial_ms, cs_onset_ms: csOn, cs_ms: csMs });
        injectMossy(0);
        for (const trial of plan) {
          const start = trial.index * trialTicks;
          emit(start, 'trial', trial.index, { isi_ms: isiMs, block: trial.block, phase: trial.phase, probe: trial.probe });
          emit(start + csTicks, 'cs', trial.index, { isi_ms: isiMs, duration_ms: csMs });
          if (trial.paired) {
            emit(start + csTicks + isiTicks, 'us', trial.index, { isi_ms: isiMs });
            for (let k = 0; k < proto.us_spikes; k++) sim.injectSpikes(roles.us.name, start + csTicks + isiTicks + toTicks(k * proto.us_interval_ms, dtMs), usNeurons);
          }
          if (trial.index + 1 < plan.length) sim.at(start, () => injectMossy(trial.index + 1));
        }

        await sim.run(sessionTicks, {
          chunkTicks: opts.chunkTicks ?? 1000,
          ...(opts.signal ? { signal: opts.signal } : {}),
          afterChunk: async (tick) => {
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
            for (const sink of sinks) await sink.drain();
            opts.onProgress?.(offset + tick, totalTicks, dtMs);
            await opts.onChunk?.(offset + tick);
          },
        });
        interrupted = sim.tick < sessionTicks;
        simulatedTicks += sim.tick;
        synapses = network.synapses;
        synapseBytes = network.synapseBytes;
        bytesPerSynapse = synapseMemory(network).bytesPerSynapse;
        synapticEvents += sim.synapticEvents;
        for (const [name, c] of Object.entries(sim.spikeCounts())) counts[name] = (counts[name] ?? 0) + c;
        for (const p of network.populations) {
          const cv = isiRec.meanCv(p.name).cv;
          if (Number.isFinite(cv)) cvs.set(p.name, [...(cvs.get(p.name) ?? []), cv]);
        }
        const done = Math.floor(sim.tick / trialTicks);
        sessions.push(sessionResult(proto, plan, isiMs, done, psth, { dcn: roles.dcn.size, purkinje: roles.purkinje.size, olive: roles.olive.size }, blocks));
        if (code && done >= code.trials) {
          const d = decodeElapsedTime(code);
          const cl = codingLevel(code);
          decode = { errorMs: d.meanAbsErrorMs, chanceMs: d.chanceMs, codingLevel: cl.reduce((a, b) => a + b, 0) / cl.length, trials: code.trials, bins: code.bins, cells: code.cells };
        }
      } finally {
        sim.dispose();
        backend.dispose();
      }
    }
    const wallMs = performance.now() - wall0;
    for (const sink of sinks) await sink.close();
    events.close(files);

    const results = eyeblinkResults(proto, sessions, decode);
    const { tables, charts } = eyeblinkTables(proto, sessions, blocks);
    const simulatedMs = simulatedTicks * dtMs;
    const populations: Record<string, PopulationSummary> = firstNetwork
      ? populationSummaries(firstNetwork, counts, simulatedMs, (name) => {
          const xs = cvs.get(name) ?? [];
          return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
        })
      : {};
    const enforced = !interrupted;
    const expectations = [...populationExpectations(scenario.expect, populations, enforced), ...resultExpectations(scenario.expect.results, results, enforced)];
    const info = backendInfo ?? { name: 'cpu', device: 'cpu', precision: opts.precision ?? 64, reason: 'not started', kernels: {}, threads: 1 };
    const summary: RunSummary = {
      scenario: scenario.name,
      circuit: circuit.circuit.name,
      backend: info.name,
      device: info.device,
      precision: info.precision,
      backend_reason: info.reason,
      ...(trialsOf ? { backend_trials: trialsOf } : {}),
      kernels: info.kernels,
      threads: info.threads,
      shared_ticks: { update: 0, deliver: 0 },
      seed,
      dt_ms: dtMs,
      biological_ms: Math.round(simulatedMs * 1000) / 1000,
      build_ms: Math.round(buildMs),
      wall_ms: Math.round(wallMs),
      real_time_factor: r4(simulatedMs / Math.max(wallMs, 1e-9)),
      synapses,
      synapse_bytes: synapseBytes,
      synapse_bytes_per_synapse: r4(bytesPerSynapse),
      synaptic_events: synapticEvents,
      peak_rss_mb: Math.round(peakRss / 2 ** 20),
      populations,
      expectations,
      passed: expectations.every((e) => e.pass || !e.enforced),
      interrupted,
      spikes_written: sinks.reduce((m, x) => Math.max(m, x.rows), 0),
      events: events.count,
      files,
      results,
    };
    if (out) await writeProtocolOutputs(out, summary, tables, charts, [{ name: 'cr_fraction', caption: 'cr_fraction.csv: the CR fraction per block and ISI (acquisition, then extinction)' }]);
    return summary;
  } catch (e) {
    out?.discard();
    throw e;
  }
}

/** The read-outs of one session from its PSTHs; `done` trials were simulated (all of them unless interrupted). */
function sessionResult(
  proto: EyeblinkProtocol,
  plan: readonly TrialPlan[],
  isiMs: number,
  done: number,
  psth: Record<'purkinje' | 'dcn' | 'olive', TrialPsths>,
  sizes: Record<'purkinje' | 'dcn' | 'olive', number>,
  blocks: number,
): SessionResult {
  const w: ConditioningWindows = { csOnsetMs: proto.cs_onset_ms, isiMs, baselineMs: proto.baseline_ms, crWindowMs: proto.cr_window_ms };
  const usMs = proto.cs_onset_ms + isiMs;
  const hz = (count: number, cells: number, ms: number) => (count / cells / ms) * 1000;
  const blockTrials = (b: number) => plan.filter((t) => t.block === b && t.index < done);
  const rates = (p: TrialPsths, cells: number, trials: readonly TrialPlan[]) => {
    const m = meanPsth(trials.map((t) => p.trial(t.index)));
    return Float64Array.from(m.counts, (c) => hz(c, cells, p.binMs));
  };
  const crFraction: number[] = [];
  const pause: number[] = [];
  const dcnBaselineHz: number[] = [];
  const dcnCrWindowHz: number[] = [];
  const purkinjeBaselineHz: number[] = [];
  const purkinjeCrWindowHz: number[] = [];
  const oliveAfterUs: Array<number | null> = [];
  const dcnByBlock: Float64Array[] = [];
  const pcByBlock: Float64Array[] = [];
  for (let b = 0; b < blocks; b++) {
    const trials = blockTrials(b);
    if (trials.length < proto.trials_per_block) break;
    const dcn = trials.map((t) => psth.dcn.trial(t.index));
    crFraction.push(dcn.filter((p) => conditionedResponse(p, w, proto.cr_threshold).cr).length / dcn.length);
    const mDcn = meanPsth(dcn);
    const mPc = meanPsth(trials.map((t) => psth.purkinje.trial(t.index)));
    dcnBaselineHz.push(hz(baselineRate(mDcn, w), sizes.dcn, 1));
    dcnCrWindowHz.push(hz(countIn(mDcn, usMs - w.crWindowMs, usMs), sizes.dcn, w.crWindowMs));
    const pcBase = hz(baselineRate(mPc, w), sizes.purkinje, 1);
    const pcCr = hz(countIn(mPc, usMs - w.crWindowMs, usMs), sizes.purkinje, w.crWindowMs);
    purkinjeBaselineHz.push(pcBase);
    purkinjeCrWindowHz.push(pcCr);
    pause.push(pcBase > 0 ? pcCr / pcBase : NaN);
    const paired = trials.filter((t) => t.paired);
    const afterMs = Math.min(50, proto.trial_ms - usMs);
    oliveAfterUs.push(paired.length ? paired.reduce((a, t) => a + countIn(psth.olive.trial(t.index), usMs, usMs + Math.floor(afterMs / psth.olive.binMs) * psth.olive.binMs), 0) / paired.length / sizes.olive : null);
    dcnByBlock.push(rates(psth.dcn, sizes.dcn, trials));
    pcByBlock.push(rates(psth.purkinje, sizes.purkinje, trials));
  }
  const lastAcq = proto.acquisition_blocks - 1;
  const probes = plan.filter((t) => t.probe && t.block > lastAcq - proto.peak_blocks && t.block <= lastAcq && t.index < done);
  const complete = done >= plan.length;
  const peakMs = probes.length && crFraction.length > lastAcq ? responsePeakMs(probes.map((t) => psth.dcn.trial(t.index)), w, proto.peak_smooth_ms, proto.peak_after_us_ms) : null;
  return {
    isi: isiMs,
    complete,
    crFraction,
    peakMs,
    dcnByBlock,
    dcnProbes: probes.length ? rates(psth.dcn, sizes.dcn, probes) : null,
    pcByBlock,
    pause,
    dcnBaselineHz,
    dcnCrWindowHz,
    purkinjeBaselineHz,
    purkinjeCrWindowHz,
    oliveAfterUs,
  };
}

function eyeblinkResults(proto: EyeblinkProtocol, sessions: readonly SessionResult[], decode: { errorMs: number; chanceMs: number; codingLevel: number; trials: number; bins: number; cells: number } | null): Record<string, unknown> {
  const A = proto.acquisition_blocks;
  const at = (xs: readonly number[], i: number) => (i >= 0 && i < xs.length ? r4(xs[i]!) : null);
  return {
    isi_ms: sessions.map((s) => s.isi),
    cr_peak_ms: sessions.map((s) => s.peakMs),
    /** (peak - ISI) / ISI: negative before the US. */
    cr_peak_error: sessions.map((s) => (s.peakMs === null ? null : r4((s.peakMs - s.isi) / s.isi))),
    cr_fraction: sessions.map((s) => s.crFraction.map(r4)),
    acquisition_first_cr_fraction: sessions.map((s) => at(s.crFraction, 0)),
    acquisition_last_cr_fraction: sessions.map((s) => at(s.crFraction, A - 1)),
    extinction_cr_fraction: sessions.map((s) => (proto.extinction_blocks > 0 ? at(s.crFraction, A + proto.extinction_blocks - 1) : null)),
    /** Last extinction block over last acquisition block (null when the latter is 0). */
    extinction_ratio: sessions.map((s) => {
      const a = s.crFraction[A - 1];
      const e = s.crFraction[A + proto.extinction_blocks - 1];
      return a !== undefined && e !== undefined && proto.extinction_blocks > 0 && a > 0 ? r4(e / a) : null;
    }),
    purkinje_pause: sessions.map((s) => s.pause.map(r4)),
    purkinje_baseline_hz: sessions.map((s) => s.purkinjeBaselineHz.map(r4)),
    purkinje_cr_window_hz: sessions.map((s) => s.purkinjeCrWindowHz.map(r4)),
    dcn_baseline_hz: sessions.map((s) => s.dcnBaselineHz.map(r4)),
    dcn_cr_window_hz: sessions.map((s) => s.dcnCrWindowHz.map(r4)),
    /** Complex spikes per olive cell in the 50 ms after the US, per acquisition block (paired trials). */
    olive_spikes_after_us: sessions.map((s) => s.oliveAfterUs.slice(0, A).map((x) => (x === null ? null : r4(x)))),
    // Over every ISI, so that one band holds for any list of ISIs (the test run uses one).
    cr_peak_ratio_min: aggregate(sessions.map((s) => (s.peakMs === null ? NaN : s.peakMs / s.isi)), Math.min),
    cr_peak_ratio_max: aggregate(sessions.map((s) => (s.peakMs === null ? NaN : s.peakMs / s.isi)), Math.max),
    /** Smallest gain in CR fraction from the first to the last acquisition block. */
    cr_fraction_gain_min: aggregate(sessions.map((s) => (s.crFraction[A - 1] ?? NaN) - (s.crFraction[0] ?? NaN)), Math.min),
    /** Largest ratio of the last extinction block's CR fraction to the last acquisition block's. */
    extinction_ratio_max:
      proto.extinction_blocks > 0 ? aggregate(sessions.map((s) => (s.crFraction[A + proto.extinction_blocks - 1] ?? NaN) / (s.crFraction[A - 1] ?? NaN)), Math.max) : null,
    time_code: decode
      ? { error_ms: r4(decode.errorMs), chance_ms: r4(decode.chanceMs), coding_level: r4(decode.codingLevel), trials: decode.trials, bins: decode.bins, bin_ms: proto.decode_bin_ms, cells: decode.cells }
      : null,
  };
}

/** min or max of values, null when there are none or one is not a number (a missing peak fails its band). */
function aggregate(xs: readonly number[], f: (...v: number[]) => number): number | null {
  return xs.length && xs.every(Number.isFinite) ? r4(f(...xs)) : null;
}

function eyeblinkTables(proto: EyeblinkProtocol, sessions: readonly SessionResult[], blocks: number) {
  const tables: Record<string, Row[]> = {};
  const charts: Record<string, Omit<LineSeries, 'rows'>> = {};
  const A = proto.acquisition_blocks;
  const col = (isi: number) => `isi_${isi}`;
  tables.cr_fraction = Array.from({ length: blocks }, (_, b) => {
    const row: Row = { block: b + 1, phase: b < A ? 'acquisition' : 'extinction' };
    for (const s of sessions) if (b < s.crFraction.length) row[col(s.isi)] = r4(s.crFraction[b]!);
    return row;
  });
  charts.cr_fraction = {
    title: 'Conditioned responses per block: acquisition, then extinction',
    note: `${proto.trials_per_block} trials per block; blocks 1-${A} CS + US (probes: trials ${proto.probe_trials.join(', ')}), ${A + 1}-${blocks} CS alone`,
    x: 'block',
    y: sessions.map((s) => col(s.isi)),
    labels: Object.fromEntries(sessions.map((s) => [col(s.isi), `ISI ${s.isi} ms`])),
    xTitle: 'block',
    yTitle: 'CR fraction',
  };
  const blockLabel = (b: number) => (b < A ? `acquisition ${b + 1}` : `extinction ${b - A + 1}`);
  for (const s of sessions) {
    const t = (i: number) => r4((i + 0.5) * proto.bin_ms - proto.cs_onset_ms);
    // From the baseline window to 200 ms after the CS (the rest of the trial is baseline again).
    const first = Math.max(0, Math.floor((proto.cs_onset_ms - proto.baseline_ms) / proto.bin_ms));
    const last = Math.min(s.dcnByBlock[0]?.length ?? 0, Math.ceil((proto.cs_onset_ms + s.isi + proto.cs_after_us_ms + 200) / proto.bin_ms));
    const perBin = (series: readonly Float64Array[], extra: Float64Array | null) =>
      Array.from({ length: Math.max(0, last - first) }, (_, q) => {
        const i = first + q;
        const row: Row = { t_ms: t(i) };
        series.forEach((x, b) => (row[`block_${b + 1}`] = r4(x[i]!)));
        if (extra) row.probes = r4(extra[i]!);
        return row;
      });
    const labels = Object.fromEntries([...s.dcnByBlock.map((_, b) => [`block_${b + 1}`, blockLabel(b)]), ['probes', `CS-alone probes, last ${proto.peak_blocks} acquisition blocks`]]);
    // The figures show the first and last acquisition block and the last extinction block (the CSV has every block).
    const shown = [...new Set([0, A - 1, s.dcnByBlock.length - 1])].filter((b) => b >= 0 && b < s.dcnByBlock.length);
    const ys = shown.map((b) => `block_${b + 1}`);
    tables[`cr_isi_${s.isi}`] = perBin(s.dcnByBlock, s.dcnProbes);
    charts[`cr_isi_${s.isi}`] = {
      title: `Nuclear output over the trial per block, ISI ${s.isi} ms (CS at 0, US at ${s.isi} ms)`,
      note: `mean rate per deep-nuclear cell; learned response peak on probe trials: ${s.peakMs === null ? 'none' : `${s.peakMs} ms`}`,
      x: 't_ms',
      y: s.dcnProbes ? [...ys, 'probes'] : ys,
      labels,
      xTitle: 'time after CS onset (ms)',
      yTitle: 'rate (Hz per cell)',
    };
    tables[`pause_isi_${s.isi}`] = perBin(s.pcByBlock, null);
    charts[`pause_isi_${s.isi}`] = {
      title: `Purkinje cells over the trial per block, ISI ${s.isi} ms (CS at 0, US at ${s.isi} ms)`,
      note: `mean rate per Purkinje cell; CR-window / pre-CS rate, last acquisition block: ${r4(s.pause[A - 1] ?? NaN)}`,
      x: 't_ms',
      y: ys,
      labels,
      xTitle: 'time after CS onset (ms)',
      yTitle: 'rate (Hz per cell)',
    };
  }
  return { tables, charts };
}
