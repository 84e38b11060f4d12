import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyConstants, keyScale, NotebookLanes, notebookLanesSupport } from '../../src/backends/cpu/wasm/notebook-lanes.ts';
import { Notebook } from '../../src/models/memory/cls/notebook.ts';
import { clsParams, type NotebookParams } from '../../src/models/memory/cls/params.ts';
import { computeReplayRange, ReplaySchedule, replayKey, type ReplayData } from '../../src/models/memory/cls/replay.ts';
import { createTeacher, sampleData } from '../../src/models/memory/cls/teacher.ts';
import { replaySource } from '../../src/scenarios/workers/replay-source.ts';
import { DenseReference } from '../models/memory/cls/dense-reference.ts';

/**
 * The notebook's reactivations eight at a time in WebAssembly (backends/cpu/wasm/notebook-lanes.ts) against
 * - a reference from the definition (dense W, full sort; test/models/memory/cls/dense-reference.ts), state for state;
 * - the notebook itself, schedule for schedule (every array, active units included), at the published size;
 * and the committed binary against a compilation of its AssemblyScript source.
 */

const FIELDS = ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const;

function memories(p: number, seed: number, n = 20) {
  return sampleData(createTeacher({ kind: 'linear', n, snr: 4 }, seed), p, 'train');
}

function expectSameSchedule(got: ReplayData, want: ReplayData): void {
  for (const f of FIELDS) expect(Array.from(got[f]), f).toEqual(Array.from(want[f]));
}

function schedule(source: ConstructorParameters<typeof ReplaySchedule>[0] extends infer T ? (T extends { source: infer S } ? S : never) : never, epochs: number): ReplayData {
  const s = new ReplaySchedule({ key: 'test', epochs, source });
  s.ensure(epochs);
  return s.toData();
}

