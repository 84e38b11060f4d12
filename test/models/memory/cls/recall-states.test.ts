import { describe, expect, it } from 'vitest';
import { Notebook } from '../../../../src/models/memory/cls/notebook.ts';
import { clsParams } from '../../../../src/models/memory/cls/params.ts';
import { runCls } from '../../../../src/models/memory/cls/run.ts';
import { createTeacher, sampleData } from '../../../../src/models/memory/cls/teacher.ts';

/**
 * Recall states (Notebook.recallStates / recallErrorFrom): where a notebook's recalls end depends on the index
 * patterns and the cues x only, so runs at another SNR (other outputs y, same inputs) read their recall errors from
 * them. Checked against `recallError`, which recalls anew.
 */
describe('notebook recall states', () => {
  it('recallErrorFrom equals recallError on stored and fresh cues, with endings away from the memories (M 400, P 100)', () => {
    const params = clsParams({ p: 100, notebook: { m: 400 } });
    const teacher = createTeacher(params.teacher, 2);
    const train = sampleData(teacher, 100, 'train');
    const test = sampleData(teacher, 200, 'test');
    const nb = new Notebook(params.notebook, train, 2);
    for (const data of [train, test]) {
      const states = nb.recallStates(data);
      expect(nb.recallErrorFrom(data, states)).toEqual(nb.recallError(data));
    }
    expect(nb.recallStates(test).units.length).toBeGreaterThan(0); // some recalls end off the stored patterns
  });

  it("another SNR's notebook (same seed, same inputs, other outputs) reads its own recall error from these states", () => {
    const at = (snr: number) => {
      const params = clsParams({ p: 60, notebook: { m: 1000 }, teacher: { kind: 'linear', n: 100, snr } });
      const teacher = createTeacher(params.teacher, 3);
      return { params, train: sampleData(teacher, 60, 'train'), test: sampleData(teacher, 300, 'test') };
    };
    const a = at(4);
    const b = at(0.05);
    expect(Array.from(b.train.x)).toEqual(Array.from(a.train.x));
    expect(Array.from(b.train.y)).not.toEqual(Array.from(a.train.y));
    const nbA = new Notebook(a.params.notebook, a.train, 3);
    const nbB = new Notebook(b.params.notebook, b.train, 3);
    expect(nbB.recallErrorFrom(b.train, nbA.recallStates(a.train))).toEqual(nbB.recallError(b.train));
    expect(nbB.recallErrorFrom(b.test, nbA.recallStates(a.test))).toEqual(nbB.recallError(b.test));
    expect(() => nbB.recallErrorFrom(b.test, nbA.recallStates(a.train))).toThrow(/do not belong/);
  });

  it("runCls's notebook errors are recallError's, with the recall option or without it, and the curves equal", () => {
    const params = clsParams({ p: 40, notebook: { m: 600 }, student: { epochs: 30 }, teacher: { kind: 'linear', n: 40, snr: 4 } });
    const plain = runCls(params, 5, { kind: 'unregulated' });
    const teacher = createTeacher(params.teacher, 5);
    const train = sampleData(teacher, params.p, 'train');
    const test = sampleData(teacher, params.pTest, 'test');
    const nb = new Notebook(params.notebook, train, 5);
    const given = runCls(params, 5, { kind: 'unregulated' }, undefined, { recall: { train: nb.recallStates(train), test: nb.recallStates(test) } });
    const want = { train: nb.recallError(train), test: nb.recallError(test) };
    for (const run of [plain, given]) {
      expect(run.curves.notebook_train).toBe(want.train.error);
      expect(run.curves.notebook_test).toBe(want.test.error);
      expect(run.notebook_exact_recalls).toBe(want.train.exact);
    }
    expect(Array.from(given.curves.student_test)).toEqual(Array.from(plain.curves.student_test));
  });
});
