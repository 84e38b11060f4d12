/**
 * Browser side of test/backends/resident-browser.test.ts, bundled by esbuild at test time: runs the device-resident
 * network (src/backends/gpujs/resident.ts, the real module) on gpu.js's WebGL2 or WebGPU back end for a network the
 * test built in Node and sends as base64 arrays. Returns every spike (tick, population, neuron) and the final state.
 */
import { cobaUpdateKernel, lifUpdateKernel, thresholdUpdateKernel } from '../../../src/backends/gpujs/kernels.ts';
import { ResidentNetwork } from '../../../src/backends/gpujs/resident.ts';
import type { ResidentPlan } from '../../../src/kernels/index.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
const SOURCES: Record<string, any> = { lif: lifUpdateKernel, lif_cond: cobaUpdateKernel, threshold_unit: thresholdUpdateKernel };

function bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const u8 = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
  return u8;
}
const f32 = (b64: string): Float32Array => new Float32Array(bytes(b64).buffer);
const u32 = (b64: string): Uint32Array => new Uint32Array(bytes(b64).buffer);
const u16 = (b64: string): Uint16Array => new Uint16Array(bytes(b64).buffer);
function encode(a: Float32Array | Int32Array): string {
  const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

export interface ResidentJob {
  readonly mode: string;
  readonly ticks: number;
  readonly batchTicks: number;
  readonly pops: ReadonlyArray<{ model: string; n: number; rows: string[]; constants: Record<string, number>; state: Record<string, string>; drive: string | null }>;
  readonly projections: ReadonlyArray<{ source: number; target: number; receptor: number; rowPtr: string; col: string; weights: string | null; weight: number; delays: string | null; delay: number }>;
}

async function run(job: ResidentJob): Promise<{ implementation: string; ran: string; ms: number; spikes: string; state: Record<string, string>[] }> {
  const G = (window as any).GPU.GPU || (window as any).GPU;
  const gpu = new G({ mode: job.mode });
  const plan: ResidentPlan = {
    populations: job.pops.map((p) => ({
      model: null as any,
      params: {},
      derived: null,
      n: p.n,
      state: Object.fromEntries(Object.entries(p.state).map(([k, v]) => [k, f32(v)])),
    })),
    projections: job.projections.map((pj) => ({
      source: pj.source,
      target: pj.target,
      receptor: pj.receptor,
      csr: { rowPtr: u32(pj.rowPtr), col: u32(pj.col), weights: pj.weights ? f32(pj.weights) : null, weight: pj.weight, delays: pj.delays ? u16(pj.delays) : null, delay: pj.delay },
    })),
  };
  const net = (await ResidentNetwork.create(gpu, job.mode, plan, job.pops.map((p) => ({ source: SOURCES[p.model], rows: p.rows, constants: p.constants })), job.batchTicks))!;
  for (let i = 0; i < job.pops.length; i++) {
    const d = job.pops[i]!.drive;
    if (d) await net.setDrive(i, f32(d));
  }
  const out: number[] = [];
  const t0 = performance.now();
  for (let k = 0; k < job.ticks; ) {
    const span = Math.min(job.batchTicks, job.ticks - k);
    const b = await net.advance(span);
    let at = 0;
    for (let t = 0; t < span; t++)
      for (let p = 0; p < job.pops.length; p++)
        for (let c = b.counts[t * job.pops.length + p]!; c > 0; c--) out.push(k + t + 1, p, b.spikes[at++]!);
    k += span;
  }
  await net.download();
  const ms = performance.now() - t0;
  const probe = gpu.createKernel(function (this: any) {
    return this.thread.x;
  }, { output: [1] });
  probe();
  const ran = (probe as any).kernel?.constructor?.mode ?? gpu.mode;
  net.dispose();
  return { implementation: net.implementation, ran, ms, spikes: encode(Int32Array.from(out)), state: plan.populations.map((p) => Object.fromEntries(Object.entries(p.state).map(([k, v]) => [k, encode(v as Float32Array)]))) };
}

(window as any).purkinjeResident = { run };
