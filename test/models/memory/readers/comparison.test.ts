/**
 * The six-reader comparison (src/scenarios/protocols/readers.ts) runs every reader where it works, says so, and reads
 * again at Bricken & Pehlevan's SNR-optimal radius. Checked against references independent of the code: the
 * published radius and beta (test/fixtures/reference/sdm_attention.json), the circle intersection and beta fit
 * written here from their definitions, the replica-symmetric retrieval overlap of the Hebbian network (Amit,
 * Gutfreund & Sompolinsky 1985, solved here), and the modern Hopfield iteration and the pattern-SDM vote written
 * out naively from their definitions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyBits, makePatternSet, makeQueries, valueBitsOf } from '../../../../src/models/memory/readers/patterns.ts';
import { compareReaders, READERS, type ReadCase, type ReaderComparison } from '../../../../src/scenarios/protocols/readers.ts';
import { agsOverlap, naiveBitAttention, naiveHamming } from './helpers.ts';

const ref = JSON.parse(readFileSync(new URL('../../../fixtures/reference/sdm_attention.json', import.meta.url), 'utf8'));
/** Critical load of the Hebbian network, AGS 1985 (Phys. Rev. Lett. 55:1530). */
const AGS_CRITICAL_LOAD = 0.138;

const n = 64;
const m = 1024;
const d = 21; // the circuit's radius (circuits/cerebellum-attention.yaml)
const cuesPerLevel = 16;
const levels = [0, 8];

function setup(association: 'auto' | 'hetero') {
  const set = makePatternSet({ m, n, association, seed: 5 });
  const keys = Array.from({ length: m }, (_, p) => keyBits(set, p).slice());
  const values = Array.from({ length: m }, (_, p) => valueBitsOf(set, p).slice());
  const cases: ReadCase[] = levels.flatMap((k) => {
    const qs = makeQueries(set, k, { count: cuesPerLevel });
    return Array.from({ length: cuesPerLevel }, (_, q) => ({
      level: k,
      pattern: qs.targets[q]!,
      query: qs.bits.slice(q * n, (q + 1) * n),
      truth: values[qs.targets[q]!]!,
      spiking: null,
      neuron: null,
    }));
  });
  const cmp = compareReaders(keys, values, cases, n, d, 1, { hopfieldSteps: 3, association, hardLocations: 20000 });
  return { keys, values, cases, cmp };
}

const runs = { auto: setup('auto'), hetero: setup('hetero') };

type Row = Record<string, number | string>;
const regime = (cmp: ReaderComparison, comparison: string, reader: string, shown: boolean): Row => {
  const rows = cmp.regimes.filter((r) => r.comparison === comparison && r.reader === reader && (r.shown === 'yes') === shown);
  expect(rows).toHaveLength(1);
  return rows[0]!;
};
const accuracyAt = (rows: Row[], level: number, reader: string) => rows.find((r) => r.noise_bits === level)![`${reader}_bit_accuracy`] as number;

// ---- independent references ----

function binomial(a: number, b: number): bigint {
  if (b < 0 || b > a) return 0n;
  let r = 1n;
  for (let i = 0; i < b; i++) r = (r * BigInt(a - i)) / BigInt(i + 1);
  return r;
}

/** Points within distance d of both of two centres dv apart: i of the dv differing bits and j of the others flipped. */
function intersection(nn: number, dd: number, dv: number): bigint {
  let s = 0n;
  for (let i = 0; i <= dv; i++) for (let j = 0; j <= nn - dv; j++) if (i + j <= dd && dv - i + j <= dd) s += binomial(dv, i) * binomial(nn - dv, j);
  return s;
}

/** The published-convention fit: cov(x, y) with ddof 1 over var(x) with ddof 0, x = 1 - 2 dv / n, y = ln I, dv < d. */
function publishedBeta(nn: number, dd: number): number {
  const x = Array.from({ length: dd }, (_, dv) => 1 - (2 * dv) / nn);
  const y = Array.from({ length: dd }, (_, dv) => Math.log(Number(intersection(nn, dd, dv))));
  const mx = x.reduce((a, b) => a + b) / dd;
  const my = y.reduce((a, b) => a + b) / dd;
  const cov = x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0) / (dd - 1);
  const varx = x.reduce((s, xi) => s + (xi - mx) ** 2, 0) / dd;
  return cov / varx;
}

