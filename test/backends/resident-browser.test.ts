/**
 * The device-resident network (src/backends/gpujs/resident.ts) on gpu.js's shader back ends, WebGL2 and WebGPU through
 * SwiftShader in headless Chromium: the real module, bundled by esbuild (browser/resident-entry.ts), runs a network
 * built here (test/fixtures/resident-net.ts: LIF, COBA and threshold units, per-synapse delays and weights, several
 * gather groups per receptor, constant drive) for 60 ms, and every spike is compared with the cpu backend at
 * precision 32 in Node, plus the final state.
 *
 * Tolerances: both sides evaluate the models' formulas in float32, but the shaders may fuse multiply-adds and COBA
 * takes exp() from the GPU's library, so a membrane value can differ by a few ulps, and a neuron whose potential
 * lands within ulps of threshold can spike one tick apart; after that the two runs are different trajectories. So:
 * spike for spike until the first disagreement, which must come late (after FIRST_DIVERGENCE_TICKS) or never, and
 * spike counts per population within 10% over the run. Negative control: the run with delays off by one tick (every
 * group reading one tick older flags, made by the test from the same plan) must disagree early.
 * Skipped, with the reason printed, where Chromium is not installed (apt-get install chromium).
 */
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { constantsFor, ROWS } from '../../src/backends/gpujs/index.ts';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork } from '../../src/network/network.ts';
import { RESIDENT_NET } from '../fixtures/resident-net.ts';
import { CHROMIUM, openTestPage, type TestPage } from './browser/chromium.ts';
import type { ResidentJob } from './browser/resident-entry.ts';

