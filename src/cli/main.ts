#!/usr/bin/env node
/**
 * purkinje: command-line entry. Bad input of any kind ends with one line on stderr and exit code 2; failed scenario
 * expectations with exit code 1; an interrupted run (Ctrl-C) writes what it simulated and exits with 130.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError, systemErrorLine } from '../core/errors.ts';
import { PURKINJE_VERSION } from '../core/version.ts';
import { BACKEND_CHOICES, type BackendChoice } from '../backends/select.ts';
import type { RunSummary } from '../scenarios/runner.ts';
import { SPIKE_FORMATS, type SpikeFormat } from '../recording/sinks/types.ts';
import { addSweepCommands } from './sweep.ts';

/**
 * What a command needs, loaded when it runs: `purkinje --version` or `--help` loads none of it (the schemas, the
 * engine, the figures, the Arrow writer and gpu.js together take about a second to load).
 */
const load = {
  runner: () => import('../scenarios/runner.ts'),
  scenarios: () => import('../scenarios/loader.ts'),
  circuits: () => import('../circuits/loader.ts'),
  files: () => import('../circuits/files.ts'),
  network: () => import('../network/network.ts'),
  memory: () => import('../network/memory.ts'),
  outputDir: () => import('../recording/sinks/output-dir.ts'),
  plots: () => import('../recording/plots.ts'),
  serve: () => import('./serve.ts'),
  progress: () => import('cli-progress'),
  clsTheory: () => import('../analysis/cls-theory/index.ts'),
  sdmTheory: () => import('../analysis/sdm-theory/index.ts'),
  circuitSchema: () => import('../circuits/schema.ts'),
  scenarioSchema: () => import('../scenarios/schema.ts'),
  zod: () => import('zod'),
};

function fmt(x: number | null | undefined): string {
  return typeof x === 'number' ? Number(x.toPrecision(6)).toString() : '-';
}

class ExitSignal {
  constructor(readonly code: number) {}
}

function intArg(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag}: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got '${v}'`);
    return n;
  };
}

/** A size in bytes from `24G`, `512M`, `1.5T`, `100000` (bytes); binary units (G = 2^30). */
function sizeArg(flag: string) {
  return (v: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(v);
    const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(m?.[2] ?? '').toLowerCase()];
    const n = m && scale ? Number(m[1]) * scale : NaN;
    if (!(n > 0)) throw new InvalidArgumentError(`${flag}: expected a size such as 32G or 512M, got '${v}'`);
    return n;
  };
}

/**
 * How a process's signals reach a command: the first SIGINT or SIGTERM aborts `signal`, and a command that holds the
 * interrupt (a run) stops at its next chunk and writes what it simulated; with nothing holding it the process ends at
 * once. bin/purkinje.js installs the handlers before anything slow is loaded.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Declares that a run handles the next signal itself; returns the release. */
  hold(): () => void;
  /** Exit code for the signal received: 130 for SIGINT, 143 for SIGTERM (128 + its number); null before one. */
  code(): number | null;
}

/** An interrupt no signal reaches (in-process callers). */
export const NO_INTERRUPT: Interrupt = { signal: new AbortController().signal, hold: () => () => undefined, code: () => null };

function positiveNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag}: expected a number > 0, got '${v}'`);
    return n;
  };
}

async function listDir(dir: string): Promise<Array<{ name: string; file: string; description: string }>> {
  const { SPEC_EXTENSIONS, readSpecFile } = await load.files();
  const describeFile = (file: string): string => {
    try {
      const data = readSpecFile(file) as { description?: unknown };
      return typeof data.description === 'string' ? data.description : '';
    } catch {
      return '(unreadable)';
    }
  };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((f) => SPEC_EXTENSIONS.includes(path.extname(f)))
    .sort()
    .map((f) => ({ name: path.basename(f, path.extname(f)), file: path.join(dir, f), description: describeFile(path.join(dir, f)) }));
}

