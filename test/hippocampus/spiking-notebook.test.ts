/**
 * The CLS notebook on the engine against the algebraic notebook (models/memory/cls/notebook.ts), an independent
 * implementation of the same dynamics (field maintained by column updates and low-rank recomputation, k-winners by
 * sampled selection; the circuit sums integer Hebbian counts through synapses and selects in the unit's step):
 * every cycle's state of every reactivation equal, bit for bit, on the same seed, and the replay schedules equal
 * array for array; the same seed gives the same spike log; a wrong k or U breaks the agreement.
 */
import { describe, expect, it } from 'vitest';
import { KWTA_UNIT, type KwtaParams, kthLargest } from '../../src/models/neurons/kwta.ts';
import type { StepIO } from '../../src/models/neurons/types.ts';
import { withDefaults } from '../../src/models/neurons/types.ts';
import { clsParams, type ClsParams, computeReplaySchedule, createTeacher, Notebook, replayKey, ReplaySchedule, runCls, sampleData } from '../../src/models/memory/cls/index.ts';
import { NOTEBOOK_POPULATIONS, SpikingNotebook, type SpikingNotebookOptions } from '../../src/hippocampus/spiking-notebook.ts';
import { xorshift32 } from '../xorshift.ts';

interface Case {
  readonly m: number;
  readonly p: number;
  readonly seed: number;
  readonly u?: number;
}

function setup(c: Case): { params: ClsParams; notebook: () => Notebook } {
  const params = clsParams({ teacher: { kind: 'linear', n: 20, snr: Infinity }, p: c.p, notebook: { m: c.m, ...(c.u !== undefined ? { u: c.u } : {}) } });
  const train = sampleData(createTeacher(params.teacher, c.seed), c.p, 'train');
  return { params, notebook: () => new Notebook(params.notebook, train, c.seed) };
}

/** The algebraic notebook's cycles of reactivation (epoch, slot), as sorted unit lists: seed, kWTA, then threshold. */
function algebraicTrace(nb: Notebook, epoch: number, slot: number): Int32Array[] {
  const units = (): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < nb.m; i++) if (nb.state[i] !== 0) out.push(i);
    return Int32Array.from(out);
  };
  nb.seedRandom(epoch, slot);
  const trace = [units()];
  for (let c = 0; c < nb.params.kwtaCycles; c++) {
    const flips = nb.kwtaStep();
    trace.push(units());
    if (flips === 0) break;
  }
  for (let c = 0; c < nb.params.thresholdCycles; c++) {
    const flips = nb.thresholdStep();
    trace.push(units());
    if (flips === 0) break;
  }
  return trace;
}

/** Reactivations of both notebooks compared cycle by cycle; returns the algebraic outcomes and how many differed. */
async function compare(c: Case, reactivations: ReadonlyArray<readonly [number, number]>, options: SpikingNotebookOptions = {}) {
  const { notebook } = setup(c);
  const ref = notebook();
  const sn = await SpikingNotebook.create(notebook(), c.seed, { ...options, trace: true });
  const outcomes: string[] = [];
  let differ = 0;
  let thresholdChanges = 0;
  try {
    for (const [epoch, slot] of reactivations) {
      const expected = algebraicTrace(ref, epoch, slot);
      const settled = ref.settle(epoch, slot);
      const got = sn.settle(epoch, slot);
      outcomes.push(settled.outcome);
      thresholdChanges += settled.thresholdCycles;
      const same =
        sn.trace.length === expected.length &&
        sn.trace.every((cy, i) => cy.units.length === expected[i]!.length && cy.units.every((u, j) => u === expected[i]![j])) &&
        JSON.stringify(got) === JSON.stringify(settled) &&
        sn.state.every((s, i) => s === ref.state[i]);
      if (!same) differ++;
    }
  } finally {
    sn.dispose();
  }
  return { outcomes, differ, thresholdChanges };
}

const slots = (epochs: number, p: number) => Array.from({ length: epochs * p }, (_, q) => [1 + Math.floor(q / p), q % p] as const);