if (!CHROMIUM) console.warn('[resident-browser] skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

const TICKS = 600;
const SEED = 4;
/** Spike for spike for at least this long (ticks) on every mode; measured: no disagreement in 600 ticks. */
const FIRST_DIVERGENCE_TICKS = 300;
const EXC_DRIVEN = [1, 2, 3, 50, 399];
/** Final state where the spikes agree: |dv| (mV), and relative error elsewhere (float32 rounding over 600 ticks). */
const V_TOL_MV = 1e-3;
const G_REL_TOL = 1e-4;

const b64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function jobFor(mode: string, delayShift = 0): ResidentJob {
  const net = buildNetwork(RESIDENT_NET, SEED, 0.1);
  return {
    mode,
    ticks: TICKS,
    batchTicks: 24,
    pops: net.populations.map((p) => {
      const drive = p.name === 'exc' ? new Float32Array(p.size) : p.name === 'cond' ? new Float32Array(p.size).fill(160) : null;
      if (p.name === 'exc') for (const i of EXC_DRIVEN) drive![i] = 12;
      return {
        model: p.model!.name,
        n: p.size,
        rows: [...ROWS[p.model!.name]!],
        constants: constantsFor(p.model!.name, p.params, p.model!.derive(p.params, 0.1)),
        state: Object.fromEntries(Object.entries(p.state).map(([k, a]) => [k, b64(Float32Array.from(a))])),
        drive: drive ? b64(drive) : null,
      };
    }),
    projections: net.projections.map((pj) => {
      const c = pj.csr;
      const delays = delayShift === 0 ? c.delays : Uint16Array.from(c.delays ?? new Uint16Array(c.col.length).fill(c.delay), (d) => d + delayShift);
      return {
        source: pj.source.index,
        target: pj.target.index,
        receptor: pj.receptorIndex,
        rowPtr: b64(c.rowPtr),
        col: b64(c.col),
        weights: c.weights ? b64(c.weights) : null,
        weight: c.weight,
        delays: delays ? b64(delays) : null,
        delay: c.delay,
      };
    }),
  };
}

interface Reference {
  readonly spikes: number[];
  readonly counts: number[];
  /** Final state per population and variable. */
  readonly state: Array<Record<string, Float64Array>>;
}

async function reference(): Promise<Reference> {
  const net = buildNetwork(RESIDENT_NET, SEED, 0.1);
  const sim = await Simulator.create(net, { seed: SEED, backend: new CpuBackend(true, true, 32) });
  const spikes: number[] = [];
  sim.onSpikes((t, pop, idx) => {
    for (const i of idx) spikes.push(t, pop.index, i);
  });
  sim.addCurrentStep({ population: 'exc', neurons: EXC_DRIVEN, startTick: 0, stopTick: TICKS, amplitude: 12 });
  sim.addCurrentStep({ population: 'cond', neurons: null, startTick: 0, stopTick: TICKS, amplitude: 160 });
  await sim.run(TICKS);
  sim.dispose();
  const state = net.populations.map((p) => Object.fromEntries(Object.entries(p.state).map(([k, a]) => [k, Float64Array.from(a)])));
  return { spikes, counts: net.populations.map((p) => sim.spikeCounts()[p.name]!), state };
}

interface DeviceResult {
  readonly implementation: string;
  readonly ran: string;
  readonly ms: number;
  readonly spikes: number[];
  readonly state: Array<Record<string, Float32Array>>;
}

/** Tick of the first spike (tick, population, neuron) on which two runs disagree, or Infinity. */
function firstDivergence(a: number[], b: number[]): number {
  for (let q = 0; q < Math.min(a.length, b.length); q += 3)
    if (a[q] !== b[q] || a[q + 1] !== b[q + 1] || a[q + 2] !== b[q + 2]) return Math.min(a[q]!, b[q]!);
  return a.length === b.length ? Infinity : (a.length < b.length ? b : a)[Math.min(a.length, b.length)]!;
}

const countsOf = (spikes: number[], pops: number): number[] => {
  const c = new Array<number>(pops).fill(0);
  for (let q = 1; q < spikes.length; q += 3) c[spikes[q]!]!++;
  return c;
};

describe.skipIf(!CHROMIUM)('device-resident network on WebGL2 and WebGPU (SwiftShader) against the float32 cpu backend', () => {
  let tp: TestPage | undefined;
  let ref: Reference;

  async function runJob(job: ResidentJob): Promise<DeviceResult> {
    const r = await tp!.page.evaluate(
      (j) =>
        (
          globalThis as unknown as { purkinjeResident: { run(x: unknown): Promise<{ implementation: string; ran: string; ms: number; spikes: string; state: Record<string, string>[] }> } }
        ).purkinjeResident.run(j),
      job,
    );
    const words = (b: string): Uint8Array => Uint8Array.from(Buffer.from(b, 'base64'));
    const spikes = Array.from(new Int32Array(words(r.spikes).buffer));
    const state = r.state.map((rec) => Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, new Float32Array(words(v).buffer)])));
    return { implementation: r.implementation, ran: r.ran, ms: r.ms, spikes, state };
  }

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/resident-entry.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
    });
    tp = await openTestPage(bundle.outputFiles[0]!.text);
    ref = await reference();
  }, 120_000);

  afterAll(async () => {
    await tp?.close();
  });

  it('runs on WebGL2 (and WebGPU where an adapter answers) spike for spike with the cpu backend', async () => {
    expect(tp!.modes).toContain('webgl2');
    expect(ref.spikes.length / 3).toBeGreaterThan(300);
    for (const mode of tp!.modes) {
      const dev = await runJob(jobFor(mode));
      const at = firstDivergence(ref.spikes, dev.spikes);
      const counts = countsOf(dev.spikes, ref.counts.length);
      console.log(`[resident-browser] ${mode}: ${dev.implementation} ran as ${dev.ran}, ${TICKS} ticks in ${dev.ms.toFixed(0)} ms; ${dev.spikes.length / 3} spikes (cpu ${ref.spikes.length / 3}); first disagreement at tick ${at}`);
      expect(dev.ran, `${mode} fell back (page log: ${tp!.log.slice(-3).join(' | ')})`).toBe(mode === 'webgpu' ? 'webgpu' : 'gpu');
      expect(at).toBeGreaterThanOrEqual(FIRST_DIVERGENCE_TICKS);
      counts.forEach((c, p) => {
        expect(c).toBeGreaterThanOrEqual(0.9 * ref.counts[p]!);
        expect(c).toBeLessThanOrEqual(1.1 * ref.counts[p]! + 2);
      });
      // Where no spike disagreed, the final state too: V_TOL_MV on membrane potentials, G_REL_TOL on the rest.
      if (at === Infinity)
        ref.state.forEach((vars, p) => {
          for (const [k, a] of Object.entries(vars)) {
            const b = dev.state[p]![k]!;
            let worst = 0;
            for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(b[i]! - a[i]!) / (k === 'v' ? V_TOL_MV : G_REL_TOL * Math.max(1, Math.abs(a[i]!))));
            expect(worst, `${mode} population ${p} ${k}`).toBeLessThanOrEqual(1);
          }
        });
    }
  }, 300_000);

  it('negative control: delays one tick too long disagree within the first milliseconds', async () => {
    const dev = await runJob(jobFor(tp!.modes[0] ?? 'webgl2', 1));
    expect(firstDivergence(ref.spikes, dev.spikes)).toBeLessThan(100);
  }, 300_000);
});
