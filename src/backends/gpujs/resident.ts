/**
 * The device-resident network: a whole network of LIF, COBA and threshold-unit populations with static synapses
 * stepped on the gpu.js device, tick after tick, without the host in the loop.
 *
 * Per tick, on the device (every kernel is `pipeline: true, immutable: true`, so its output stays a device buffer or
 * texture and feeds the next kernel as it is):
 *   1. delivery, as a gather: for each target population and receptor, one kernel per (projection, delay) group sums
 *      the spike flags of the group's sources at spike tick k - d over the target's incoming synapses (ELL layout by
 *      target, uploaded once; kernels.ts gatherKernel) and adds it to the previous group's sum;
 *   2. update: the model's kernel (kernels.ts, the same as the per-population path) integrates, thresholds and resets,
 *      and writes the spike flags as row 4 of the new state;
 *   3. compaction: packKernel turns the flags into n / 16 words of bits.
 * The state handles of the last D + 1 ticks (D, the longest delay) stay on the device: they hold the flags the gathers
 * read. The host reads the packed spikes back once per batch (every `batchTicks` ticks, or at the next event of the
 * engine), decodes them into sorted indices, and downloads the state only when asked.
 *
 * Timing is the engine's (engine/simulator.ts): an update at tick k produces spikes of tick k + 1, and a synapse of
 * delay d ticks adds them to the target's input in the update of tick k + 1 + d.
 *
 * On WebAssembly (no GPU here) gpu.js hands plain arrays back and copies them in and out of its memory at each call:
 * correct, and slower than the cpu backend (`--backend auto` measures it and picks cpu).
 */
import type { GPU } from 'gpu.js';
import type { ResidentBatch, ResidentPlan, ResidentRunner } from '../../kernels/index.ts';
import { gatherKernel, gatherWeightedKernel, packKernel } from './kernels.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Kernel = (...args: any[]) => any;
type Handle = any;

/** Ticks between read-backs of the packed spikes (fewer at an event of the engine). */
export const DEFAULT_BATCH_TICKS = 32;
/** Elements per ELL chunk: 2^25 floats, 128 MiB, WebGPU's default largest storage-buffer binding. */
const MAX_CHUNK_ELEMENTS = 2 ** 25;

/** One (projection, delay) group's synapses by target, ELL: column q of target j at q * n + j, -1 past its inputs. */
export interface EllGroup {
  readonly source: number;
  readonly target: number;
  readonly receptor: number;
  readonly delay: number;
  /** Columns per target in this chunk. */
  readonly K: number;
  readonly col: Float32Array;
  /** Weight per synapse in the same layout, or null for one weight (`weight`). */
  readonly weights: Float32Array | null;
  readonly weight: number;
}

/**
 * Turns the network's CSR projections (rows by source, sorted by target) into ELL groups by target: one per projection,
 * delay and chunk of at most MAX_CHUNK_ELEMENTS / n columns. Each target lists its sources in increasing order.
 */
export function ellGroups(plan: ResidentPlan, maxChunkElements = MAX_CHUNK_ELEMENTS): EllGroup[] {
  const out: EllGroup[] = [];
  for (const pj of plan.projections) {
    const { rowPtr, col, weights, weight, delays, delay } = pj.csr;
    const n = plan.populations[pj.target]!.n;
    const nPre = rowPtr.length - 1;
    const byDelay = new Map<number, Int32Array>();
    const countsFor = (d: number): Int32Array => {
      let c = byDelay.get(d);
      if (!c) byDelay.set(d, (c = new Int32Array(n)));
      return c;
    };
    if (delays === null) countsFor(delay);
    for (let i = 0; i < nPre; i++)
      for (let s = rowPtr[i]!; s < rowPtr[i + 1]!; s++) countsFor(delays === null ? delay : delays[s]!)[col[s]!]!++;
    for (const [d, counts] of [...byDelay].sort((a, b) => a[0] - b[0])) {
      let K = 0;
      for (let j = 0; j < n; j++) K = Math.max(K, counts[j]!);
      const perChunk = Math.max(1, Math.floor(maxChunkElements / Math.max(1, n)));
      const chunks = Math.max(1, Math.ceil(K / perChunk));
      const width = (c: number) => Math.max(1, Math.min(perChunk, K - c * perChunk));
      const cols = Array.from({ length: chunks }, (_, c) => new Float32Array(width(c) * n).fill(-1));
      const ws = weights === null ? null : Array.from({ length: chunks }, (_, c) => new Float32Array(width(c) * n));
      const fill = new Int32Array(n);
      for (let i = 0; i < nPre; i++)
        for (let s = rowPtr[i]!; s < rowPtr[i + 1]!; s++) {
          if ((delays === null ? delay : delays[s]!) !== d) continue;
          const j = col[s]!;
          const q = fill[j]!++;
          const c = Math.floor(q / perChunk);
          const at = (q - c * perChunk) * n + j;
          cols[c]![at] = i;
          if (ws) ws[c]![at] = weights![s]!;
        }
      for (let c = 0; c < chunks; c++)
        out.push({ source: pj.source, target: pj.target, receptor: pj.receptor, delay: d, K: width(c), col: cols[c]!, weights: ws ? ws[c]! : null, weight });
    }
  }
  return out;
}