describe('kwta_unit selection', () => {
  /** One step of n units with the given Hebbian input and clock receptor (1 kwta, 2 threshold); returns the spikes. */
  const step = (hebb: number[], receptor: number, params: Record<string, number>, seed: number[] = []): number[] => {
    const n = hebb.length;
    const p = withDefaults<KwtaParams>(KWTA_UNIT.params, { coding: 0, norm: 1, baseline: 0, inhibition: 0, ...params });
    const state = KWTA_UNIT.init(n, p);
    const rings = KWTA_UNIT.receptors.map(() => new Float64Array(n));
    rings[0]!.set(hebb);
    if (receptor > 0) rings[receptor]!.fill(1);
    for (const i of seed) rings[1]![i] = 1;
    const io: StepIO = { n, state, rings, slotOffset: 0, slotHasInput: true, iExt: null, spikes: new Uint32Array(n), status: new Int32Array(1) };
    const count = KWTA_UNIT.step(io, p, null);
    expect(rings.every((r) => r.every((x) => x === 0))).toBe(true); // every slot consumed
    return Array.from(io.spikes.subarray(0, count));
  };

  it('fires the k largest fields, ties within the tolerance to the lowest indices; h >= U in threshold cycles; the seed overrides', () => {
    expect(step([1, 3, 3, 2, 3, 0], 2, { k: 2 })).toEqual([1, 2]);
    expect(step([1, 3, 3 + 1e-12, 2, 3, 0], 2, { k: 2 })).toEqual([1, 2]); // within the tolerance: still tied
    expect(step([1, 3, 3 + 1e-6, 2, 3, 0], 2, { k: 2 })).toEqual([1, 2]);
    expect(step([1, 3, 3, 2, 3 + 1e-6, 0], 2, { k: 2 })).toEqual([1, 4]);
    expect(step([0, 0, 0, 0], 2, { k: 3 })).toEqual([0, 1, 2]);
    expect(step([1, -0.15, -0.15 - 2e-9, -1], 3, { u: -0.15 })).toEqual([0, 1]);
    expect(step([5, 5, 5, 5], 2, { k: 2 }, [3])).toEqual([3]);
    expect(step([5, 5, 5, 5], 0, { k: 2 })).toEqual([]); // no clock: no cycle
  });

  it('kthLargest equals the k-th element of the sorted values, ties included', () => {
    const rnd = xorshift32(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 60);
      const a = Float64Array.from({ length: n }, () => Math.floor(rnd() * 8) / 4); // many ties
      const k = 1 + Math.floor(rnd() * n);
      const sorted = [...a].sort((x, y) => y - x);
      expect(kthLargest(a.slice(), k, n)).toBe(sorted[k - 1]);
    }
  });
});

describe('the spiking notebook against the algebraic notebook, state for state', () => {
  it('agrees on every cycle of every reactivation at small sizes: stored, spurious and silent outcomes, both phases', async () => {
    const cases: Array<[Case, number]> = [
      [{ m: 300, p: 60, seed: 2, u: 0.2 }, 2], // U high: many spurious and silent outcomes, long threshold phases
      [{ m: 300, p: 90, seed: 1 }, 1], // the published U at a heavy load: spurious states
      [{ m: 400, p: 40, seed: 3 }, 1],
      [{ m: 200, p: 30, seed: 5, u: 0.1 }, 1],
    ];
    const outcomes = new Set<string>();
    let thresholdChanges = 0;
    for (const [c, epochs] of cases) {
      const r = await compare(c, slots(epochs, c.p));
      expect(r.differ, `M ${c.m} P ${c.p} seed ${c.seed}`).toBe(0);
      for (const o of r.outcomes) outcomes.add(o);
      thresholdChanges += r.thresholdChanges;
    }
    // the cases exercise what they are meant to (outcomes as the algebraic notebook classifies them)
    expect([...outcomes].sort()).toEqual(['silent', 'spurious', 'stored']);
    expect(thresholdChanges).toBeGreaterThan(50);
  }, 30_000);

  it('agrees at M 2000, P 100 (the published notebook) over an epoch and a reactivation that ends silent', async () => {
    // (2, 39) of seed 2 ends silent in the algebraic notebook
    const r = await compare({ m: 2000, p: 100, seed: 2 }, [...slots(1, 100), [2, 39]]);
    expect(r.differ).toBe(0);
    expect(r.outcomes.at(-1)).toBe('silent');
    expect(r.outcomes.filter((o) => o === 'stored').length).toBe(100);
  }, 30_000);

  it('agrees on two engine threads too: the engine never cuts the kwta_unit population (its k-th largest field) into slices', async () => {
    // M 2000 is far above the engine's smallest split (partition.ts MIN_SPLIT), so any other model would be sliced
    const r = await compare({ m: 2000, p: 100, seed: 3 }, slots(1, 20), { threads: 2 });
    expect(r.differ).toBe(0);
  }, 60_000);

  it('fills a replay schedule equal, array for array, to computeReplaySchedule, and a CLS run learns the same from either', async () => {
    const c: Case = { m: 300, p: 60, seed: 2, u: 0.2 };
    const base = setup(c).params;
    const params: ClsParams = { ...base, student: { ...base.student, epochs: 3 } };
    const train = sampleData(createTeacher(params.teacher, c.seed), c.p, 'train');
    const sn = await SpikingNotebook.create(new Notebook(params.notebook, train, c.seed), c.seed);
    try {
      const spiking = new ReplaySchedule({ key: replayKey(c.seed, c.p, params.notebook), epochs: 3, source: sn });
      spiking.ensure(3);
      const algebraic = computeReplaySchedule(params, c.seed, 3);
      const a = spiking.toData();
      const b = algebraic.toData();
      expect(a.key).toBe(b.key);
      for (const f of ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const) expect(Array.from(a[f]), f).toEqual(Array.from(b[f]));
      expect(a.work.cycles).toBe(b.work.cycles);
      const outcomes = new Set(Array.from(a.outcome));
      expect(outcomes.size).toBe(3); // stored, spurious and silent all occur
      const viaSpiking = runCls(params, c.seed, { kind: 'unregulated' }, undefined, { schedule: spiking });
      const own = runCls(params, c.seed);
      expect(Array.from(viaSpiking.curves.student_test)).toEqual(Array.from(own.curves.student_test));
      expect(Array.from(viaSpiking.weights)).toEqual(Array.from(own.weights));
    } finally {
      sn.dispose();
    }
  }, 30_000);

  it('puts each reactivation in the spike log: seed spikes, one notebook batch per cycle, the final state last', async () => {
    const c: Case = { m: 300, p: 60, seed: 2, u: 0.2 };
    const { notebook } = setup(c);
    const ref = notebook();
    const sn = await SpikingNotebook.create(notebook(), c.seed);
    const batches = new Map<number, number[]>();
    const events: Array<{ tick: number; kind: string }> = [];
    sn.sim.onSpikes((tick, pop, idx) => {
      if (pop.name === NOTEBOOK_POPULATIONS.notebook) batches.set(tick, Array.from(idx));
    });
    sn.sim.onEvent((e) => events.push({ tick: e.tick, kind: e.kind }));
    try {
      for (let slot = 0; slot < 20; slot++) {
        batches.clear();
        events.length = 0;
        const r = sn.settle(1, slot);
        const expected = algebraicTrace(ref, 1, slot);
        expect(events.map((e) => e.kind)).toEqual(['reactivation-start', 'reactivation-end']);
        const [start, end] = [events[0]!.tick, events[1]!.tick];
        // one cycle every two ticks from start + 2 to the end event; a silent cycle has no batch
        expect(end - start).toBe(2 * expected.length);
        for (let cy = 0; cy < expected.length; cy++) expect(batches.get(start + 2 + 2 * cy) ?? [], `slot ${slot} cycle ${cy}`).toEqual(Array.from(expected[cy]!));
        expect(r.active).toBe(expected.at(-1)!.length);
      }
    } finally {
      sn.dispose();
    }
  });
});