function printHuman(s: RunSummary, out: string | undefined, write: (t: string) => void): void {
  write(`${s.scenario}: ${s.biological_ms} ms of '${s.circuit}' on ${s.backend} (${s.device}, float${s.precision}${s.threads > 1 ? `, ${s.threads} threads` : ''}), seed ${s.seed}\n`);
  write(`  build ${s.build_ms.toFixed(0)} ms, simulate ${s.wall_ms.toFixed(0)} ms, real-time factor ${s.real_time_factor.toFixed(2)}, ${s.synaptic_events} synaptic events\n`);
  for (const [name, p] of Object.entries(s.populations))
    write(`  ${name.padEnd(12)} ${p.kind.padEnd(15)} n=${String(p.size).padEnd(7)} spikes=${String(p.spikes).padEnd(9)} rate=${p.rate_hz.toFixed(3)} Hz  CV(ISI)=${p.cv_isi === null ? '-' : p.cv_isi.toFixed(3)}\n`);
  for (const e of s.expectations)
    write(`  expect ${e.check}[${e.population}] in [${e.band[0]}, ${e.band[1]}]: ${Number.isFinite(e.value) ? e.value.toFixed(3) : 'n/a'} ${e.pass ? 'ok' : e.enforced ? 'FAILED' : 'outside (run shorter than the scenario asks for: not enforced)'}\n`);
  if (s.interrupted) write('  interrupted: the outputs hold what was simulated\n');
  if (out) write(`  wrote ${path.join(out, 'summary.json')}${s.files.spikes ? ` and ${path.join(out, s.files.spikes)}` : ''}\n`);
}

/** Which code runs: the compiled build (dist/) or the TypeScript sources (through tsx, or in-process in tests). */
export type Runtime = 'compiled' | 'sources';

