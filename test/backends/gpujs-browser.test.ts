/**
 * purkinje's gpu.js kernels (src/backends/gpujs/kernels.ts) through gpu.js's shader back ends in headless Chromium,
 * against the float64 cpu reference steps (models/neurons: stepLif, stepCoba, stepThreshold).
 *
 * In Node on a CPU-only machine gpu.js runs the kernels as WebAssembly, so their GLSL (webgl2) and WGSL (webgpu)
 * translations are only exercised here: Debian's Chromium, through playwright-core, renders WebGL2 with float
 * render targets and answers WebGPU with a SwiftShader adapter (page served from 127.0.0.1, a secure context;
 * Chromium started with --enable-unsafe-webgpu --enable-features=Vulkan). The page (browser/page.html,
 * browser/harness.js) builds the kernels from the real functions' text with index.ts's settings and steps N neurons
 * for T ticks with random per-tick input, recording every tick's five state rows [v, g_e, g_i, refr, spike].
 *
 * What is compared, and why:
 * - One step from the device's own state (no accumulated drift): for every tick t, the reference step applied to
 *   the device's float32 state at t (widened to float64) with tick t's input must give the device's state at t + 1:
 *   spike flags and refractory counters identical, v within V_TOL_MV, g_e and g_i within G_REL_TOL relative, except
 *   for neurons whose reference pre-threshold v lies within THRESHOLD_MARGIN_MV of v_th (found by stepping the
 *   reference again with v_th -/+ the margin): float32 may decide those either way, and they are counted, and must
 *   be rare. The inputs are float32 values, so both sides see the same numbers; the constants reach the shader as
 *   float32 uniforms.
 * - Free running over all T ticks: the float64 reference from the same initial state, per neuron over the ticks
 *   before its first spike-flag disagreement: v within FREE_V_TOL_MV (float32 rounding accumulates over about
 *   1 / (1 - decayM) ticks between resets); the fraction of neurons that ever disagree must be small.
 * - Threshold units take dyadic inputs (multiples of 1/64, exact in float32 and float64, ties with theta included),
 *   so their flags and input rows must match exactly, for theta >= and > (strict).
 * - Negative controls: the LIF kernel given decayM off by 1e-4 relative, and the COBA kernel given h / C off by 1e-3,
 *   must fail the one-step comparison on v.
 * Skipped, with the reason printed, where Chromium is not installed (apt-get install chromium); WebGPU is run where
 * an adapter answers, and the modes that ran are printed.
 */
import { constantsFor, ROWS as GPU_ROWS } from '../../src/backends/gpujs/index.ts';
import type { Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, openTestPage, type TestPage } from './browser/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cobaUpdateKernel, lifUpdateKernel, spikeRowKernel, thresholdUpdateKernel } from '../../src/backends/gpujs/kernels.ts';
import { CounterRng } from '../../src/core/rng.ts';
import { COBA, type CobaParams, stepCoba } from '../../src/models/neurons/coba.ts';
import { LIF, type LifParams, stepLif } from '../../src/models/neurons/lif.ts';
import { stepThreshold, type ThresholdParams } from '../../src/models/neurons/threshold.ts';
import type { StateArrays, StepIO } from '../../src/models/neurons/types.ts';