describe('reproducibility and negative controls', () => {
  const spikeLog = async (c: Case, n: number, options: SpikingNotebookOptions = {}) => {
    const { notebook } = setup(c);
    const sn = await SpikingNotebook.create(notebook(), c.seed, options);
    const rows: string[] = [];
    sn.sim.onSpikes((tick, pop, idx) => rows.push(`${tick} ${pop.name} ${Array.from(idx).join(',')}`));
    for (let q = 0; q < n; q++) sn.settle(1 + Math.floor(q / c.p), q % c.p);
    sn.dispose();
    return rows;
  };

  it('the same seed gives the identical spike log; another seed another', async () => {
    const c: Case = { m: 300, p: 60, seed: 4 };
    const a = await spikeLog(c, 40);
    const b = await spikeLog(c, 40);
    expect(a.length).toBeGreaterThan(200);
    expect(b).toEqual(a);
    expect(await spikeLog({ ...c, seed: 5 }, 40)).not.toEqual(a);
  });

  it('a circuit with a wrong k or a wrong U disagrees with the notebook', async () => {
    const c: Case = { m: 300, p: 60, seed: 2, u: 0.2 };
    const k = 15;
    const wrongK = await compare(c, slots(1, 30), { unitOverrides: { k: k + 1 } });
    expect(wrongK.differ).toBe(30); // every k-winners cycle then has k + 1 units
    const right = await compare(c, slots(1, 30));
    expect(right.differ).toBe(0);
    const wrongU = await compare(c, slots(1, 30), { unitOverrides: { u: -0.15 } });
    expect(wrongU.differ).toBeGreaterThan(0);
    expect(wrongU.differ).toBeLessThan(30); // only reactivations whose threshold phase depends on U
  }, 30_000);

  it('refuses bad options with the field named', async () => {
    const { notebook } = setup({ m: 200, p: 10, seed: 1 });
    await expect(SpikingNotebook.create(notebook(), 1, { dtMs: 0 })).rejects.toThrow(/dtMs.*> 0/);
    await expect(SpikingNotebook.create(notebook(), 1, { gapTicks: 1.5 })).rejects.toThrow(/gapTicks/);
  });
});