describe('notebook lanes: integer keys', () => {
  it('D n h_i minus the key K_i is one constant over all units of a state with k active units (the keys order the field exactly)', () => {
    const params: NotebookParams = { m: 300, a: 0.1, gamma: 0.35, u: -0.05, kwtaCycles: 6, thresholdCycles: 4 };
    const nb = new Notebook(params, memories(30, 2), 2);
    const ref = new DenseReference(nb.m, nb.k, params, nb.patterns, 30);
    const { d, kappa0, kappa1 } = keyConstants(nb);
    expect(d).toBe(200); // the smallest D with D a = 20, D a^2 = 2, D gamma (1 - a) = 63, D (1 - 2a) = 160 integers
    const counts = nb.encoding.counts;
    for (let trial = 0; trial < 5; trial++) {
      nb.seedRandom(1, trial);
      const s = nb.state.slice();
      const h = ref.field(s);
      // G_i from the definition: the overlaps of unit i's patterns with the state
      const overlap = new Int32Array(nb.p);
      for (let mu = 0; mu < nb.p; mu++) for (let j = 0; j < nb.k; j++) overlap[mu]! += s[nb.patterns[mu * nb.k + j]!]!;
      const offsets = Array.from({ length: nb.m }, (_, i) => {
        let g = 0;
        for (let q = nb.unitPtr[i]!; q < nb.unitPtr[i + 1]!; q++) g += overlap[nb.unitPatterns[q]!]!;
        const key = d * g + (s[i] ? kappa1[counts[i]!]! : kappa0[counts[i]!]!);
        return d * nb.norm * h[i]! - key;
      });
      for (const o of offsets) expect(Math.abs(o - offsets[0]!)).toBeLessThan(1e-6);
    }
  });

  it('keyScale finds the published D = 400 and refuses parameters no integer D up to 10,000 represents', () => {
    expect(keyScale(0.05, 0.6, 2000 * 0.05 * 0.95)).toEqual({ d: 400, a1: 20, a2: 1, a3: 228, a4: 360 });
    expect(keyScale(0.05, 0.6123457, 95)).toBeUndefined();
    const nb = new Notebook({ m: 200, a: 0.05, gamma: 0.6123457, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, memories(10, 1), 1);
    expect(notebookLanesSupport(nb)).toMatch(/no integer key scale/);
    expect(() => new NotebookLanes(nb)).toThrow(/no integer key scale/);
    expect(replaySource(nb)).toBe(nb); // such a notebook computes its own schedules
    // keys that int32 cannot hold (D gamma (1 - a) = 2.28e9): refused, not wrapped
    const huge = new Notebook({ m: 200, a: 0.05, gamma: 6e6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, memories(10, 1), 1);
    expect(notebookLanesSupport(huge)).toMatch(/keys beyond int32/);
  });
});

describe('notebook lanes: against the definition, state for state', () => {
  const cases: Array<{ name: string; params: NotebookParams; p: number; seeds: number[]; factor?: number }> = [
    { name: 'M 200, P 20, published a, gamma, U (exact ties)', params: { m: 200, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, p: 20, seeds: [1, 2] },
    { name: 'M 400, P 100 (past capacity: spurious and silent endings)', params: { m: 400, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, p: 100, seeds: [4] },
    { name: 'M 300, a 0.1, gamma 0.35, U -0.05, 6 kWTA cycles', params: { m: 300, a: 0.1, gamma: 0.35, u: -0.05, kwtaCycles: 6, thresholdCycles: 4 }, p: 30, seeds: [6] },
    { name: 'M 200, one kWTA cycle and no threshold cycle', params: { m: 200, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 1, thresholdCycles: 0 }, p: 20, seeds: [5] },
    { name: 'M 200, bars set too high (the lower bars every cycle)', params: { m: 200, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, p: 20, seeds: [3], factor: 0.3 },
  ];

  it.each(cases)('$name', ({ params, p, seeds, factor }) => {
    const totals = { handedBack: 0, done: 0, fullPasses: 0 };
    for (const seed of seeds) {
      const mem = memories(p, seed);
      const probe = new Notebook(params, mem, seed);
      const ref = new DenseReference(probe.m, probe.k, params, probe.patterns, p);
      const lanes = new NotebookLanes(new Notebook(params, mem, seed), factor === undefined ? {} : { candidateFactor: factor });
      const epochs = 2;
      const got = schedule(lanes, epochs);
      for (let e = 1; e <= epochs; e++)
        for (let slot = 0; slot < p; slot++) {
          probe.seedRandom(e, slot);
          const want = ref.settle(probe.state.slice());
          // the definition's classification: the pattern of largest overlap (first on a tie), Hamming distance to it
          let best = -1;
          let bestO = -1;
          for (let mu = 0; mu < p; mu++) {
            let o = 0;
            for (let j = 0; j < probe.k; j++) o += want.state[probe.patterns[mu * probe.k + j]!]!;
            if (o > bestO) [best, bestO] = [mu, o];
          }
          const active = want.state.reduce((x, y) => x + y, 0);
          const q = (e - 1) * p + slot;
          expect(got.active[q], `(${e}, ${slot}) active`).toBe(active);
          expect([got.kwtaCycles[q], got.thresholdCycles[q]], `(${e}, ${slot}) cycles`).toEqual([want.kwta, want.threshold]);
          if (active === 0) continue;
          expect(got.memory[q]).toBe(best);
          expect(got.distance[q]).toBe(active + probe.k - 2 * bestO);
          const units = got.unitStart[q]! < 0 ? Array.from(probe.patterns.subarray(best * probe.k, best * probe.k + probe.k)) : Array.from(got.units.subarray(got.unitStart[q]!, got.unitStart[q]! + active));
          expect(units).toEqual(want.state.reduce<number[]>((acc, v, i) => (v ? [...acc, i] : acc), []));
        }
      totals.handedBack += lanes.kernelWork.handedBack;
      totals.done += epochs * p - lanes.kernelWork.handedBack;
      totals.fullPasses += lanes.kernelWork.fullPasses;
    }
    expect(totals.done).toBeGreaterThan(0); // the kernel ended reactivations itself
    if (factor !== undefined) expect(totals.fullPasses).toBeGreaterThan(0);
    console.log(`lanes: ${totals.done} ended in the kernel, ${totals.handedBack} handed back, ${totals.fullPasses} lower-bar passes`);
  });
});

describe('notebook lanes: against the notebook at the published size', () => {
  it('M 2000, P 100, seeds 1 and 2: 1000 reactivations each give the same schedule, array for array', () => {
    const params = clsParams({});
    let handedBack = 0;
    for (const seed of [1, 2]) {
      const train = sampleData(createTeacher(params.teacher, seed), params.p, 'train');
      const want = schedule(new Notebook(params.notebook, train, seed), 10);
      const lanes = new NotebookLanes(new Notebook(params.notebook, train, seed));
      const got = schedule(lanes, 10);
      expectSameSchedule(got, want);
      expect(got.work.cycles).toBe(want.work.cycles); // the cycles the notebook counts, the lanes count too
      handedBack += lanes.kernelWork.handedBack;
    }
    expect(handedBack).toBeGreaterThan(0); // the hand-back path ran (spurious, silent or threshold endings)
  });

  it('an epoch range of the lanes equals that range of the notebook (computeReplayRange, shifted epochs)', () => {
    const params = clsParams({});
    const train = sampleData(createTeacher(params.teacher, 5), params.p, 'train');
    const key = replayKey(5, params.p, params.notebook);
    const want = computeReplayRange(new Notebook(params.notebook, train, 5), key, 7, 9).data;
    const got = computeReplayRange(new NotebookLanes(new Notebook(params.notebook, train, 5)), key, 7, 9).data;
    expectSameSchedule(got, want);
  });
});

describe('notebook lanes: recall', () => {
  it.each([
    { name: 'M 2000, P 100 (published)', m: 2000, p: 100, rows: 300, kwtaCycles: 9 },
    { name: 'M 400, P 100 (past capacity: recalls end off the memories)', m: 400, p: 100, rows: 300, kwtaCycles: 9 },
    { name: 'M 400, P 100, kWTA cycles 1 (no binary cycle after the first)', m: 400, p: 100, rows: 100, kwtaCycles: 1 },
    { name: 'M 400, P 100, kWTA cycles 2 (one binary cycle)', m: 400, p: 100, rows: 100, kwtaCycles: 2 },
  ])('$name: recallStates equals the notebook\'s, array for array, on stored and fresh cues', ({ m, p, rows, kwtaCycles }) => {
    const params = clsParams({ p, notebook: { m, kwtaCycles } });
    const teacher = createTeacher(params.teacher, 7);
    const train = sampleData(teacher, p, 'train');
    const test = sampleData(teacher, rows, 'test');
    const lanes = new NotebookLanes(new Notebook(params.notebook, train, 7));
    const nb = new Notebook(params.notebook, train, 7);
    for (const data of [train, test]) {
      const want = nb.recallStates(data);
      const got = lanes.recallStates(data);
      expect(got.xSum).toBe(want.xSum);
      for (const f of ['memory', 'distance', 'unitStart', 'activeCount', 'units'] as const) expect(Array.from(got[f]), f).toEqual(Array.from(want[f]));
    }
    if (m === 400) expect(nb.recallStates(test).units.length).toBeGreaterThan(0);
  });
});

describe('notebook lanes: the committed binary', () => {
  const asc = path.resolve('node_modules/assemblyscript/bin/asc.js');
  it.skipIf(!existsSync(asc))('is the compilation of assembly/notebook-lanes.ts (npm run build:wasm)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'purkinje-asc-'));
    try {
      const out = path.join(dir, 'lanes.wasm');
      const args = JSON.parse(readFileSync('package.json', 'utf8')).scripts['build:wasm'].split(' ').slice(1) as string[];
      const o = args.indexOf('-o');
      args[o + 1] = out;
      execFileSync(process.execPath, [asc, ...args], { stdio: 'pipe' });
      expect(Buffer.compare(readFileSync(out), readFileSync('src/backends/cpu/wasm/notebook-lanes.wasm'))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