/** Modern Hopfield from its definition: xi <- sum_p softmax(beta <k_p, xi>) k_p, steps - 1 times; then read the values. */
function naiveModern(keys: Uint8Array[], values: Uint8Array[], query: Uint8Array, beta: number, steps: number): number[] {
  const unit = (b: Uint8Array) => Array.from(b, (x) => (2 * x - 1) / Math.sqrt(b.length));
  const K = keys.map(unit);
  const V = values.map(unit);
  const weights = (xi: number[]) => {
    const s = K.map((k) => beta * k.reduce((a, x, i) => a + x * xi[i]!, 0));
    const top = Math.max(...s);
    const e = s.map((x) => Math.exp(x - top));
    const z = e.reduce((a, b) => a + b);
    return e.map((x) => x / z);
  };
  let xi = unit(query);
  for (let t = 1; t < steps; t++) {
    const a = weights(xi);
    xi = xi.map((_, i) => K.reduce((s, k, p) => s + a[p]! * k[i]!, 0));
  }
  const a = weights(xi);
  return V[0]!.map((_, j) => V.reduce((s, v, p) => s + a[p]! * v[j]!, 0));
}

const accuracyOf = (reads: number[][], cases: readonly ReadCase[]) => {
  let ok = 0;
  reads.forEach((x, c) => x.forEach((v, j) => (ok += (v > 0 ? 1 : 0) === cases[c]!.truth[j] ? 1 : 0)));
  return ok / (reads.length * reads[0]!.length);
};

describe('classic Hopfield runs within its capacity (Amit, Gutfreund & Sompolinsky 1985)', () => {
  it.each(['auto', 'hetero'] as const)('%s: it stores floor(0.138 N) patterns and recalls them as AGS predicts; all 1024 in N units cannot work', (association) => {
    const { cmp } = runs[association];
    const N = association === 'auto' ? n : 2 * n;
    const stored = Math.floor(AGS_CRITICAL_LOAD * N); // 8 of 64 units, 17 of 128
    // retrieval state at load P/N: (1 + overlap) / 2 of the bits right (0.995 at 8/64, 0.992 at 17/128); a finite
    // network of 64 or 128 units fluctuates around it
    const predicted = (1 + agsOverlap(stored / N)) / 2;
    expect(predicted).toBeGreaterThan(0.99);
    expect(accuracyAt(cmp.rows, 0, 'hopfield_classic')).toBeGreaterThanOrEqual(predicted - 0.01);
    const shown = regime(cmp, 'circuit_radius', 'hopfield_classic', true);
    expect(shown.patterns).toBe(stored);
    expect(shown.in_regime).toBe('yes');
    expect(cmp.summary.hopfield_classic_bit_accuracy).toEqual(cmp.rows.map((r) => r.hopfield_classic_bit_accuracy));
    // All m patterns, 16 (auto) or 8 (hetero) times the units: reported out of regime with what it gives. Far above
    // the critical load there is no retrieval state; one update from a stored pattern already leaves
    // Phi(-1/sqrt(alpha)) of the bits wrong, 40% at alpha = 16.
    const full = regime(cmp, 'circuit_radius', 'hopfield_classic', false);
    expect(full).toMatchObject({ patterns: m, in_regime: 'no' });
    expect(full.bit_accuracy as number).toBeLessThan(0.7);
    expect(full.regime).toMatch(/critical load 0\.138/);
  });
});

describe('modern Hopfield iterates only where the stored pattern dominates the softmax', () => {
  it.each(['auto', 'hetero'] as const)('%s: at the circuit beta (4.86) 3 steps collapse to chance, so it reads once; at beta 15.85 3 steps retrieve', (association) => {
    const { keys, values, cases, cmp } = runs[association];
    const exact = cases.filter((c) => c.level === 0);
    const betaCircuit = cmp.beta;
    // Independent: 3 naive steps at beta 4.86 read about half the bits right (the fixed point averaging all patterns)
    const collapsed = accuracyOf(exact.map((c) => naiveModern(keys, values, c.query, betaCircuit, 3)), exact);
    expect(collapsed).toBeLessThan(0.6);
    // What is shown: one step, the attention read (naive attention from Hamming distances)
    const once = accuracyOf(
      exact.map((c) => naiveBitAttention(keys.map((k) => [...k]), values.map((v) => [...v]), [...c.query], betaCircuit).vector),
      exact,
    );
    expect(once).toBeGreaterThan(0.99);
    expect(accuracyAt(cmp.rows, 0, 'hopfield_modern')).toBeCloseTo(once, 3);
    const shown = regime(cmp, 'circuit_radius', 'hopfield_modern', true);
    expect(shown).toMatchObject({ steps: 1, in_regime: 'yes' });
    const forced = regime(cmp, 'circuit_radius', 'hopfield_modern', false);
    expect(forced).toMatchObject({ steps: 3, in_regime: 'no', patterns: m });
    expect(forced.bit_accuracy as number).toBeCloseTo(collapsed, 2);
    // At the SNR-optimal beta the same 3 steps retrieve every bit
    const betaSnr = ref.beta_fit['n=64,d=11'].published as number;
    const iterated = accuracyOf(exact.map((c) => naiveModern(keys, values, c.query, betaSnr, 3)), exact);
    expect(iterated).toBe(1);
    expect(regime(cmp, 'snr_optimal_radius', 'hopfield_modern', true)).toMatchObject({ steps: 3, in_regime: 'yes' });
    expect(accuracyAt(cmp.snrOptimal!.rows, 0, 'hopfield_modern')).toBe(iterated);
  });
});

