/**
 * The SDM notebook (sdm-notebook.ts) against the algebraic SDM of models/memory/sdm: BinarySdm (Kanerva's counters,
 * Hamming-radius or top-k activation, exact packed scan) and ActivitySdm (centred counters) on the notebook's own
 * addresses and index patterns, with the reads iterated from the definition (read, k winners, until a fixed point).
 * The SDM notebook computes the same reads in the pattern-based form, from the written locations' pattern lists.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.ts';
import { ActivitySdm, BinarySdm, packBits, wordsFor } from '../../../../src/models/memory/sdm/index.ts';
import { CLS_DEFAULTS, clsParams, type NotebookParams } from '../../../../src/models/memory/cls/params.ts';
import { kWinners, Notebook } from '../../../../src/models/memory/cls/notebook.ts';
import { SdmNotebook } from '../../../../src/models/memory/cls/sdm-notebook.ts';
import { computeReplaySchedule, runCls } from '../../../../src/models/memory/cls/run.ts';
import { createTeacher, sampleData, type Dataset } from '../../../../src/models/memory/cls/teacher.ts';

const NB = CLS_DEFAULTS.notebook;

function memories(p: number, seed: number, snr = Infinity): Dataset {
  return sampleData(createTeacher({ kind: 'linear', n: 100, snr }, seed), p, 'train');
}

/** BinarySdm on the notebook's addresses (c-unit sparse addresses as M-bit vectors), each index pattern written at itself. */
function algebraic(nb: SdmNotebook): BinarySdm {
  const words = wordsFor(nb.m);
  const packed = new Uint32Array(nb.h * words);
  const bits = new Uint8Array(nb.m);
  for (let j = 0; j < nb.h; j++) {
    bits.fill(0);
    for (let q = 0; q < nb.c; q++) bits[nb.addresses[j * nb.c + q]!] = 1;
    packBits(bits, packed, j * words);
  }
  // |s| = k, |addr| = c: |addr ∩ s| >= theta  <=>  Hamming distance <= k + c - 2 theta
  const activation = nb.threshold !== null ? { d: nb.k + nb.c - 2 * nb.threshold } : { topK: nb.topK! };
  const sdm = new BinarySdm({ n: nb.m, r: nb.h, ...activation, valueBits: nb.m, seed: 0, addresses: packed, counterBits: 32, kernel: 'js' });
  for (let mu = 0; mu < nb.p; mu++) sdm.write(nb.pattern(mu), nb.pattern(mu));
  return sdm;
}

/** ActivitySdm with centred counters on the locations BinarySdm activates (the covariance notebook's reference). */
function centred(nb: SdmNotebook, sdm: BinarySdm): ActivitySdm {
  const act = new ActivitySdm(nb.h, nb.m, true);
  for (let mu = 0; mu < nb.p; mu++) act.write({ cells: sdm.activeSet(nb.pattern(mu)) }, nb.pattern(mu));
  return act;
}

/** Counter sums of a read at s from the reference memories. */
function referenceSums(sdm: BinarySdm, act: ActivitySdm | null, s: Uint8Array): { sums: Float64Array; active: number } {
  const cells = sdm.activeSet(s);
  if (act) return { sums: act.sums({ cells }), active: cells.length };
  return { sums: Float64Array.from(sdm.read(s).sums), active: cells.length };
}

/** Iterated reads from the definition: s <- the k largest sums (silent when no location is active), to a fixed point. */
function referenceSettle(sdm: BinarySdm, act: ActivitySdm | null, k: number, seed: Uint8Array, cycles: number): { state: Uint8Array; changed: number } {
  let s = seed.slice();
  let changed = 0;
  for (let c = 0; c < cycles; c++) {
    const { sums, active } = referenceSums(sdm, act, s);
    const next = new Uint8Array(s.length);
    if (active > 0) kWinners(sums, k, next);
    let flips = 0;
    for (let i = 0; i < s.length; i++) flips += next[i]! ^ s[i]!;
    if (flips === 0) break;
    s = next;
    changed++;
    if (active === 0) break;
  }
  return { state: s, changed };
}

