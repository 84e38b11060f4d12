/**
 * The same memories read six ways, for the SDM-versus-attention comparison (Bricken & Pehlevan 2021): softmax
 * attention with the fitted beta, pattern-based SDM with exact circle-intersection weights, neuron-based SDM with r
 * hard locations (the algebraic BinarySdm), the spiking cerebellar circuit, a classic Hopfield network and a modern
 * (iterated softmax) Hopfield network. Each read is scored against the true value (bit accuracy, cosine of the
 * bipolar vectors) and against the other readers (fraction of equal bits).
 */
import { CounterRng, streamId } from '../../core/rng.ts';
import { attentionReport, fitBeta, intersectionTable } from '../../analysis/sdm-theory/index.ts';
import {
  attentionMemory,
  attentionRead,
  bipolarUnit,
  bipolarUnitRows,
  cosine,
  hopfieldHeteroRead,
  hopfieldReadBits,
  hopfieldStore,
  modernHopfieldRead,
} from '../../models/memory/readers/index.ts';
import { PatternStore } from '../../models/memory/sdm/patterns.ts';

export const READERS = ['attention', 'sdm_pattern', 'sdm_neuron', 'spiking', 'hopfield_classic', 'hopfield_modern'] as const;
export type Reader = (typeof READERS)[number];

export interface ReadCase {
  readonly level: number;
  readonly query: Uint8Array;
  readonly truth: Uint8Array;
  /** Bits read by the spiking circuit and by the neuron-based algebraic SDM. */
  readonly spiking: Uint8Array | null;
  readonly neuron: Uint8Array | null;
}

export interface ReaderComparison {
  readonly beta: number;
  readonly rows: Array<Record<string, number | string>>;
  readonly agreement: Array<Record<string, number | string>>;
  readonly summary: Record<string, unknown>;
}

