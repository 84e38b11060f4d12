/**
 * Runs a loaded scenario: builds the network, picks the backend, applies stimuli, records, simulates, checks the
 * scenario's expectations and writes the outputs atomically. Returns the summary (also written as summary.json).
 */
import { synapseMemory } from '../network/memory.ts';
import { performance } from 'node:perf_hooks';
import { InputError, jsonPointer } from '../core/errors.ts';
import { DEFAULT_DT_MS, onGrid, toTicks } from '../core/time.ts';
import { createBackend } from '../backends/select.ts';
import { chooseBackend } from '../engine/auto.ts';
import { Simulator } from '../engine/simulator.ts';
import { buildNetwork } from '../network/network.ts';
import { isiRecorder, rasterRecorder, spikeRecorder } from '../recording/recorders.ts';
import { lineChart, rasterChart, renderSvg, windowRasterChart } from '../recording/plots.ts';
import { writeReport } from '../recording/report.ts';
import { writeFileSync } from 'node:fs';
import { OutputDir } from '../recording/sinks/output-dir.ts';
import { EventLog, openSpikeLog, populationExpectations, populationSummaries, recordedPopulations } from './log.ts';
import { type LoadedScenario, withCircuit } from './loader.ts';
import type { Expectation, RunSummary, ScenarioRunOptions } from './types.ts';

export type { Expectation, PopulationSummary, RunSummary, ScenarioRunOptions } from './types.ts';
import { runClsScenario } from './protocols/cls.ts';
import { runClsSpikingScenario } from './protocols/cls-spiking.ts';
import { runGranuleCodeScenario } from './protocols/granule-code.ts';
import { runEyeblinkScenario } from './protocols/eyeblink.ts';
import { startSdmProtocol } from './protocols/sdm.ts';
import { calibrateBalance, calibrateGolgi } from '../circuits/calibrate.ts';
import { writeCsvTable } from '../recording/sinks/table.ts';
import { resultExpectations } from './outputs.ts';

