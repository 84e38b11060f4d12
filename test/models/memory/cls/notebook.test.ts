import { describe, expect, it } from 'vitest';
import { CounterRng, streamId } from '../../../../src/core/rng.ts';
import { InputError } from '../../../../src/core/errors.ts';
import { CLS_DEFAULTS, type NotebookParams } from '../../../../src/models/memory/cls/params.ts';
import { Notebook, kWinners } from '../../../../src/models/memory/cls/notebook.ts';
import { createTeacher, sampleData, type Dataset } from '../../../../src/models/memory/cls/teacher.ts';
import { IntegerNotebook, mean } from './reference.ts';

const NB = CLS_DEFAULTS.notebook;

function memories(p: number, seed: number, snr = Infinity): Dataset {
  return sampleData(createTeacher({ kind: 'linear', n: 100, snr }, seed), p, 'train');
}

/** Overlap of state s with pattern mu, from the pattern list. */
function overlap(nb: Notebook, s: Uint8Array, mu: number): number {
  let o = 0;
  for (let j = 0; j < nb.k; j++) o += s[nb.patterns[mu * nb.k + j]!]!;
  return o;
}

describe('Notebook encoding', () => {
  it('draws exactly M a distinct active units per pattern', () => {
    const nb = new Notebook(NB, memories(100, 1), 1);
    expect(nb.k).toBe(100);
    for (let mu = 0; mu < nb.p; mu++) {
      const units = new Set(Array.from(nb.patterns.subarray(mu * nb.k, mu * nb.k + nb.k)));
      expect(units.size).toBe(100);
      for (const u of units) expect(u >= 0 && u < 2000).toBe(true);
    }
  });

  it('stores the covariance rule W_ij = sum (xi_i - a)(xi_j - a) / (M a (1 - a)) - gamma / (M a), W_ii = 0', () => {
    const params: NotebookParams = { ...NB, m: 600 };
    const nb = new Notebook(params, memories(20, 2), 2);
    const a = 0.05;
    const pats = Array.from({ length: nb.p }, (_, mu) => nb.pattern(mu));
    const rng = new CounterRng(5);
    for (let t = 0; t < 300; t++) {
      const i = rng.int(600, 1, t, 0);
      const j = t < 20 ? i : rng.int(600, 1, t, 1);
      let sum = 0;
      for (const x of pats) sum += (x[i]! - a) * (x[j]! - a);
      const want = i === j ? 0 : sum / (600 * a * (1 - a)) - 0.6 / (600 * a);
      expect(nb.weights[i * 600 + j]).toBeCloseTo(want, 12);
    }
  });

  it('links map a stored index pattern to its (x, y) plus crosstalk sum_mu (xi^mu - a).xi^nu / (M a (1 - a)) (x^mu, y^mu)', () => {
    const mem = memories(30, 3);
    const nb = new Notebook({ ...NB, m: 1000 }, mem, 3);
    const x = new Float64Array(100);
    for (const nu of [0, 7, 29]) {
      nb.setState(nb.pattern(nu));
      const y = nb.readout(x);
      let wantY = 0;
      const wantX = new Float64Array(100);
      for (let mu = 0; mu < 30; mu++) {
        const g = (overlap(nb, nb.pattern(nu), mu) - 0.05 * nb.k) / (1000 * 0.05 * 0.95);
        wantY += g * mem.y[mu]!;
        for (let j = 0; j < 100; j++) wantX[j]! += g * mem.x[mu * 100 + j]!;
      }
      expect(y).toBeCloseTo(wantY, 12);
      for (let j = 0; j < 100; j++) expect(x[j]).toBeCloseTo(wantX[j]!, 12);
    }
  });

  it('rejects a coding level with non-integer M a, naming the field', () => {
    expect(() => new Notebook({ ...NB, m: 1001 }, memories(5, 1), 1)).toThrow(InputError);
    expect(() => new Notebook({ ...NB, m: 1001 }, memories(5, 1), 1)).toThrow('cls: /notebook/a');
  });
});