/** A k-unit state: pattern mu with `flip` of its units moved elsewhere (deterministic). */
function corrupted(nb: SdmNotebook, mu: number, flip: number): Uint8Array {
  const s = nb.pattern(mu);
  let moved = 0;
  for (let q = 0; q < nb.k && moved < flip; q += 3) {
    const off = nb.patterns[mu * nb.k + q]!;
    const on = (off * 7919 + 13) % nb.m;
    if (s[on] === 0) {
      s[off] = 0;
      s[on] = 1;
      moved++;
    }
  }
  return s;
}

const SDM_400: NotebookParams = { ...NB, kind: 'sdm', m: 400, locations: 3000, addressUnits: 4 };
const SMALL: NotebookParams = { ...SDM_400, threshold: 2 };

describe('SDM notebook against the algebraic SDM', () => {
  const variants: Array<[string, NotebookParams]> = [
    ['radius, plain counters', { ...SMALL, counters: 'plain' }],
    ['radius, covariance counters', { ...SMALL, counters: 'covariance' }],
    ['top-k, plain counters', { ...SDM_400, topK: 40, counters: 'plain' }],
    ['radius 3 of 4 (few active locations, silent states)', { ...SMALL, threshold: 3, counters: 'covariance' }],
    ['overloaded, 200 locations (spurious states, stored patterns that are not fixed points)', { ...SMALL, locations: 200, counters: 'covariance' }],
  ];
  for (const [name, params] of variants) {
    it(`${name}: the same active locations, counter sums and settled states`, () => {
      const mem = memories(40, 11);
      const nb = new SdmNotebook(params, mem, 11);
      const sdm = algebraic(nb);
      const act = params.counters === 'covariance' ? centred(nb, sdm) : null;
      const hop = new Notebook({ ...NB, m: 400 }, mem, 11); // its reactivation seeds are the SDM notebook's
      const states: Uint8Array[] = [];
      for (let mu = 0; mu < 40; mu += 7) states.push(nb.pattern(mu), corrupted(nb, mu, 6));
      for (let slot = 0; slot < 6; slot++) {
        hop.seedRandom(1, slot);
        states.push(hop.state.slice());
      }
      for (const s of states) {
        expect(Array.from(nb.activeLocations(s))).toEqual(Array.from(sdm.activeSet(s)));
        const want = referenceSums(sdm, act, s).sums;
        const got = nb.sums(s);
        for (let i = 0; i < nb.m; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want[i]!)));
      }
      // Reactivations: the Hopfield notebook's seed, then reads to a fixed point, as the definition iterates them.
      const outcomes = { stored: 0, spurious: 0, silent: 0 };
      for (let e = 1; e <= 2; e++)
        for (let slot = 0; slot < 40; slot++) {
          hop.seedRandom(e, slot);
          const ref = referenceSettle(sdm, act, nb.k, hop.state, params.kwtaCycles);
          const r = nb.settle(e, slot);
          outcomes[r.outcome]++;
          expect(Array.from(nb.state)).toEqual(Array.from(ref.state));
          expect(r.kwtaCycles).toBe(ref.changed);
        }
      // Recall from the stored x: the cue's k largest units, then reads.
      for (let mu = 0; mu < 40; mu += 5) {
        const x = mem.x.subarray(mu * 100, mu * 100 + 100);
        const start = new Uint8Array(nb.m);
        kWinners(hop.cue(x), nb.k, start);
        const ref = referenceSettle(sdm, act, nb.k, start, params.kwtaCycles);
        nb.recall(x);
        expect(Array.from(nb.state)).toEqual(Array.from(ref.state));
      }
      console.log(`${name}: reactivations ${JSON.stringify(outcomes)}`);
      if (params.threshold === 3) expect(outcomes.silent).toBeGreaterThan(0);
      if (params.locations === 200) {
        expect(outcomes.spurious).toBeGreaterThan(0);
        expect(nb.recallError(mem).exact).toBeLessThan(40);
      }
    });
  }
});