describe('the comparison at both betas', () => {
  it("the circuit's radius uses the fit for d = 21, recomputed here from the circle intersection (4.861)", () => {
    const beta21 = publishedBeta(n, 21);
    expect(publishedBeta(n, 11)).toBeCloseTo(ref.beta_fit['n=64,d=11'].published, 5); // the reference itself
    expect(beta21).toBeCloseTo(4.861, 3);
    expect(runs.auto.cmp.beta).toBeCloseTo(beta21, 9);
    expect(regime(runs.auto.cmp, 'circuit_radius', 'attention', true).beta as number).toBeCloseTo(beta21, 9);
  });

  it.each(['auto', 'hetero'] as const)("%s: Bricken & Pehlevan's SNR-optimal radius (d = 11, beta 15.85): pattern SDM and attention equal their naive reads", (association) => {
    const { keys, values, cases, cmp } = runs[association];
    const setting = ref.optimal_radius_n64_attention_setting;
    expect(setting.setting).toMatch(/m=1024/);
    expect(cmp.summary.snr_optimal_radius).toBe(setting.signal_to_noise_optimal_d);
    expect(cmp.summary.snr_optimal_beta as number).toBeCloseTo(ref.beta_fit['n=64,d=11'].published, 6);
    const snr = cmp.snrOptimal!;
    expect(snr.radius).toBe(11);
    // pattern SDM: every stored pattern votes with the published circle intersection I(64, 11, dv), exact sums
    const table = ref.circle_intersection['n=64,d=11'] as Record<string, string>;
    const I = (dv: number) => BigInt(table[String(dv)] ?? '0');
    const beta = ref.beta_fit['n=64,d=11'].published as number;
    for (const level of levels) {
      const at = cases.filter((c) => c.level === level);
      const sdm = at.map((c) => {
        const s = new Array<bigint>(values[0]!.length).fill(0n);
        keys.forEach((k, p) => {
          const wt = I(naiveHamming(k, c.query));
          values[p]!.forEach((b, j) => (s[j]! += b === 1 ? wt : -wt));
        });
        return s.map((x) => (x > 0n ? 1 : -1));
      });
      const att = at.map((c) => naiveBitAttention(keys.map((k) => [...k]), values.map((v) => [...v]), [...c.query], beta).vector);
      const bits = at.length * values[0]!.length;
      expect(Math.abs(accuracyAt(snr.rows, level, 'sdm_pattern') - accuracyOf(sdm, at))).toBeLessThanOrEqual(1 / bits);
      expect(Math.abs(accuracyAt(snr.rows, level, 'attention') - accuracyOf(att, at))).toBeLessThanOrEqual(1 / bits);
    }
    // Bricken & Pehlevan's point: at this beta attention reads like SDM; both recall every bit from 8 flipped bits
    expect(accuracyAt(snr.rows, 8, 'sdm_pattern')).toBe(1);
    expect((cmp.summary.snr_optimal_attention_vs_sdm_pattern_agreement as number[])[1]).toBeGreaterThanOrEqual(0.99);
  });
});

describe('regimes and legends', () => {
  it('every reader states its regime (beta, steps, patterns, capacity), and the figures name readers, not columns', () => {
    const { cmp } = runs.auto;
    const shownHere = cmp.regimes.filter((r) => r.shown === 'yes' && r.comparison === 'circuit_radius').map((r) => r.reader);
    expect(shownHere.sort()).toEqual([...READERS].sort());
    for (const r of cmp.regimes) {
      expect(r.in_regime).toBe(r.shown === 'yes' ? 'yes' : 'no');
      expect(typeof r.capacity === 'number' || r.capacity === 'Infinity').toBe(true);
      expect(String(r.regime).length).toBeGreaterThan(20);
    }
    expect(cmp.summary.reader_regimes).toBe(cmp.regimes);
    expect(cmp.summary.readers_out_of_regime).toMatch(/hopfield_classic.*hopfield_modern/);
    for (const t of [cmp, cmp.snrOptimal!]) {
      for (const [col, label] of Object.entries(t.labels)) {
        expect(label).not.toContain('_');
        expect(label).not.toBe(col);
      }
    }
    expect(cmp.labels.spiking_bit_accuracy).toMatch(/spiking circuit/);
    expect(cmp.labels.hopfield_classic_bit_accuracy).toMatch(/first 8 patterns/);
    expect(cmp.note).toMatch(/first 8 of 1,024 patterns/);
  });
});

// the queries of a case are reproducible from the pattern set (guards the setup above)
it('cases are the stored keys with exactly k flipped bits', () => {
  const { keys, cases } = runs.auto;
  for (const c of cases) expect(naiveHamming(c.query, keys[c.pattern]!)).toBe(c.level);
});