export async function runScenario(loaded: LoadedScenario, opts: ScenarioRunOptions = {}): Promise<RunSummary> {
  if (loaded.scenario.protocol?.kind === 'cls') return runClsScenario(loaded, loaded.scenario.protocol, opts);
  if (loaded.scenario.protocol?.kind === 'cls-spiking') return runClsSpikingScenario(loaded, loaded.scenario.protocol, opts);
  if (loaded.scenario.protocol?.kind === 'granule-code') return runGranuleCodeScenario(loaded, loaded.scenario.protocol, opts);
  if (loaded.scenario.protocol?.kind === 'eyeblink') return runEyeblinkScenario(loaded, loaded.scenario.protocol, opts);
  const { scenario, circuit, file } = withCircuit(loaded, 'running it');
  const dtMs = scenario.dt_ms ?? circuit.circuit.dt_ms ?? DEFAULT_DT_MS;
  const seed = opts.seed ?? scenario.seed;
  if (scenario.protocol && opts.durationMs !== undefined) throw new InputError('--duration', `not for '${scenario.name}': its protocol sets the duration`);
  const durationMs = opts.durationMs ?? scenario.duration_ms ?? 0;
  if (!scenario.protocol && !onGrid(durationMs, dtMs))
    throw new InputError(opts.durationMs !== undefined ? '--duration' : `${file}: /duration_ms`, `a multiple of dt (${dtMs} ms), got ${durationMs}`);
  let ticks = toTicks(durationMs, dtMs);

  const out = opts.outDir !== undefined ? new OutputDir(opts.outDir, { overwrite: opts.overwrite === true }) : null;
  try {
    const t0 = performance.now();
    const network = buildNetwork(circuit.spec, seed, dtMs, opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {});
    const calibration = calibrateGolgi(network, circuit.circuit, circuit.file);
    const balance = calibrateBalance(network, circuit.circuit, circuit.file);
    const buildMs = performance.now() - t0;
    const choice = opts.backend ?? 'cpu';
    const { backend, reason, trials } =
      choice === 'auto'
        ? await chooseBackend(network, { seed, precision: opts.precision ?? 64, threads: opts.threads ?? 1 })
        : { ...(await createBackend(choice, opts.precision ?? 64)), trials: undefined };
    const sim = await Simulator.create(network, { seed, backend, threads: opts.threads ?? 1 });
    try {
      scenario.stimuli.forEach((s, i) => {
        const pop = network.population(s.population)!;
        if (!pop.model) throw new InputError(`${file}: ${jsonPointer(['stimuli', i, 'population'])}`, `a neuron population, got the ${pop.kind} source '${pop.name}'`);
        s.neurons?.forEach((n, j) => {
          if (n >= pop.size) throw new InputError(`${file}: ${jsonPointer(['stimuli', i, 'neurons', j])}`, `a neuron index below ${pop.size}, got ${n}`);
        });
        sim.addCurrentStep({ population: s.population, neurons: s.neurons ?? null, startTick: toTicks(s.start_ms, dtMs), stopTick: toTicks(s.stop_ms, dtMs), amplitude: s.amplitude });
      });

      const protocol = scenario.protocol?.kind === 'sdm' ? startSdmProtocol(scenario.protocol, sim, network, circuit.circuit, seed, file, circuit.file) : null;
      if (protocol) ticks = protocol.ticks;

      const files: Record<string, string> = {};
      const sinks = openSpikeLog(scenario.record, opts, out, dtMs, files);
      const recorded = recordedPopulations(scenario.record);
      if (scenario.record.spikes !== 'none') for (const sink of sinks) sim.onSpikes(spikeRecorder(sink, recorded));
      // Memory-model events go through the same sinks as spikes and, with their data, into events.ndjson.
      const events = new EventLog(out, sinks, dtMs);
      sim.onEvent((e) => events.write(e));
      for (const l of opts.listeners ?? []) sim.onSpikes(l);
      const isi = isiRecorder(network.populations);
      sim.onSpikes(isi.listener);
      const raster = out ? rasterRecorder(network.populations, dtMs, Math.max(1, Math.round(Math.max(ticks * dtMs, 1) / 200 / dtMs))) : null;
      if (raster) sim.onSpikes(raster.listener);

      let peakRss = process.memoryUsage().rss;
      const t1 = performance.now();
      opts.onProgress?.(0, ticks, dtMs);
      await sim.run(ticks, {
        chunkTicks: opts.chunkTicks ?? 1000,
        ...(opts.signal ? { signal: opts.signal } : {}),
        afterChunk: async (tick) => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          for (const s of sinks) await s.drain();
          opts.onProgress?.(tick, ticks, dtMs);
          await opts.onChunk?.(tick);
        },
      });
      const wallMs = performance.now() - t1;
      for (const s of sinks) await s.close();
      events.close(files);

      const simulatedMs = sim.tick * dtMs;
      const populations = populationSummaries(network, sim.spikeCounts(), simulatedMs, (name) => isi.meanCv(name).cv);
      const interrupted = sim.tick < ticks;
      const finished = protocol && !interrupted ? protocol.finish() : null;
      const results: Record<string, unknown> = { ...(finished?.results ?? {}) };
      if (calibration) results.calibration = { target_active_fraction: calibration.target, golgi_weight: calibration.golgiWeight, expected_active_fraction: calibration.expectedFraction };
      if (balance)
        results.calibration = {
          ...(results.calibration as Record<string, unknown> | undefined),
          feedforward_inhibition_ns: balance.inhibitoryWeight,
          baseline_weight_ns: balance.baselineWeight,
          purkinje_intrinsic_drive_pa: balance.intrinsicDrive,
          active_granule_cells_per_volley: balance.activeCellsPerVolley,
          trough_kernel: balance.troughKernel,
        };
      if (out && finished) {
        for (const [name, rows] of Object.entries(finished.tables)) {
          writeCsvTable(out.file(`${name}.csv`), rows);
          files[name] = `${name}.csv`;
          const chart = finished.charts?.[name];
          if (chart) {
            writeFileSync(out.file(`${name}.svg`), await renderSvg(lineChart({ ...chart, rows })));
            files[`${name}_plot`] = `${name}.svg`;
          }
        }
      }
      if (out && finished?.rasters) {
        for (const [name, w] of Object.entries(finished.rasters)) {
          writeFileSync(out.file(`${name}.svg`), await renderSvg(windowRasterChart(w)));
          files[name] = `${name}.svg`;
        }
      }
      if (out && raster) {
        writeFileSync(
          out.file('raster.svg'),
          await renderSvg(rasterChart(`${scenario.name}: spikes and population rates`, raster.spikes, raster.rates(sim.tick), { tMaxMs: round(sim.tick * dtMs), rows: raster.rows, truncatedAtMs: raster.truncatedAtMs })),
        );
        files.raster = 'raster.svg';
      }
      const expectations: Expectation[] = [];
      const minMs = protocol ? 0 : (scenario.expect.min_duration_ms ?? scenario.test?.duration_ms ?? scenario.duration_ms ?? 0);
      const enforced = simulatedMs >= minMs - dtMs / 2 && !interrupted;
      expectations.push(...populationExpectations(scenario.expect, populations, enforced));
      expectations.push(...resultExpectations(scenario.expect.results, results, enforced));
      if (out) files.summary = 'summary.json';
      const summary: RunSummary = {
        scenario: scenario.name,
        circuit: circuit.circuit.name,
        backend: backend.name,
        device: backend.device,
        precision: backend.precision,
        backend_reason: reason,
        ...(trials ? { backend_trials: trials } : {}),
        kernels: sim.kernelImplementations,
        threads: sim.threads,
        shared_ticks: { ...sim.sharedTicks },
        seed,
        dt_ms: dtMs,
        biological_ms: round(simulatedMs),
        build_ms: round(buildMs),
        wall_ms: round(wallMs),
        real_time_factor: round(simulatedMs / Math.max(wallMs, 1e-9)),
        synapses: network.synapses,
        synapse_bytes: network.synapseBytes,
        synapse_bytes_per_synapse: round(synapseMemory(network).bytesPerSynapse),
        synaptic_events: sim.synapticEvents,
        peak_rss_mb: round(peakRss / 2 ** 20),
        populations,
        expectations,
        passed: expectations.every((e) => e.pass || !e.enforced),
        interrupted,
        spikes_written: sinks.reduce((m, s) => Math.max(m, s.rows), 0),
        events: events.count,
        files,
        results,
      };
      if (out) {
        files.report = 'report.html';
        out.writeJson('summary.json', summary);
        const figures = Object.entries(files)
          .filter(([, f]) => f.endsWith('.svg'))
          .map(([k, f]) => ({ file: out.file(f), caption: k === 'raster' ? 'Spike raster (first neurons of each population) and population rates' : f }));
        const tables = Object.entries(files)
          .filter(([k, f]) => f.endsWith('.csv') && k !== 'spikes')
          .map(([, f]) => ({ file: out.file(f), caption: f }));
        writeReport(out.file('report.html'), { title: `purkinje: ${scenario.name}`, summary: summary as unknown as Record<string, unknown>, figures, tables });
        out.commit();
      }
      return summary;
    } finally {
      sim.dispose();
      backend.dispose();
    }
  } catch (e) {
    out?.discard();
    throw e;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