if (!CHROMIUM) console.warn('[gpujs-browser] skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

const N = 1000;
const TICKS = 300;
const DT = 0.1;
/** One step: |v_device - v_ref| (mV): 13 float32 ulps at 64 mV (measured: 1.3e-5 LIF, 6e-6 COBA, on both modes). */
const V_TOL_MV = 1e-4;
/** One step: relative tolerance on g_e, g_i (plus 1e-9 absolute); measured 1.5e-7 (about 2 float32 roundings). */
const G_REL_TOL = 1e-6;
/** Reference pre-threshold v this close to v_th (mV) may spike either way in float32: the one-step v tolerance. */
const THRESHOLD_MARGIN_MV = V_TOL_MV;
/**
 * Free running, before a neuron's first flag disagreement: |v_device - v_ref| (mV). One-step errors (about 1e-5 mV)
 * add up over about 1 / (1 - decayM) = 100 ticks between resets; measured 1.1e-4 (LIF), 4e-5 (COBA).
 */
const FREE_V_TOL_MV = 2e-3;

type ModelName = 'lif' | 'lif_cond' | 'threshold_unit';
const ROWS = GPU_ROWS as Readonly<Record<ModelName, readonly string[]>>;

/** Fast LIF dynamics (tau_m 10 ms, refractory 10 ticks) so that many neurons spike within 300 ticks. */
const LIF_P: LifParams = { tau_m: 10, tau_e: 2, tau_i: 5, v_rest: -65, v_th: -50, v_reset: -70, t_ref: 1, i_bias: 14 };
const LIF_D = LIF.derive(LIF_P, DT);
/** COBA (Brette et al. 2007 cell) with a bias just under rheobase (100 pA) and a 10-tick refractory period. */
const COBA_P: CobaParams = { c_m: 200, g_l: 10, e_l: -60, e_e: 0, e_i: -80, tau_e: 5, tau_i: 10, v_th: -50, v_reset: -60, t_ref: 1, i_bias: 90 };
const COBA_D = COBA.derive(COBA_P, DT);

const SOURCES: Record<ModelName, string> = {
  lif: lifUpdateKernel.toString(),
  lif_cond: cobaUpdateKernel.toString(),
  threshold_unit: thresholdUpdateKernel.toString(),
};

/** Initial state (5 rows of n, float32) and per-tick inputs (ticks rows of n, float32) of one case. */
interface Drive {
  readonly init: Float32Array;
  readonly inE: Float32Array;
  readonly inI: Float32Array;
  readonly iext: Float32Array;
}

function driveFor(model: ModelName, seed: number): Drive {
  const r = new CounterRng(seed);
  const init = new Float32Array(5 * N);
  const inE = new Float32Array(TICKS * N);
  const inI = new Float32Array(TICKS * N);
  const iext = new Float32Array(TICKS * N);
  const dyadic = (x: number, k: number): number => Math.floor(x * k) / 64;
  for (let i = 0; i < N; i++) {
    const u = (s: number): number => r.uniform(s, i, 0);
    if (model === 'lif') {
      init[i] = -72 + 22 * u(1);
      init[N + i] = 5 * u(2);
      init[2 * N + i] = -5 * u(3);
      init[3 * N + i] = u(4) < 0.2 ? Math.floor(1 + LIF_D.refTicks * u(5)) : 0;
    } else if (model === 'lif_cond') {
      init[i] = -62 + 12 * u(1);
      init[N + i] = 4 * u(2);
      init[2 * N + i] = 4 * u(3);
      init[3 * N + i] = u(4) < 0.2 ? Math.floor(1 + COBA_D.refTicks * u(5)) : 0;
    } else {
      init[N + i] = dyadic(u(2), 64);
    }
  }
  for (let t = 0; t < TICKS; t++) {
    for (let i = 0; i < N; i++) {
      const k = t * N + i;
      const u = (s: number): number => r.uniform(s, i, t + 1);
      if (model === 'lif') {
        inE[k] = u(10) < 0.3 ? 30 * u(11) : 0;
        inI[k] = u(12) < 0.2 ? -20 * u(13) : 0;
        iext[k] = u(14) < 0.5 ? 4 * u(15) - 2 : 0;
      } else if (model === 'lif_cond') {
        inE[k] = u(10) < 0.3 ? 3 * u(11) : 0;
        inI[k] = u(12) < 0.2 ? 4 * u(13) : 0;
        iext[k] = u(14) < 0.5 ? 80 * u(15) - 30 : 0;
      } else {
        // Multiples of 1/64 in [0, 1), [-0.5, 0), [-0.25, 0.25): sums are exact; some tie theta exactly.
        inE[k] = dyadic(u(10), 64);
        inI[k] = -dyadic(u(11), 32);
        iext[k] = dyadic(u(12), 32) - 0.25;
      }
    }
  }
  return { init, inE, inI, iext };
}

const b64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function f32(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

interface DeviceRun {
  /** gpu.js kernel class's mode: 'gpu' for the WebGL2 kernel, 'webgpu', or 'cpu' after a fallback. */
  readonly ran: string;
  readonly ms: number;
  /** (ticks + 1) x 5 x n: the state before tick 0, then after each tick. */
  readonly traj: Float32Array;
  /** ticks x n: the spike flags as the back end hands them to index.ts (spikeRowKernel on webgpu, row 4 else). */
  readonly flags: Float32Array;
}

async function runOnDevice(page: Page, mode: string, model: ModelName, constants: Record<string, number>, drive: Drive): Promise<DeviceRun> {
  const job = {
    mode,
    source: SOURCES[model],
    spikeSource: spikeRowKernel.toString(),
    constants,
    n: N,
    ticks: TICKS,
    init: b64(drive.init),
    inE: b64(drive.inE),
    inI: b64(drive.inI),
    iext: b64(drive.iext),
  };
  const r = await page.evaluate(
    (j) => (globalThis as unknown as { purkinje: { run(x: unknown): Promise<{ ran: string; ms: number; traj: string; flags: string }> } }).purkinje.run(j),
    job,
  );
  return { ran: r.ran, ms: r.ms, traj: f32(r.traj), flags: f32(r.flags) };
}

/** One reference step of `model` on a float64 copy of `rows` (the named rows of a 5 x n state) with tick t's input. */
function referenceStep(model: ModelName, params: Record<string, number>, rows: Float64Array[], drive: Drive, t: number): { state: StateArrays; flags: Uint8Array } {
  const state: StateArrays = {};
  ROWS[model].forEach((name, q) => (state[name] = Float64Array.from(rows[q]!)));
  const io: StepIO = {
    n: N,
    state,
    rings: [Float64Array.from(drive.inE.subarray(t * N, (t + 1) * N)), Float64Array.from(drive.inI.subarray(t * N, (t + 1) * N))],
    slotOffset: 0,
    slotHasInput: true,
    iExt: Float64Array.from(drive.iext.subarray(t * N, (t + 1) * N)),
    spikes: new Uint32Array(N),
    status: new Int32Array(1),
  };
  let count: number;
  if (model === 'lif') count = stepLif(io, params as LifParams, LIF.derive(params as LifParams, DT));
  else if (model === 'lif_cond') count = stepCoba(io, params as CobaParams, COBA.derive(params as CobaParams, DT));
  else count = stepThreshold(io, params as ThresholdParams);
  const flags = new Uint8Array(N);
  for (let k = 0; k < count; k++) flags[io.spikes[k]!] = 1;
  return { state, flags };
}

/** Row q of the device state after `tick` ticks, widened to float64. */
const rowAt = (traj: Float32Array, tick: number, q: number): Float64Array => Float64Array.from(traj.subarray((tick * 5 + q) * N, (tick * 5 + q + 1) * N));

interface StepReport {
  /** Neuron-ticks where the device disagrees beyond tolerance (flags, refr, v, g). */
  violations: number;
  firstViolation: string;
  /** Neuron-ticks whose reference pre-threshold v was within the margin of v_th. */
  nearThreshold: number;
  spikes: number;
  refractoryTicks: number;
  maxVErr: number;
  maxGRelErr: number;
}

/** The one-step comparison (see the header) of a LIF or COBA run. */
function compareSteps(model: 'lif' | 'lif_cond', params: Record<string, number>, drive: Drive, run: DeviceRun): StepReport {
  const rep: StepReport = { violations: 0, firstViolation: '', nearThreshold: 0, spikes: 0, refractoryTicks: 0, maxVErr: 0, maxGRelErr: 0 };
  const bad = (what: string): void => {
    if (rep.violations++ === 0) rep.firstViolation = what;
  };
  for (let t = 0; t < TICKS; t++) {
    const rows = [0, 1, 2, 3].map((q) => rowAt(run.traj, t, q));
    const ref = referenceStep(model, params, rows, drive, t);
    const lo = referenceStep(model, { ...params, v_th: params.v_th! - THRESHOLD_MARGIN_MV }, rows, drive, t).flags;
    const hi = referenceStep(model, { ...params, v_th: params.v_th! + THRESHOLD_MARGIN_MV }, rows, drive, t).flags;
    const next = [0, 1, 2, 3, 4].map((q) => rowAt(run.traj, t + 1, q));
    const flags = run.flags.subarray(t * N, (t + 1) * N);
    for (let i = 0; i < N; i++) {
      const spike = next[4]![i]!;
      if (flags[i] !== spike) bad(`tick ${t} neuron ${i}: spike read-back ${flags[i]} != state row ${spike}`);
      if (spike !== 0 && spike !== 1) bad(`tick ${t} neuron ${i}: spike flag ${spike}`);
      rep.spikes += spike;
      if (rows[3]![i]! > 0) rep.refractoryTicks++;
      const near = lo[i] !== hi[i];
      if (near) rep.nearThreshold++;
      if (spike !== ref.flags[i]) {
        if (!near) bad(`tick ${t} neuron ${i}: device spike ${spike}, reference ${ref.flags[i]}`);
        continue;
      }
      if (next[3]![i] !== ref.state.refr![i]) bad(`tick ${t} neuron ${i}: refr ${next[3]![i]} != ${ref.state.refr![i]}`);
      const dv = Math.abs(next[0]![i]! - ref.state.v![i]!);
      rep.maxVErr = Math.max(rep.maxVErr, dv);
      if (!(dv <= V_TOL_MV)) bad(`tick ${t} neuron ${i}: v ${next[0]![i]} != ${ref.state.v![i]}`);
      for (const [q, name] of [[1, 'ge'], [2, 'gi']] as const) {
        const want = ref.state[name]![i]!;
        const dg = Math.abs(next[q]![i]! - want);
        if (want !== 0) rep.maxGRelErr = Math.max(rep.maxGRelErr, dg / Math.abs(want));
        if (!(dg <= G_REL_TOL * Math.abs(want) + 1e-9)) bad(`tick ${t} neuron ${i}: ${name} ${next[q]![i]} != ${want}`);
      }
    }
  }
  return rep;
}

/** Free running: per neuron, the ticks before its first flag disagreement with the float64 reference run. */
function compareFree(model: 'lif' | 'lif_cond', params: Record<string, number>, drive: Drive, run: DeviceRun): { lost: number; maxVErr: number; spikesRef: number; spikesDev: number } {
  let rows = [0, 1, 2, 3].map((q) => rowAt(run.traj, 0, q));
  const alive = new Uint8Array(N).fill(1);
  let maxVErr = 0;
  let spikesRef = 0;
  let spikesDev = 0;
  for (let t = 0; t < TICKS; t++) {
    const ref = referenceStep(model, params, rows, drive, t);
    const vDev = run.traj.subarray(((t + 1) * 5) * N, ((t + 1) * 5 + 1) * N);
    const fDev = run.traj.subarray(((t + 1) * 5 + 4) * N, ((t + 1) * 5 + 5) * N);
    for (let i = 0; i < N; i++) {
      spikesRef += ref.flags[i]!;
      spikesDev += fDev[i]!;
      if (!alive[i]) continue;
      if (fDev[i] !== ref.flags[i]) alive[i] = 0;
      else maxVErr = Math.max(maxVErr, Math.abs(vDev[i]! - ref.state.v![i]!));
    }
    rows = ROWS[model].map((name) => ref.state[name] as Float64Array);
  }
  return { lost: N - alive.reduce((a, b) => a + b, 0), maxVErr, spikesRef, spikesDev };
}

/** Threshold units: every row the kernel owns must equal the reference exactly. */
function compareThreshold(params: ThresholdParams, drive: Drive, run: DeviceRun): { mismatches: number; spikes: number; ties: number } {
  let mismatches = 0;
  let spikes = 0;
  let ties = 0;
  for (let t = 0; t < TICKS; t++) {
    const ref = referenceStep('threshold_unit', params, [0, 1].map((q) => rowAt(run.traj, t, q)), drive, t);
    const next = [0, 1, 4].map((q) => rowAt(run.traj, t + 1, q));
    for (let i = 0; i < N; i++) {
      if (ref.state.input![i] === params.theta) ties++;
      spikes += ref.flags[i]!;
      if (next[0]![i] !== ref.state.v![i] || next[1]![i] !== ref.state.input![i] || next[2]![i] !== ref.flags[i] || run.flags[t * N + i] !== ref.flags[i]) mismatches++;
    }
  }
  return { mismatches, spikes, ties };
}

describe.skipIf(!CHROMIUM)('gpu.js shader kernels in headless Chromium against the cpu reference', () => {
  let browserPage: TestPage | undefined;
  let page: Page;
  let pageLog: string[] = [];
  let modes: string[] = [];
  const lifDrive = driveFor('lif', 11);

  beforeAll(async () => {
    browserPage = await openTestPage();
    ({ page, modes, log: pageLog } = browserPage);
    console.log(`[gpujs-browser] Chromium ${browserPage.version} ${CHROMIUM_FLAGS.join(' ')}: ${JSON.stringify(browserPage.probe)}; modes run: ${modes.join(', ') || 'none'}`);
  });

  afterAll(async () => {
    await browserPage?.close();
  });

  it('has WebGL2 with float render targets (and reports whether WebGPU answered)', () => {
    expect(modes).toContain('webgl2');
  });

  it.each([
    ['lif', LIF_P, LIF_D],
    ['lif_cond', COBA_P, COBA_D],
  ] as const)('%s: device steps equal the float64 reference within float32 tolerance', async (model, params, derived) => {
    const drive = model === 'lif' ? lifDrive : driveFor(model, 12);
    for (const mode of modes) {
      const run = await runOnDevice(page, mode, model, constantsFor(model, params, derived), drive);
      expect(run.ran, `${mode} fell back (page log: ${pageLog.slice(-3).join(' | ')})`).toBe(mode === 'webgpu' ? 'webgpu' : 'gpu');
      const step = compareSteps(model, params, drive, run);
      const free = compareFree(model, params, drive, run);
      console.log(
        `[gpujs-browser] ${model} on ${mode}: ${N} x ${TICKS} ticks in ${run.ms.toFixed(0)} ms; one step: max |dv| ${step.maxVErr.toExponential(2)} mV, ` +
          `max rel dg ${step.maxGRelErr.toExponential(2)}, ${step.spikes} spikes, ${step.refractoryTicks} refractory neuron-ticks, ` +
          `${step.nearThreshold} near threshold; free running: ${free.lost} neurons diverged, max |dv| before ${free.maxVErr.toExponential(2)} mV, ` +
          `spikes ${free.spikesDev} device / ${free.spikesRef} reference`,
      );
      expect(step.violations, step.firstViolation).toBe(0);
      // Not vacuous: many spikes and refractory ticks, few ambiguous threshold crossings.
      expect(step.spikes).toBeGreaterThan(N);
      expect(step.refractoryTicks).toBeGreaterThan(N);
      expect(step.nearThreshold).toBeLessThan(step.spikes / 100);
      expect(free.lost).toBeLessThan(N / 20);
      expect(free.maxVErr).toBeLessThanOrEqual(FREE_V_TOL_MV);
      expect(Math.abs(free.spikesDev - free.spikesRef)).toBeLessThan(free.spikesRef / 100);
    }
  });

  it.each([0, 1])('threshold_unit (strict %i): flags and inputs exactly equal, ties with theta included', async (strict) => {
    const params: ThresholdParams = { theta: 1, bias: 0.25, strict };
    const drive = driveFor('threshold_unit', 13);
    for (const mode of modes) {
      const run = await runOnDevice(page, mode, 'threshold_unit', constantsFor('threshold_unit', params, null), drive);
      expect(run.ran).toBe(mode === 'webgpu' ? 'webgpu' : 'gpu');
      const r = compareThreshold(params, drive, run);
      console.log(`[gpujs-browser] threshold_unit strict ${strict} on ${mode}: ${r.spikes} spikes, ${r.ties} ties, ${r.mismatches} mismatches, ${run.ms.toFixed(0)} ms`);
      expect(r.mismatches).toBe(0);
      expect(r.spikes).toBeGreaterThan(N);
      expect(r.ties).toBeGreaterThan(100);
    }
  });

  // A COBA step moves v by only h g_tot / C = 0.5 % of its distance to v_inf, so h / C off by 1e-4 moves v by less
  // than V_TOL_MV (8.8e-5 mV measured); 1e-3 is caught.
  it.each([
    ['lif', 'decayM', 1e-4],
    ['lif_cond', 'hOverC', 1e-3],
  ] as const)('negative control: %s with %s off by %s relative fails the one-step comparison on v', async (model, name, rel) => {
    const constants = model === 'lif' ? constantsFor(model, LIF_P, LIF_D) : constantsFor(model, COBA_P, COBA_D);
    constants[name] = constants[name]! * (1 + rel);
    const drive = model === 'lif' ? lifDrive : driveFor(model, 12);
    const run = await runOnDevice(page, modes[0] ?? 'webgl2', model, constants, drive);
    const rep = compareSteps(model, model === 'lif' ? LIF_P : COBA_P, drive, run);
    console.log(`[gpujs-browser] negative control ${model} ${name} * (1 + ${rel}): ${rep.violations} violations, max |dv| ${rep.maxVErr.toExponential(2)} mV`);
    expect(rep.violations).toBeGreaterThan(0);
    expect(rep.maxVErr).toBeGreaterThan(V_TOL_MV);
  });
});