interface Pop {
  readonly n: number;
  readonly rows: readonly string[];
  readonly update: Kernel;
  readonly pack: Kernel;
  zero: Handle;
  drive: Handle;
  /** State handles of the last D + 1 ticks, newest last (row 4: the spike flags of that tick). */
  history: Handle[];
  /** Packed spikes of the ticks of the batch in progress. */
  readonly packed: Handle[];
}

interface Group extends EllGroup {
  readonly kernel: Kernel;
  colHandle: Handle;
  weightHandle: Handle | null;
}

/** Releases a device handle (a no-op for the plain arrays of WebAssembly). */
function release(h: Handle): void {
  if (h && typeof h.delete === 'function') h.delete();
}

async function toRows(h: Handle): Promise<Float32Array[]> {
  return (h && typeof h.toArray === 'function' ? await h.toArray() : h) as Float32Array[];
}

export interface ResidentModel {
  readonly source: Kernel;
  readonly rows: readonly string[];
  readonly constants: Record<string, number>;
}

export class ResidentNetwork implements ResidentRunner {
  readonly implementation: string;
  private readonly pops: Pop[];
  private readonly groups: Group[];
  private readonly byTarget: Group[][][];
  private readonly state: ResidentPlan['populations'];
  private readonly depth: number;

  private constructor(
    private readonly gpu: GPU,
    device: string,
    plan: ResidentPlan,
    models: readonly ResidentModel[],
    readonly batchTicks: number,
  ) {
    this.implementation = `gpujs/${device}/float32/resident`;
    this.state = plan.populations;
    const single = { precision: 'single' as const, tactic: 'precision' as const, pipeline: true, immutable: true };
    const groups = ellGroups(plan);
    this.depth = Math.max(1, ...groups.map((g) => g.delay));
    this.pops = plan.populations.map((p, i) => {
      const m = models[i]!;
      const n = p.n;
      return {
        n,
        rows: m.rows,
        update: gpu.createKernel(m.source, { ...single, output: [n, 5], constants: m.constants }) as unknown as Kernel,
        pack: gpu.createKernel(packKernel, { ...single, output: [Math.ceil(n / 16)], constants: { n } }) as unknown as Kernel,
        zero: null,
        drive: null,
        history: [],
        packed: [],
      };
    });
    this.groups = groups.map((g) => {
      const n = plan.populations[g.target]!.n;
      const settings = { ...single, output: [n], constants: { K: g.K }, loopMaxIterations: g.K };
      return { ...g, kernel: gpu.createKernel(g.weights ? gatherWeightedKernel : gatherKernel, settings) as unknown as Kernel, colHandle: null, weightHandle: null };
    });
    this.byTarget = this.pops.map((_, t) => [0, 1].map((r) => this.groups.filter((g) => g.target === t && g.receptor === r)));
  }

  /** Uploads the initial state, the synapses and zero vectors (kernel calls: a promise on WebGPU). */
  private async init(): Promise<void> {
    for (let p = 0; p < this.pops.length; p++) {
      const pop = this.pops[p]!;
      const n = pop.n;
      const host = this.state[p]!.state;
      const initial = await this.uploadRows(Array.from({ length: 5 }, (_, q) => (pop.rows[q] ? Float32Array.from(host[pop.rows[q]!]!) : new Float32Array(n))));
      // Before the first tick no neuron has spiked: every past tick's flags are the initial state's (zero) row 4.
      pop.history = Array.from({ length: this.depth + 1 }, () => initial);
      pop.zero = await this.upload(new Float32Array(n));
      pop.drive = pop.zero;
    }
    for (const g of this.groups) {
      const n = this.pops[g.target]!.n;
      const rows = (a: Float32Array) => Array.from({ length: g.K }, (_, q) => a.subarray(q * n, (q + 1) * n));
      g.colHandle = await this.uploadRows(rows(g.col));
      g.weightHandle = g.weights ? await this.uploadRows(rows(g.weights)) : null;
    }
  }

  /** Copying kernels, one per output shape ('n' for vectors, 'n x rows' for row sets). */
  private readonly copies = new Map<string, Kernel>();

  private copier(fn: Kernel, output: number[]): Kernel {
    const key = output.join('x');
    let k = this.copies.get(key);
    if (!k) {
      k = this.gpu.createKernel(fn, { precision: 'single', tactic: 'precision', pipeline: true, immutable: true, output }) as unknown as Kernel;
      this.copies.set(key, k);
    }
    return k;
  }

  /** A device copy of a vector. */
  private async upload(a: Float32Array): Promise<Handle> {
    return this.copier(vectorCopy, [a.length])(a);
  }

