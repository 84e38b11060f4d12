import { describe, expect, it } from 'vitest';
import { Notebook } from '../../../../src/models/memory/cls/notebook.ts';
import { clsParams, type NotebookParams } from '../../../../src/models/memory/cls/params.ts';
import { ReplaySchedule, replayKey } from '../../../../src/models/memory/cls/replay.ts';
import { createTeacher, sampleData } from '../../../../src/models/memory/cls/teacher.ts';
import { Notebook as Notebook20261205 } from '../../../../bench/baselines/notebook-2026-12-05.ts';
import { DenseReference } from './dense-reference.ts';

/**
 * The notebook's integer field (G_i gathered or scattered, one class constant per pattern count, the sampled kWTA
 * selection, the stored fixed points learnt on the way) against
 * - a reference written from the definition: the dense W_ij = (1/n) sum_mu (xi_i - a)(xi_j - a) - gamma/(M a)
 *   (i != j, W_ii = 0) built from the pattern lists, h = W s by the full product every cycle, kWTA by a full sort
 *   (fields within FIELD_TIE_TOLERANCE of the k-th largest tied, the lowest indices win), threshold h >= U - tol,
 *   cycles stopped at the first that changes nothing;
 * - today's notebook (2026-12-05: dense float W, column updates / low-rank recomputation), schedule for schedule.
 */

function memories(p: number, seed: number) {
  return sampleData(createTeacher({ kind: 'linear', n: 20, snr: 4 }, seed), p, 'train');
}

describe('notebook: integer field and sampled kWTA against the dense definition', () => {
  const cases: Array<{ name: string; params: NotebookParams; p: number; seeds: number[] }> = [
    // a = 1/20, gamma = 0.6: fields are multiples of 1/(400 n), so exact ties are common at small M
    { name: 'M 200, P 20, published a, gamma, U', params: { m: 200, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, p: 20, seeds: [1, 2, 3] },
    { name: 'M 400, P 100 (past capacity)', params: { m: 400, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 }, p: 100, seeds: [4, 5] },
    { name: 'M 300, a 0.1, gamma 0.35, U -0.05 (fields not on a grid)', params: { m: 300, a: 0.1, gamma: 0.35, u: -0.05, kwtaCycles: 6, thresholdCycles: 4 }, p: 30, seeds: [6, 7] },
  ];

  it.each(cases)('$name: every reactivation ends in the same state after the same cycles, in each field-update mode', ({ params, p, seeds }) => {
    let ties = 0;
    let changedStates = 0;
    for (const seed of seeds) {
      const mem = memories(p, seed);
      const probe = new Notebook(params, mem, seed);
      const ref = new DenseReference(probe.m, probe.k, params, probe.patterns, p);
      for (const mode of ['auto', 'incremental', 'recompute'] as const) {
        const nb = new Notebook(params, mem, seed);
        nb.fieldUpdate = mode;
        for (let e = 1; e <= 2; e++)
          for (let slot = 0; slot < 40; slot++) {
            nb.seedRandom(e, slot);
            const want = ref.settle(nb.state.slice());
            const got = nb.settle(e, slot);
            expect(Array.from(nb.state)).toEqual(Array.from(want.state));
            expect([got.kwtaCycles, got.thresholdCycles]).toEqual([want.kwta, want.threshold]);
            if (mode === 'auto') changedStates += +(want.kwta > 0);
          }
        // the field of the final state, against the dense product
        const dense = ref.field(nb.state);
        nb.field.forEach((v, i) => expect(Math.abs(v - dense[i]!)).toBeLessThan(1e-9));
      }
      ties += ref.ties.kwta;
    }
    expect(changedStates).toBeGreaterThan(0);
    console.log(`ties decided by index in the reference's kWTA cycles: ${ties}`);
  });

  it('M 200 at the published a and gamma meets exact ties at the k-th largest field (the tie rule is exercised)', () => {
    const params: NotebookParams = { m: 200, a: 0.05, gamma: 0.6, u: -0.15, kwtaCycles: 9, thresholdCycles: 9 };
    const mem = memories(20, 1);
    const nb = new Notebook(params, mem, 1);
    const ref = new DenseReference(nb.m, nb.k, params, nb.patterns, 20);
    for (let slot = 0; slot < 40; slot++) {
      nb.seedRandom(1, slot);
      ref.settle(nb.state.slice());
    }
    expect(ref.ties.kwta).toBeGreaterThan(0);
  });
});

describe("notebook: today's schedules (the 2026-12-05 notebook) at the published size", () => {
  it('M 2000, P 100: 300 reactivations of seeds 1 and 2 give the same schedule entry for entry', () => {
    const params = clsParams({ student: { epochs: 3 } });
    for (const seed of [1, 2]) {
      const train = sampleData(createTeacher(params.teacher, seed), params.p, 'train');
      const key = replayKey(seed, params.p, params.notebook);
      const today = new ReplaySchedule({ key, epochs: 3, source: new Notebook20261205(params.notebook, train, seed) });
      const fast = new ReplaySchedule({ key, epochs: 3, source: new Notebook(params.notebook, train, seed) });
      today.ensure(3);
      fast.ensure(3);
      const a = today.toData();
      const b = fast.toData();
      for (const f of ['outcome', 'memory', 'distance', 'active', 'kwtaCycles', 'thresholdCycles', 'unitStart', 'units'] as const) expect(Array.from(b[f]), f).toEqual(Array.from(a[f]));
      expect(b.work.cycles).toBe(a.work.cycles);
    }
  });

  it('recall and its error equal the 2026-12-05 notebook (M 1000, P 60, stored and fresh cues)', () => {
    const params = clsParams({ p: 60, notebook: { m: 1000 } });
    const teacher = createTeacher(params.teacher, 3);
    const train = sampleData(teacher, 60, 'train');
    const test = sampleData(teacher, 40, 'test');
    const today = new Notebook20261205(params.notebook, train, 3);
    const fast = new Notebook(params.notebook, train, 3);
    expect(fast.recallError(train)).toEqual(today.recallError(train));
    expect(fast.recallError(test)).toEqual(today.recallError(test));
    expect(Array.from(fast.patternX)).toEqual(Array.from(today.patternX));
    expect(Array.from(fast.patternY)).toEqual(Array.from(today.patternY));
  });
});