describe('SDM notebook encoding and recall', () => {
  it('shares the Hopfield notebook encoding: index patterns, links and pattern readouts, number for number', () => {
    const mem = memories(30, 4);
    const hop = new Notebook({ ...NB, m: 600 }, mem, 4);
    const sdm = new SdmNotebook({ ...SMALL, m: 600 }, mem, 4);
    expect(Array.from(sdm.patterns)).toEqual(Array.from(hop.patterns));
    expect(Array.from(sdm.unitPtr)).toEqual(Array.from(hop.unitPtr));
    expect(Array.from(sdm.unitPatterns)).toEqual(Array.from(hop.unitPatterns));
    expect(Array.from(sdm.linkX)).toEqual(Array.from(hop.linkX));
    expect(Array.from(sdm.linkY)).toEqual(Array.from(hop.linkY));
    expect(Array.from(sdm.patternX)).toEqual(Array.from(hop.patternX));
    expect(Array.from(sdm.patternY)).toEqual(Array.from(hop.patternY));
    expect(sdm.norm).toBe(hop.norm);
  });

  it('at M 2000, P 100 recalls every memory exactly: its memory error is the links crosstalk (P - 1)/(M - 1)', () => {
    const mem = memories(100, 2);
    const sdm = new SdmNotebook({ ...NB, kind: 'sdm' }, mem, 2);
    const hop = new Notebook(NB, mem, 2);
    const r = sdm.recallError(mem);
    const h = hop.recallError(mem);
    console.log(`M 2000, P 100: SDM recall error ${r.error.toFixed(4)}, exact ${r.exact}; Hopfield ${h.error.toFixed(4)}, exact ${h.exact}`);
    expect(r.exact).toBe(100);
    // Exact recall reads out through the shared links: the Hopfield notebook's error when it recalls exactly too.
    if (h.exact === 100) expect(Math.abs(r.error - h.error)).toBeLessThan(1e-12);
    // Sun et al., Supplementary: (P - 1)/(M - 1) = 0.0495 in expectation; one data set of P = 100 varies by about 15%.
    expect(r.error).toBeGreaterThan(0.03);
    expect(r.error).toBeLessThan(0.07);
  });

  it('is reproducible from its seed, and another seed draws other addresses', () => {
    const mem = memories(40, 6);
    const a = new SdmNotebook(SMALL, mem, 6);
    const b = new SdmNotebook(SMALL, mem, 6);
    const c = new SdmNotebook(SMALL, mem, 7);
    expect(Array.from(b.addresses)).toEqual(Array.from(a.addresses));
    expect(Array.from(c.addresses)).not.toEqual(Array.from(a.addresses));
    for (let slot = 0; slot < 40; slot++) {
      expect(b.settle(3, slot)).toEqual(a.settle(3, slot));
      expect(Array.from(b.state)).toEqual(Array.from(a.state));
    }
    const params = clsParams({ teacher: { kind: 'linear', n: 100, snr: 4 }, p: 40, notebook: SMALL, student: { epochs: 15 } });
    const r1 = runCls(params, 6);
    const r2 = runCls(params, 6, { kind: 'unregulated' }, undefined, { schedule: computeReplaySchedule(params, 6) });
    expect(Array.from(r2.curves.student_train)).toEqual(Array.from(r1.curves.student_train));
    expect(r2.curves.notebook_train).toBe(r1.curves.notebook_train);
    expect(r2.reactivations).toEqual(r1.reactivations);
  });

  it('refuses bad SDM parameters with the field named', () => {
    const mem = memories(5, 1);
    const bad: Array<[Partial<NotebookParams>, string]> = [
      [{ kind: 'sdm', locations: 0 }, 'cls: /notebook/locations'],
      [{ kind: 'sdm', addressUnits: 401 }, 'cls: /notebook/addressUnits'],
      [{ kind: 'sdm', threshold: 5 }, 'cls: /notebook/threshold'],
      [{ kind: 'sdm', topK: 10, threshold: 2 }, 'cls: /notebook/topK'],
      [{ kind: 'sdm', counters: 'hebb' as 'plain' }, 'cls: /notebook/counters'],
      [{ locations: 100 }, 'cls: /notebook/locations'],
      [{ kind: 'tree' as 'sdm' }, 'cls: /notebook/kind'],
    ];
    for (const [over, where] of bad) {
      expect(() => clsParams({ notebook: { ...over, m: 400 } })).toThrow(InputError);
      expect(() => clsParams({ notebook: { ...over, m: 400 } })).toThrow(where);
    }
    expect(() => new SdmNotebook({ ...SMALL, threshold: 0 }, mem, 1)).toThrow('cls: /notebook/threshold');
  });
});