export function buildProgram(io: { stdout: (t: string) => void; stderr: (t: string) => void }, interrupt: Interrupt = NO_INTERRUPT, runtime: Runtime = 'sources'): Command {
  const program = new Command('purkinje');
  program
    .description('Event-driven spiking simulator of cerebellar circuits as Sparse Distributed Memory')
    .version(runtime === 'compiled' ? PURKINJE_VERSION : `${PURKINJE_VERSION} (from the TypeScript sources)`)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined });

  program
    .command('run')
    .description('run a scenario and write the spike log, summary.json, tables and figures')
    .argument('<scenario>', 'a scenario file, or the name of one in scenarios/ (e.g. cuba)')
    .option('--out <dir>', 'output folder (default: out/<scenario name>, or out/<name>-2, -3, ... when that holds a complete run)')
    .option('--overwrite', 'replace the --out folder even when it holds a complete earlier run')
    .option('--max-memory <size>', "refuse circuits estimated to need more than this (default: the machine's memory), e.g. 64G", sizeArg('--max-memory'))
    .option('--seed <n>', "random seed (default: the scenario's)", intArg('--seed', 0))
    .addOption(new Option('--backend <name>', 'compute backend (auto: times each on the network for a moment and takes the faster)').choices(BACKEND_CHOICES).default('cpu'))
    .option('--threads <n>', "engine threads on the cpu backend (default: this machine's cores); the results do not depend on it", intArg('--threads', 1, 256))
    .addOption(new Option('--precision <bits>', 'floating-point precision of the cpu backend (32: float32 state and rings, faster; the summary says which ran)').choices(['64', '32']).default('64'))
    .option('--duration <ms>', "biological time to simulate (default: the scenario's)", positiveNumber('--duration'))
    .addOption(new Option('--format <f>', 'spike log format').choices(SPIKE_FORMATS).default('csv'))
    .option('--stream <target>', "'-' streams the spike log to stdout as the run goes (the summary goes to --out only)")
    .option('--json', 'print the summary as one JSON document on stdout and nothing else there')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  purkinje run cuba\n  purkinje run cuba --duration 1000 --seed 7 --json\n  purkinje run scenarios/cuba.yaml --backend gpujs --out out/cuba-gpu\n  purkinje run cuba --stream - --format ndjson | head\n  purkinje run sdm-recall --format arrow --out out/sdm\n',
    )
    .action(async (ref: string, o: { out?: string; overwrite?: boolean; maxMemory?: number; seed?: number; backend: BackendChoice; threads?: number; precision: '32' | '64'; duration?: number; format: SpikeFormat; stream?: string; json?: boolean; quiet?: boolean }) => {
      if (o.stream !== undefined && o.stream !== '-') throw new InputError('--stream', `'-' (stdout), got '${o.stream}'`);
      if (o.stream && o.json) throw new InputError('--json', 'not together with --stream - (both would write to stdout)');
      const release = interrupt.hold();
      const [{ loadScenario }, { defaultOutDir }, { runScenario }, { Presets, SingleBar }] = await Promise.all([load.scenarios(), load.outputDir(), load.runner(), load.progress()]);
      const loaded = loadScenario(ref);
      const outDir = o.out ?? defaultOutDir(loaded.scenario.name);
      if (o.out === undefined && outDir !== path.join('out', loaded.scenario.name) && !o.quiet)
        io.stderr(`purkinje: ${path.join('out', loaded.scenario.name)} holds a complete earlier run and is kept; writing ${outDir}\n`);
      // A closed stdout pipe (`| head`) stops the run at the next chunk; what was simulated is written to --out.
      const controller = new AbortController();
      const stopOnClosedPipe = () => controller.abort();
      if (o.stream) onClosedPipe(stopOnClosedPipe);
      const showProgress = !o.json && !o.quiet && process.stderr.isTTY === true;
      const bar = showProgress ? new SingleBar({ format: '  {bar} {percentage}% | {bio} of {total_ms} ms | real-time factor {rtf} | ETA {eta_formatted}', hideCursor: true, stream: process.stderr }, Presets.shades_classic) : null;
      let announced = false;
      const started = Date.now();
      try {
        const summary = await runScenario(loaded, {
          backend: o.backend,
          threads: o.threads ?? availableParallelism(),
          precision: o.precision === '32' ? 32 : 64,
          outDir,
          signal: AbortSignal.any([interrupt.signal, controller.signal]),
          format: o.format,
          ...(o.overwrite ? { overwrite: true } : {}),
          ...(o.maxMemory !== undefined ? { maxMemoryBytes: o.maxMemory } : {}),
          ...(o.stream ? { stream: process.stdout } : {}),
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.duration !== undefined ? { durationMs: o.duration } : {}),
          onProgress: (t: number, total: number, dtMs: number) => {
            if (bar) {
              if (t === 0 || !bar.isActive) bar.start(total, 0, { bio: 0, total_ms: (total * dtMs).toFixed(0), rtf: '-' });
              bar.update(t, { bio: (t * dtMs).toFixed(0), rtf: ((t * dtMs) / Math.max(1, Date.now() - started)).toFixed(2) });
            } else if (!announced && !o.quiet && !o.stream) {
              // Without a progress bar, one line says the run has started (and where it goes).
              io.stderr(`purkinje: running ${loaded.scenario.name} into ${outDir}; Ctrl-C stops it and keeps what was simulated\n`);
            }
            announced = true;
          },
        });
        bar?.stop();
        if (o.json) io.stdout(JSON.stringify(summary) + '\n');
        else if (!o.stream) printHuman(summary, outDir, io.stdout);
        else printHuman(summary, outDir, io.stderr);
        if (summary.interrupted) {
          if (pipeClosed && !interrupt.signal.aborted) return;
          throw new ExitSignal(interrupt.code() ?? 130);
        }
        if (!summary.passed) {
          const failed = summary.expectations.filter((e) => !e.pass && e.enforced).map((e) => `${e.check}[${e.population}]=${e.value}`);
          io.stderr(`purkinje: ${loaded.file}: expectations not met: ${failed.join(', ')}\n`);
          throw new ExitSignal(1);
        }
      } finally {
        bar?.stop();
        release();
        offClosedPipe(stopOnClosedPipe);
      }
    });

  addSweepCommands(program, io, interrupt, {
    intArg,
    exit: (code) => {
      throw new ExitSignal(code);
    },
  });

  program
    .command('serve')
    .description('run a scenario and watch it live in a browser: spike raster and population rates, pause and resume')
    .argument('<scenario>', 'a scenario file, or the name of one in scenarios/')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)', intArg('--port', 0, 65535))
    .option('--speed <x>', 'simulated ms per wall-clock ms (default 1, real time)', positiveNumber('--speed'))
    .option('--seed <n>', "random seed (default: the scenario's)", intArg('--seed', 0))
    .option('--duration <ms>', "biological time to simulate (default: the scenario's)", positiveNumber('--duration'))
    .addOption(new Option('--backend <name>', 'compute backend (auto: times each on the network for a moment and takes the faster)').choices(BACKEND_CHOICES).default('cpu'))
    .option('--threads <n>', "engine threads on the cpu backend (default: this machine's cores)", intArg('--threads', 1, 256))
    .addHelpText('after', '\nExamples:\n  purkinje serve cuba\n  purkinje serve cuba --speed 0.25 --port 8080\n')
    .action(async (ref: string, o: { port: number; speed?: number; seed?: number; duration?: number; backend: BackendChoice; threads?: number }) => {
      const release = interrupt.hold();
      try {
        const [{ loadScenario }, { serveScenario }] = await Promise.all([load.scenarios(), load.serve()]);
        const loaded = loadScenario(ref);
        const live = await serveScenario(loaded, {
          port: o.port ?? 0,
          backend: o.backend,
          threads: o.threads ?? availableParallelism(),
          signal: interrupt.signal,
          ...(o.speed !== undefined ? { speed: o.speed } : {}),
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.duration !== undefined ? { durationMs: o.duration } : {}),
        });
        io.stderr(`purkinje: serving ${loaded.scenario.name} at ${live.url} (Ctrl-C to stop)\n`);
        let finished = false;
        void live.done.then(
          () => {
            finished = !interrupt.signal.aborted;
            if (finished) io.stderr('purkinje: run finished; the page stays up until Ctrl-C\n');
          },
          () => undefined,
        );
        // One Ctrl-C (or SIGTERM) stops the run and closes the server; the process then ends.
        await new Promise<void>((resolve) => {
          if (interrupt.signal.aborted) resolve();
          else interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await live.close();
        await live.done;
        if (!finished) throw new ExitSignal(interrupt.code() ?? 130);
      } finally {
        release();
      }
    });

  program
    .command('schema')
    .description('print the JSON Schema of circuit or scenario files (for editors: completion and checking)')
    .argument('<kind>', 'circuit or scenario')
    .addHelpText('after', '\nExamples:\n  purkinje schema circuit > circuit.schema.json\n  purkinje schema scenario\n')
    .action(async (kind: string) => {
      if (kind !== 'circuit' && kind !== 'scenario') throw new InputError('<kind>', `circuit or scenario, got '${kind}'`);
      const schema = kind === 'circuit' ? (await load.circuitSchema()).circuitSchema : (await load.scenarioSchema()).scenarioSchema;
      const { z } = await load.zod();
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      io.stdout(JSON.stringify({ ...json, title: `purkinje ${kind} file` }, null, 2) + '\n');
    });

  program
    .command('validate')
    .description('check circuit and scenario files (a scenario is checked with its circuit, and its network is built)')
    .argument('<files...>', 'circuit or scenario files')
    .option('--max-memory <size>', "refuse circuits estimated to need more than this (default: the machine's memory), e.g. 64G", sizeArg('--max-memory'))
    .addHelpText('after', '\nExamples:\n  purkinje validate circuits/cuba.yaml scenarios/cuba.yaml\n')
    .action(async (files: string[], o: { maxMemory?: number }) => {
      const [{ readSpecFile, resolveSpec }, { loadScenario }, { loadCircuit }, { buildNetwork }, { estimateMemory, formatBytes }] = await Promise.all([
        load.files(),
        load.scenarios(),
        load.circuits(),
        load.network(),
        load.memory(),
      ]);
      const limit = o.maxMemory !== undefined ? { maxMemoryBytes: o.maxMemory } : {};
      for (const given of files) {
        const f = resolveSpec(given, process.cwd(), 'circuit or scenario');
        const data = readSpecFile(f);
        // A circuit declares populations; anything else is read as a scenario.
        if (data !== null && typeof data === 'object' && !('populations' in data)) {
          const s = loadScenario(f);
          const dt = s.scenario.dt_ms ?? s.circuit?.circuit.dt_ms ?? 0.1;
          if (s.circuit) buildNetwork(s.circuit.spec, s.scenario.seed, dt, limit);
          const mem = s.circuit ? `, about ${formatBytes(estimateMemory(s.circuit.spec, dt).peak)} of memory` : '';
          io.stdout(`${given}: ok (scenario '${s.scenario.name}', ${s.circuit ? `circuit '${s.circuit.circuit.name}'${mem}` : `model protocol '${s.scenario.protocol?.kind}'`})\n`);
        } else {
          const c = loadCircuit(f);
          const net = buildNetwork(c.spec, 1, c.circuit.dt_ms ?? 0.1, limit);
          const mem = formatBytes(estimateMemory(c.spec, c.circuit.dt_ms ?? 0.1).peak);
          io.stdout(`${given}: ok (circuit '${c.circuit.name}', ${net.populations.length} populations, ${net.synapses} synapses at seed 1, about ${mem} of memory)\n`);
        }
      }
    });

  program
    .command('list')
    .description('list the circuits and scenarios that ship with purkinje')
    .option('--json', 'as JSON')
    .addHelpText('after', '\nExamples:\n  purkinje list\n')
    .action(async (o: { json?: boolean }) => {
      const [{ CIRCUITS_DIR }, { SCENARIOS_DIR }] = await Promise.all([load.circuits(), load.scenarios()]);
      const circuits = await listDir(CIRCUITS_DIR);
      const scenarios = await listDir(SCENARIOS_DIR);
      if (o.json) {
        io.stdout(JSON.stringify({ circuits, scenarios }) + '\n');
        return;
      }
      io.stdout('circuits:\n');
      for (const c of circuits) io.stdout(`  ${c.name.padEnd(24)} ${c.description}\n`);
      io.stdout('scenarios:\n');
      for (const s of scenarios) io.stdout(`  ${s.name.padEnd(24)} ${s.description}\n`);
    });

  program
    .command('attention')
    .description('SDM versus softmax attention: exact circle intersections, fitted betas, optimal radii, weights')
    .requiredOption('--n <n>', 'address bits', intArg('--n', 1))
    .requiredOption('--d <d>', 'activation radius (Hamming distance, inclusive)', intArg('--d', 0))
    .option('--r <r>', "hard locations (neurons), or 'all' for 2^n", (v: string) => (v.trim() === 'all' ? 'all' : intArg('--r', 1)(v)))
    .option('--m <m>', 'stored patterns (for the optimal radii; default 1024)', intArg('--m', 1))
    .option('--continuous', 'add the continuous (cosine) variant for L2-normalised vectors')
    .option('--json', 'print one JSON document')
    .option('--out <dir>', 'also write report.json and intersection.csv there')
    .option('--overwrite', 'replace the --out folder even when it holds complete earlier outputs')
    .addHelpText('after', '\nExamples:\n  purkinje attention --n 64 --d 11\n  purkinje attention --n 1000 --d 451 --r 1000000 --m 10000 --json\n')
    .action(async (o: { n: number; d: number; r?: number | 'all'; m?: number; continuous?: boolean; json?: boolean; out?: string; overwrite?: boolean }) => {
      const { attentionReport } = await load.sdmTheory();
      const report = attentionReport({
        n: o.n,
        d: o.d,
        ...(o.r !== undefined ? { r: o.r } : {}),
        ...(o.m !== undefined ? { m: o.m } : {}),
        ...(o.continuous ? { continuous: true } : {}),
      });
      if (o.out) {
        const [{ OutputDir }, { lineChart, renderSvg }] = await Promise.all([load.outputDir(), load.plots()]);
        const dir = new OutputDir(o.out, { command: 'attention', ...(o.overwrite ? { overwrite: true } : {}) });
        dir.writeJson('report.json', report);
        const rows = ['dv,intersection,expected_neurons'];
        for (const [dv, count] of Object.entries(report.intersection)) rows.push(`${dv},${count},${report.expected_neurons?.[dv] ?? ''}`);
        writeFileSync(dir.file('intersection.csv'), rows.join('\n') + '\n');
        // Figures: I(dv) on a log scale with the softmax curve scaled to meet it at dv = 0, and the normalised weights.
        const sdmW = report.sdm_weight ?? {};
        const smW = report.softmax_weight ?? {};
        const i0 = Number(report.intersection['0']);
        const curve = Object.entries(report.intersection)
          .map(([dv, c]) => ({ dv: Number(dv), intersection: Number(c), softmax_scaled: smW[dv] !== undefined && smW['0'] ? (smW[dv] / smW['0']) * i0 : NaN }))
          .filter((r) => r.intersection > 0);
        writeFileSync(dir.file('intersection.svg'), await renderSvg(lineChart({ title: `Circle intersection I(${report.n}, ${report.d}, dv) and exp(beta cos) (beta ${fmt(report.beta_published)})`, x: 'dv', y: ['intersection', 'softmax_scaled'], labels: { intersection: 'SDM: circle intersection I (exact)', softmax_scaled: 'softmax exp(beta cos), scaled to I at dv 0' }, rows: curve, logY: true, yTitle: 'points', xTitle: 'Hamming distance dv' })));
        const wRows = Object.entries(sdmW)
          .map(([dv, w]) => ({ dv: Number(dv), sdm: w, softmax: smW[dv] ?? NaN }))
          .filter((r) => r.dv <= 2 * report.d + 2);
        writeFileSync(dir.file('weights.svg'), await renderSvg(lineChart({ title: 'Normalised weights per distance: SDM against softmax', x: 'dv', y: ['sdm', 'softmax'], labels: { sdm: 'SDM (circle intersection)', softmax: `softmax attention (beta ${fmt(report.beta_published)})` }, rows: wRows, yTitle: 'weight', xTitle: 'Hamming distance dv' })));
        dir.commit();
      }
      if (o.json) {
        io.stdout(JSON.stringify(report) + '\n');
        return;
      }
      io.stdout(`SDM vs attention, n = ${report.n}, d = ${report.d}\n`);
      io.stdout(`  beta (least squares) ${fmt(report.beta_least_squares)}   beta (published convention) ${fmt(report.beta_published)}\n`);
      io.stdout(`  KL(SDM || softmax) ${fmt(report.kl_divergence)}   max |weight difference| ${fmt(report.max_abs_weight_difference)}\n`);
      io.stdout(`  optimal d: snr ${report.optimal_d.snr}, memory capacity ${report.optimal_d.memory_capacity}, critical distance ${report.optimal_d.critical_distance}\n`);
      io.stdout('  dv  intersection\n');
      for (const [dv, count] of Object.entries(report.intersection)) if (count !== '0' || Number(dv) <= report.d * 2 + 1) io.stdout(`  ${dv.padStart(3)} ${count}\n`);
    });

  program
    .command('cls-theory')
    .description('closed-form generalization theory of the CLS student (Advani, Saxe & Sompolinsky 2020; Sun et al. 2023)')
    .requiredOption('--snr <s>', "signal-to-noise ratio s_w^2 / s_e^2, or 'inf'")
    .requiredOption('--alpha <a>', 'examples per input dimension, P / N', positiveNumber('--alpha'))
    .requiredOption('--eta <e>', 'learning rate', positiveNumber('--eta'))
    .requiredOption('--epochs <t>', 'epochs of full-batch gradient descent', intArg('--epochs', 1))
    .option('--discrete', 'step-by-step gradient descent, (1 - eta l)^t, instead of gradient flow')
    .option('--n <n>', 'input dimension N (adds P, the finite-N online student and, with --m, the notebook)', intArg('--n', 1))
    .option('--m <m>', 'notebook units M (needs --n)', intArg('--m', 2))
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExamples:\n  purkinje cls-theory --snr 4 --alpha 1 --eta 0.005 --epochs 2000\n  purkinje cls-theory --snr inf --alpha 1 --eta 0.015 --epochs 2000 --discrete --json\n')
    .action(async (o: { snr: string; alpha: number; eta: number; epochs: number; discrete?: boolean; n?: number; m?: number; json?: boolean }) => {
      const { clsTheoryReport, parseSnr } = await load.clsTheory();
      const report = clsTheoryReport({
        snr: parseSnr(o.snr),
        alpha: o.alpha,
        eta: o.eta,
        epochs: o.epochs,
        discrete: o.discrete === true,
        ...(o.n !== undefined ? { n: o.n } : {}),
        ...(o.m !== undefined ? { m: o.m } : {}),
      });
      if (o.json) {
        io.stdout(JSON.stringify(report) + '\n');
        return;
      }
      for (const [k, v] of Object.entries(report)) io.stdout(`${k.padEnd(24)} ${typeof v === 'number' ? Number(v.toPrecision(6)) : JSON.stringify(v)}\n`);
    });

  return program;
}