  /** A device copy of rows of equal length (read as [row][i] by the kernels). */
  private async uploadRows(rows: Float32Array[]): Promise<Handle> {
    return this.copier(rowsCopy, [rows[0]!.length, rows.length])(rows);
  }

  /** Builds the network on the device, or returns null when a population's model has no kernel here. */
  static async create(gpu: GPU, device: string, plan: ResidentPlan, models: ReadonlyArray<ResidentModel | null>, batchTicks = DEFAULT_BATCH_TICKS): Promise<ResidentNetwork | null> {
    if (models.some((m) => m === null)) return null;
    const net = new ResidentNetwork(gpu, device, plan, models as ResidentModel[], batchTicks);
    await net.init();
    return net;
  }

  async setDrive(population: number, drive: ArrayLike<number> | null): Promise<void> {
    const p = this.pops[population]!;
    if (p.drive !== p.zero) release(p.drive);
    p.drive = drive === null ? p.zero : await this.upload(Float32Array.from(drive));
  }

  async advance(ticks: number): Promise<ResidentBatch> {
    if (!(Number.isInteger(ticks) && ticks >= 1 && ticks <= this.batchTicks)) throw new RangeError(`advance takes 1 to ${this.batchTicks} ticks, got ${ticks}`);
    const pops = this.pops;
    const D = this.depth;
    for (let t = 0; t < ticks; t++) {
      const next: Handle[] = [];
      for (let p = 0; p < pops.length; p++) {
        const pop = pops[p]!;
        const input: Handle[] = [];
        for (let r = 0; r < 2; r++) {
          let acc = pop.zero;
          for (const g of this.byTarget[p]![r]!) {
            // history[D] is the newest state, whose flags are spike tick k (this tick); delay d reads spike tick k - d.
            const flags = pops[g.source]!.history[D - g.delay]!;
            const sum = await g.kernel(acc, flags, g.colHandle, g.weightHandle ?? g.weight);
            if (acc !== pop.zero) release(acc);
            acc = sum;
          }
          input.push(acc);
        }
        next.push(await pop.update(pop.history[D], input[0], input[1], pop.drive));
        for (const h of input) if (h !== pop.zero) release(h);
      }
      for (let p = 0; p < pops.length; p++) {
        const pop = pops[p]!;
        const old = pop.history.shift();
        if (!pop.history.includes(old)) release(old);
        pop.history.push(next[p]);
        pop.packed.push(await pop.pack(next[p]));
      }
    }
    return this.readSpikes(ticks);
  }

  /** Reads the batch's packed spikes back and decodes them (per tick, per population, ascending indices). */
  private async readSpikes(ticks: number): Promise<ResidentBatch> {
    const P = this.pops.length;
    const words = await Promise.all(this.pops.map((pop) => Promise.all(pop.packed.map(async (h) => (await toRows(h)) as unknown as Float32Array))));
    const counts = new Int32Array(ticks * P);
    let total = 0;
    for (let t = 0; t < ticks; t++)
      for (let p = 0; p < P; p++) {
        let c = 0;
        for (const w of words[p]![t]!) c += popcount16(w);
        counts[t * P + p] = c;
        total += c;
      }
    const spikes = new Uint32Array(total);
    let at = 0;
    for (let t = 0; t < ticks; t++)
      for (let p = 0; p < P; p++) {
        const w = words[p]![t]!;
        for (let x = 0; x < w.length; x++) {
          let bits = w[x]! | 0;
          while (bits !== 0) {
            const b = 31 - Math.clz32(bits & -bits);
            spikes[at++] = x * 16 + b;
            bits &= bits - 1;
          }
        }
      }
    for (const pop of this.pops) {
      for (const h of pop.packed) release(h);
      pop.packed.length = 0;
    }
    return { ticks, counts, spikes };
  }

  /** Copies the newest state into the host arrays of the plan (widened to the host's precision). */
  async download(): Promise<void> {
    for (let p = 0; p < this.pops.length; p++) {
      const pop = this.pops[p]!;
      const rows = await toRows(pop.history[this.depth]);
      pop.rows.forEach((name, q) => this.state[p]!.state[name]!.set(rows[q]!));
    }
  }

  dispose(): void {
    for (const pop of this.pops) {
      for (const h of new Set(pop.history)) release(h);
      release(pop.zero);
      if (pop.drive !== pop.zero) release(pop.drive);
    }
    for (const g of this.groups) {
      release(g.colHandle);
      release(g.weightHandle);
    }
  }
}

function popcount16(w: number): number {
  let x = w | 0;
  let c = 0;
  while (x !== 0) {
    x &= x - 1;
    c++;
  }
  return c;
}

const vectorCopy = function (this: any, a: any): number {
  return a[this.thread.x];
};
const rowsCopy = function (this: any, a: any): number {
  return a[this.thread.y][this.thread.x];
};