export function compareReaders(
  keys: readonly Uint8Array[],
  values: readonly Uint8Array[],
  cases: readonly ReadCase[],
  n: number,
  d: number,
  seed: number,
  opts: { beta?: number | undefined; hopfieldSteps: number; association: 'auto' | 'hetero' },
): ReaderComparison {
  const beta = opts.beta ?? fitBeta(n, d).published;
  const m = keys.length;
  const w = values[0]!.length;
  const flat = (xs: readonly Uint8Array[], width: number) => {
    const out = new Uint8Array(xs.length * width);
    xs.forEach((x, p) => out.set(x, p * width));
    return out;
  };
  const memory = attentionMemory(bipolarUnitRows(flat(keys, n), m, n), bipolarUnitRows(flat(values, w), m, w));
  const weights = Float64Array.from(intersectionTable(n, d), (x) => Number(x));
  const store = new PatternStore(n, values[0]!.length);
  keys.forEach((k, p) => store.add(k, values[p]!));
  const hetero = opts.association === 'hetero';
  const hop = hetero ? hopfieldStore(flat(keys.map((k, p) => Uint8Array.from([...k, ...values[p]!])), n + w), n + w) : hopfieldStore(flat(keys, n), n);
  const rng = new CounterRng(seed);
  const hopStream = streamId('readers:hopfield');

  const levels = [...new Set(cases.map((c) => c.level))].sort((a, b) => a - b);
  const acc = new Map<string, { bits: number; correct: number; cos: number; count: number }>();
  const agree = new Map<string, { same: number; bits: number }>();
  cases.forEach((c, idx) => {
    const q = bipolarUnit(c.query);
    const reads = new Map<Reader, { bits: Uint8Array; vector: Float64Array }>();
    const att = attentionRead(memory, q, beta);
    reads.set('attention', { bits: att.bits, vector: att.vector });
    const pat = store.read(c.query, weights).bits;
    reads.set('sdm_pattern', { bits: pat, vector: bipolarUnit(pat) });
    if (c.neuron) reads.set('sdm_neuron', { bits: c.neuron, vector: bipolarUnit(c.neuron) });
    if (c.spiking) reads.set('spiking', { bits: c.spiking, vector: bipolarUnit(c.spiking) });
    const recallOpts = { mode: 'async' as const, rng, stream: hopStream, index: idx };
    const hb = hetero ? hopfieldHeteroRead(hop, c.query, recallOpts).bits : hopfieldReadBits(hop, c.query, recallOpts).bits;
    reads.set('hopfield_classic', { bits: hb, vector: bipolarUnit(hb) });
    const mod = modernHopfieldRead(memory, q, beta, { maxSteps: opts.hopfieldSteps });
    reads.set('hopfield_modern', { bits: mod.bits, vector: mod.vector });
    const truth = bipolarUnit(c.truth);
    for (const [name, r] of reads) {
      const key = `${c.level}|${name}`;
      const a = acc.get(key) ?? { bits: 0, correct: 0, cos: 0, count: 0 };
      for (let i = 0; i < w; i++) if (r.bits[i] === c.truth[i]) a.correct++;
      a.bits += w;
      a.cos += cosine(r.vector, truth);
      a.count++;
      acc.set(key, a);
    }
    const names = [...reads.keys()];
    for (let x = 0; x < names.length; x++)
      for (let y = x + 1; y < names.length; y++) {
        const key = `${c.level}|${names[x]}|${names[y]}`;
        const g = agree.get(key) ?? { same: 0, bits: 0 };
        const bx = reads.get(names[x]!)!.bits;
        const by = reads.get(names[y]!)!.bits;
        for (let i = 0; i < w; i++) if (bx[i] === by[i]) g.same++;
        g.bits += w;
        agree.set(key, g);
      }
  });

  const table: Array<Record<string, number | string>> = [];
  for (const level of levels) {
    const row: Record<string, number | string> = { noise_bits: level };
    for (const r of READERS) {
      const a = acc.get(`${level}|${r}`);
      if (!a) continue;
      row[`${r}_bit_accuracy`] = a.correct / a.bits;
      row[`${r}_cosine`] = a.cos / a.count;
    }
    table.push(row);
  }
  const agreement: Array<Record<string, number | string>> = [];
  for (const [key, g] of agree) {
    const [level, a, b] = key.split('|');
    agreement.push({ noise_bits: Number(level), reader_a: a!, reader_b: b!, agreement: g.same / g.bits });
  }
  const pair = (level: number, a: Reader, b: Reader) => agreement.find((x) => x.noise_bits === level && ((x.reader_a === a && x.reader_b === b) || (x.reader_a === b && x.reader_b === a)))?.agreement as number | undefined;
  const attVsSdm = levels.map((l) => pair(l, 'attention', 'sdm_pattern') ?? NaN);
  // Where they agree closely (>= 99% of bits) and where they stop agreeing.
  const close = levels.filter((_, i) => attVsSdm[i]! >= 0.99);
  const firstApart = levels.find((_, i) => attVsSdm[i]! < 0.99);
  const theory = attentionReport({ n, d, m: keys.length });
  const summary = {
    beta,
    theory: {
      kl_divergence_sdm_softmax: theory.kl_divergence,
      max_abs_weight_difference: theory.max_abs_weight_difference,
      exponential_approximation_breaks_down_at_dv: theory.breakdown,
    },
    beta_convention: opts.beta === undefined ? 'published (fitted for n and d)' : 'given',
    attention_vs_sdm_pattern_agreement: attVsSdm,
    attention_vs_spiking_agreement: levels.map((l) => pair(l, 'attention', 'spiking') ?? null),
    spiking_vs_sdm_neuron_agreement: levels.map((l) => pair(l, 'spiking', 'sdm_neuron') ?? null),
    agree_closely_up_to_noise_bits: close.length ? Math.max(...close) : null,
    first_noise_bits_below_99_percent_agreement: firstApart ?? null,
    verdict:
      close.length === 0
        ? `softmax attention (beta ${beta.toFixed(2)}) and pattern-based SDM agree on fewer than 99% of bits at every noise level tested`
        : `softmax attention (beta ${beta.toFixed(2)}) and pattern-based SDM agree on >= 99% of bits for cues up to ${Math.max(...close)} flipped bits` +
          (firstApart !== undefined ? `; at ${firstApart} flipped bits agreement falls to ${(100 * attVsSdm[levels.indexOf(firstApart)]!).toFixed(1)}%` : ''),
  };
  return { beta, rows: table, agreement, summary };
}