describe('Notebook dynamics against an exact dense reference', () => {
  // a = 1/20, gamma = 0.6, M = 600: the reference's fields are exact integers (reference.ts)
  const params: NotebookParams = { ...NB, m: 600 };
  const mem = memories(20, 4);

  it.each(['auto', 'incremental', 'recompute'] as const)('reactivation from random seeds ends in the same state (%s field updates)', (mode) => {
    const nb = new Notebook(params, mem, 4);
    nb.fieldUpdate = mode;
    const ref = new IntegerNotebook(nb.patterns, 600, 30, 20, params.u);
    const x = new Float64Array(100);
    let silent = 0;
    for (let slot = 0; slot < 12; slot++) {
      nb.seedRandom(7, slot);
      const seed = nb.state.slice();
      expect(seed.reduce((s, v) => s + v, 0)).toBe(30);
      const want = ref.run(seed, params.kwtaCycles, params.thresholdCycles);
      const r = nb.reactivate(7, slot, x);
      expect(Array.from(nb.state)).toEqual(Array.from(want));
      if (r.outcome === 'silent') silent++;
    }
    expect(silent).toBeLessThan(12);
  });

  it('kWTA from a corrupted stored pattern returns to it (and stored patterns are fixed points)', () => {
    const nb = new Notebook(NB, memories(100, 5), 5);
    const rng = new CounterRng(11);
    for (let mu = 0; mu < 100; mu += 5) {
      nb.setState(nb.pattern(mu));
      expect(nb.kwtaStep()).toBe(0); // fixed point
      expect(nb.thresholdStep()).toBe(0);
      // move 30% of the active units elsewhere
      const s = nb.pattern(mu);
      const on = Array.from(nb.patterns.subarray(mu * 100, mu * 100 + 100));
      let moved = 0;
      for (let d = 0; moved < 30; d++) {
        const j = rng.int(2000, 2, mu, d);
        if (s[j] === 0) {
          s[on[moved]!] = 0;
          s[j] = 1;
          moved++;
        }
      }
      nb.setState(s);
      nb.runKwta(9);
      expect(Array.from(nb.state)).toEqual(Array.from(nb.pattern(mu)));
    }
  });

  it('kWinners: exactly k winners, ties to the lowest index', () => {
    const h = Float64Array.from([1, 3, 3, 2, 3, 0]);
    const out = new Uint8Array(6);
    kWinners(h, 2, out);
    expect(Array.from(out)).toEqual([0, 1, 1, 0, 0, 0]);
    kWinners(h, 4, out);
    expect(Array.from(out)).toEqual([0, 1, 1, 1, 1, 0]);
  });
});

describe('Notebook retrieval at the published size (M = 2000, P = 100)', () => {
  it('reactivations from random seeds mostly end on stored patterns; reports the spurious and silent rates', () => {
    const nb = new Notebook(NB, memories(100, 6), 6);
    const x = new Float64Array(100);
    let stored = 0;
    let spurious = 0;
    let silent = 0;
    const n = 300;
    for (let slot = 0; slot < n; slot++) {
      nb.reactivate(1, slot, x);
      // classify independently from the pattern lists
      let active = 0;
      for (let i = 0; i < 2000; i++) active += nb.state[i]!;
      let best = 0;
      for (let mu = 0; mu < 100; mu++) best = Math.max(best, overlap(nb, nb.state, mu));
      const dist = active + 100 - 2 * best;
      if (active === 0) silent++;
      else if (dist <= 10) stored++;
      else spurious++;
    }
    console.log(`notebook M=2000 P=100, ${n} random seeds: stored ${stored}, spurious ${spurious}, silent ${silent}`);
    expect(stored / n).toBeGreaterThan(0.95);
  });

  it('memory error of the notebook is (P - 1)/(M - 1) = 0.0495 (go_cls.json) on average, and exactly the crosstalk of perfect retrieval per data set', () => {
    const errors: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const mem = memories(100, 100 + seed);
      const nb = new Notebook(NB, mem, seed);
      const r = nb.recallError(mem);
      expect(r.exact).toBe(100);
      // perfect retrieval of pattern nu reads out y^ = sum_mu y^mu (o_{nu mu} - a k) / (M a (1 - a))
      let want = 0;
      for (let nu = 0; nu < 100; nu++) {
        const s = nb.pattern(nu);
        let y = 0;
        for (let mu = 0; mu < 100; mu++) y += (mem.y[mu]! * (overlap(nb, s, mu) - 5)) / 95;
        want += (mem.y[nu]! - y) ** 2;
      }
      expect(r.error).toBeCloseTo(want / 100, 12);
      errors.push(r.error);
    }
    const m = mean(errors);
    console.log(`notebook memory error over 8 data sets: ${m.toFixed(4)} (reference (P-1)/(M-1) = ${(99 / 1999).toFixed(4)})`);
    // per data set the error is a mean of 100 squared crosstalks (relative sd ~ 0.2); 8 data sets: sd of the mean ~ 7%
    expect(Math.abs(m / (99 / 1999) - 1)).toBeLessThan(0.2);
  });

  it('recall from a cue away from every memory does not return its y (notebook generalization error near 2 Var y)', () => {
    const mem = memories(100, 9);
    const nb = new Notebook(NB, mem, 9);
    const test = sampleData(createTeacher({ kind: 'linear', n: 100, snr: Infinity }, 9), 200, 'test');
    const e = nb.recallError(test).error;
    expect(e).toBeGreaterThan(1);
    expect(e).toBeLessThan(3);
  });

  it('the reactivation seed is keyed by (epoch, slot) and reproducible', () => {
    const nb = new Notebook(NB, memories(100, 10), 10);
    nb.seedRandom(3, 4);
    const a = nb.state.slice();
    nb.seedRandom(3, 5);
    const b = nb.state.slice();
    nb.seedRandom(3, 4);
    expect(Array.from(nb.state)).toEqual(Array.from(a));
    expect(Array.from(b)).not.toEqual(Array.from(a));
    expect(streamId('cls:notebook:seed')).toBe(streamId('cls:notebook:seed'));
  });
});