/** Runs the CLI on argv (without node and script) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) },
  interrupt: Interrupt = NO_INTERRUPT,
  runtime: Runtime = 'sources',
): Promise<number> {
  const program = buildProgram(io, interrupt, runtime);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    if (e instanceof InputError) {
      io.stderr(`purkinje: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      io.stderr(`purkinje: ${e.message.replace(/^error: /, '').split('\n')[0]} (see purkinje --help)\n`);
      return 2;
    }
    // An operating-system error (a path that cannot be written, a full disk, a port in use): one line, exit 2.
    const system = systemErrorLine(e);
    if (system !== null) {
      io.stderr(`purkinje: ${system}\n`);
      return 2;
    }
    throw e;
  }
}

let pipeClosed = false;
const pipeListeners = new Set<() => void>();
function onClosedPipe(f: () => void): void {
  pipeListeners.add(f);
}
function offClosedPipe(f: () => void): void {
  pipeListeners.delete(f);
}

/**
 * A closed pipe (`purkinje ... | head`) ends the process quietly instead of with an EPIPE stack trace; a run that
 * streams to stdout is stopped instead, so it can still write its outputs.
 */
export function endQuietlyOnClosedPipe(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') {
        // A run streaming to stdout reports its sink's error itself; otherwise say it in one line and stop.
        if (pipeListeners.size > 0) return;
        if (s !== process.stderr) process.stderr.write(`purkinje: ${systemErrorLine(Object.assign(e, { path: e.path ?? 'stdout' })) ?? e.message}\n`);
        process.exit(2);
      }
      pipeClosed = true;
      if (pipeListeners.size === 0) process.exit(0);
      for (const f of pipeListeners) f();
    });
  }
}
