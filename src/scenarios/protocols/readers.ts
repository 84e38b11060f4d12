/**
 * The same memories read six ways, for the SDM-versus-attention comparison (Bricken & Pehlevan 2021): softmax
 * attention with the fitted beta, pattern-based SDM with exact circle-intersection weights, neuron-based SDM with r
 * hard locations (the algebraic BinarySdm), the spiking cerebellar circuit, a classic Hopfield network and a modern
 * (iterated softmax) Hopfield network. Each read is scored against the true value (bit accuracy, cosine of the
 * bipolar vectors) and against the other readers (fraction of equal bits).
 *
 * Two comparisons. At the circuit's radius d (the SNR-optimal radius for its r hard locations and m patterns) every
 * reader runs, attention and modern Hopfield at beta fitted for d. At the SNR-optimal radius of pattern-based SDM,
 * where every one of the 2^n addresses is a neuron (Bricken & Pehlevan's setting: d = 11, beta = 15.85 for n = 64,
 * m = 1024), the readers that depend on beta or d (attention, pattern SDM, modern Hopfield) read again.
 *
 * Every reader runs in a regime where it works, and the regime is reported (`regimes`): classic Hopfield stores only
 * the first floor(0.138 N) patterns (Amit, Gutfreund & Sompolinsky 1985) and reads queries made from their keys;
 * modern Hopfield iterates only where m <= 1 + e^beta / cosh(beta/n)^n (models/memory/readers/modern-hopfield.ts),
 * else it reads once (the attention read). The settings left out (classic Hopfield at all m patterns, modern
 * Hopfield iterated beyond that bound) are measured at the lowest query noise and reported beside them, to say why.
 */
import { CounterRng, streamId } from '../../core/rng.ts';
import {
  attentionReport,
  DEFAULT_RETRIEVAL_PROBABILITY,
  fitBeta,
  intersectionTable,
  logBallFractions,
  logMemoryCapacity,
  optimalRadii,
  retrievalZScore,
} from '../../analysis/sdm-theory/index.ts';
import {
  attentionMemory,
  attentionRead,
  bipolarUnit,
  bipolarUnitRows,
  cosine,
  HOPFIELD_CRITICAL_LOAD,
  hopfieldCapacity,
  hopfieldHeteroRead,
  hopfieldReadBits,
  hopfieldStore,
  modernHopfieldCapacity,
  modernHopfieldRead,
  type HopfieldNetwork,
} from '../../models/memory/readers/index.ts';
import { PatternStore } from '../../models/memory/sdm/patterns.ts';

export const READERS = ['attention', 'sdm_pattern', 'sdm_neuron', 'spiking', 'hopfield_classic', 'hopfield_modern'] as const;
export type Reader = (typeof READERS)[number];
/** The readers that depend on beta or the radius, read again at the SNR-optimal radius. */
export const SNR_OPTIMAL_READERS = ['attention', 'sdm_pattern', 'hopfield_modern'] as const satisfies readonly Reader[];
/** The circuit's radius, or the SNR-optimal radius of pattern-based SDM over all 2^n addresses. */
export type ComparisonId = 'circuit_radius' | 'snr_optimal_radius';

export interface ReadCase {
  readonly level: number;
  /** Index of the stored pattern the query was made from. */
  readonly pattern: number;
  readonly query: Uint8Array;
  readonly truth: Uint8Array;
  /** Bits read by the spiking circuit and by the neuron-based algebraic SDM. */
  readonly spiking: Uint8Array | null;
  readonly neuron: Uint8Array | null;
}

/** One comparison's table with its legend names and the line under the figure's title. */
export interface ComparisonTable {
  readonly radius: number;
  readonly beta: number;
  readonly rows: Array<Record<string, number | string>>;
  /** The bit-accuracy columns, one per reader (the figure's curves). */
  readonly columns: string[];
  /** Column -> legend name. */
  readonly labels: Record<string, string>;
  /** What departs from the plain reading (readers on fewer patterns, one step instead of several), for the figure. */
  readonly note: string;
}

export interface ReaderComparison {
  /** beta at the circuit's radius. */
  readonly beta: number;
  /** At the circuit's radius: every reader. */
  readonly rows: Array<Record<string, number | string>>;
  readonly labels: Record<string, string>;
  readonly note: string;
  /** At the SNR-optimal radius over all 2^n addresses (null where no beta can be fitted there, d < 2). */
  readonly snrOptimal: ComparisonTable | null;
  /** Pairwise agreement of readers of the same queries, per comparison and noise level. */
  readonly agreement: Array<Record<string, number | string>>;
  /** Per comparison and reader: the regime it ran in (or, not shown, the one it cannot work in) and why. */
  readonly regimes: Array<Record<string, number | string>>;
  readonly summary: Record<string, unknown>;
}

export interface CompareOptions {
  /** beta at the circuit's radius (default: the published-convention fit for n and d). */
  readonly beta?: number | undefined;
  /** Softmax evaluations of the modern Hopfield reader where it is within its capacity. */
  readonly hopfieldSteps: number;
  readonly association: 'auto' | 'hetero';
  /** Hard locations of the neuron-based SDM and the circuit (granule cells). */
  readonly hardLocations: number;
}

interface Setting {
  readonly id: ComparisonId;
  readonly d: number;
  readonly beta: number;
  readonly betaSource: string;
  readonly weights: Float64Array;
  /** Memory capacity of pattern SDM at d over all 2^n addresses. */
  readonly sdmCapacity: number;
  readonly modernCapacity: number;
  readonly modernSteps: number;
}

const BASIS_SDM = "Kanerva's signal-to-noise model: the most patterns read whole with probability 0.5 at an exact cue";
const BASIS_CLASSIC = 'floor(0.138 N), Amit, Gutfreund & Sompolinsky 1985';
const BASIS_MODERN = 'm_max = 1 + e^beta / cosh(beta/n)^n: the stored pattern keeps half of the softmax weight at an exact cue';

/** A count for text: grouped digits below 10^6, else 2 significant digits in exponent form. */
function count(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x < 1e6 ? Math.floor(x).toLocaleString('en-US') : x.toExponential(1).replace('e+', 'e');
}

const fixed2 = (x: number) => x.toFixed(2);

export function compareReaders(keys: readonly Uint8Array[], values: readonly Uint8Array[], cases: readonly ReadCase[], n: number, d: number, seed: number, opts: CompareOptions): ReaderComparison {
  const m = keys.length;
  const w = values[0]!.length;
  const r = opts.hardLocations;
  const hetero = opts.association === 'hetero';
  const flat = (xs: readonly Uint8Array[], width: number) => {
    const out = new Uint8Array(xs.length * width);
    xs.forEach((x, p) => out.set(x, p * width));
    return out;
  };
  const memory = attentionMemory(bipolarUnitRows(flat(keys, n), m, n), bipolarUnitRows(flat(values, w), m, w));
  const store = new PatternStore(n, w);
  keys.forEach((k, p) => store.add(k, values[p]!));

  // Capacities in Kanerva's SNR model (analysis/sdm-theory/optimal.ts), whole pattern with probability 0.5.
  const logFractions = logBallFractions(n);
  const z = retrievalZScore(n, DEFAULT_RETRIEVAL_PROBABILITY);
  const sdmCapacity = (radius: number, lnR: number) => Math.exp(logMemoryCapacity(logFractions[radius]!, lnR, z));
  const lnAll = n * Math.LN2;
  const setting = (id: ComparisonId, radius: number, beta: number, betaSource: string): Setting => {
    const modernCapacity = modernHopfieldCapacity(beta, n);
    return {
      id,
      d: radius,
      beta,
      betaSource,
      weights: Float64Array.from(intersectionTable(n, radius), (x) => Number(x)),
      sdmCapacity: sdmCapacity(radius, lnAll),
      modernCapacity,
      modernSteps: m <= modernCapacity ? opts.hopfieldSteps : 1,
    };
  };
  const circuit = setting('circuit_radius', d, opts.beta ?? fitBeta(n, d).published, opts.beta === undefined ? `the published-convention fit of ln I(${n}, ${d}, dv)` : 'given in the scenario');
  const optimal = optimalRadii(n, 'all', m).snr;
  const snr = optimal.beta === null ? null : setting('snr_optimal_radius', optimal.d, optimal.beta, `the published-convention fit of ln I(${n}, ${optimal.d}, dv)`);
  const settings = snr ? [circuit, snr] : [circuit];
  const neuronOptimal = optimalRadii(n, r, m).snr.d;

  // Classic Hopfield within its capacity: the first floor(0.138 N) patterns, queries made from their keys with the
  // same flipped positions as the query of the case.
  const N = hetero ? n + w : n;
  const classicCapacity = hopfieldCapacity(N);
  const classicStored = Math.max(1, Math.min(m, classicCapacity));
  const hebbian = (patterns: number): HopfieldNetwork =>
    hetero ? hopfieldStore(flat(keys.slice(0, patterns).map((k, p) => Uint8Array.from([...k, ...values[p]!])), N), N) : hopfieldStore(flat(keys.slice(0, patterns), n), n);
  const classic = hebbian(classicStored);
  const classicFull = classicStored < m ? hebbian(m) : null;
  const rng = new CounterRng(seed);
  const hopStream = streamId('readers:hopfield');
  const classicRead = (net: HopfieldNetwork, query: Uint8Array, idx: number) => {
    const o = { mode: 'async' as const, rng, stream: hopStream, index: idx };
    return hetero ? hopfieldHeteroRead(net, query, o).bits : hopfieldReadBits(net, query, o).bits;
  };
  const classicCase = (c: ReadCase): { query: Uint8Array; truth: Uint8Array } => {
    const p = c.pattern % classicStored;
    if (p === c.pattern) return { query: c.query, truth: c.truth };
    const from = keys[c.pattern]!;
    const to = keys[p]!;
    return { query: Uint8Array.from(c.query, (b, i) => b ^ from[i]! ^ to[i]!), truth: values[p]! };
  };

  const levels = [...new Set(cases.map((c) => c.level))].sort((a, b) => a - b);
  const lowest = levels[0];
  type Score = { correct: number; bits: number; cos: number; count: number };
  const acc = new Map<string, Score>();
  const agree = new Map<string, { same: number; bits: number }>();
  const score = (key: string, bits: Uint8Array, vector: Float64Array, truth: Uint8Array) => {
    const a = acc.get(key) ?? { correct: 0, bits: 0, cos: 0, count: 0 };
    for (let i = 0; i < w; i++) if (bits[i] === truth[i]) a.correct++;
    a.bits += w;
    a.cos += cosine(vector, bipolarUnit(truth));
    a.count++;
    acc.set(key, a);
  };
  cases.forEach((c, idx) => {
    const q = bipolarUnit(c.query);
    const cc = classicCase(c);
    const hb = classicRead(classic, cc.query, idx);
    if (classicFull && c.level === lowest) {
      const fb = classicRead(classicFull, c.query, idx);
      score('circuit_radius|forced|hopfield_classic', fb, bipolarUnit(fb), c.truth);
    }
    for (const s of settings) {
      // Readers of this case's query (agreement is counted among them).
      const reads = new Map<Reader, { bits: Uint8Array; vector: Float64Array }>();
      const att = attentionRead(memory, q, s.beta);
      reads.set('attention', { bits: att.bits, vector: att.vector });
      const pat = store.read(c.query, s.weights).bits;
      reads.set('sdm_pattern', { bits: pat, vector: bipolarUnit(pat) });
      if (s.id === 'circuit_radius') {
        if (c.neuron) reads.set('sdm_neuron', { bits: c.neuron, vector: bipolarUnit(c.neuron) });
        if (c.spiking) reads.set('spiking', { bits: c.spiking, vector: bipolarUnit(c.spiking) });
        // With fewer patterns stored, classic Hopfield reads other queries: scored, not compared bit by bit.
        if (classicFull) score(`${s.id}|${c.level}|hopfield_classic`, hb, bipolarUnit(hb), cc.truth);
        else reads.set('hopfield_classic', { bits: hb, vector: bipolarUnit(hb) });
      }
      const mod = modernHopfieldRead(memory, q, s.beta, { maxSteps: s.modernSteps });
      reads.set('hopfield_modern', { bits: mod.bits, vector: mod.vector });
      for (const [name, x] of reads) score(`${s.id}|${c.level}|${name}`, x.bits, x.vector, c.truth);
      const names = [...reads.keys()];
      for (let a = 0; a < names.length; a++)
        for (let b = a + 1; b < names.length; b++) {
          const key = `${s.id}|${c.level}|${names[a]}|${names[b]}`;
          const g = agree.get(key) ?? { same: 0, bits: 0 };
          const ba = reads.get(names[a]!)!.bits;
          const bb = reads.get(names[b]!)!.bits;
          for (let i = 0; i < w; i++) if (ba[i] === bb[i]) g.same++;
          g.bits += w;
          agree.set(key, g);
        }
      // Out of its regime, measured at the lowest noise only: the modern reader iterated as asked.
      if (c.level === lowest && s.modernSteps !== opts.hopfieldSteps) {
        const forced = modernHopfieldRead(memory, q, s.beta, { maxSteps: opts.hopfieldSteps });
        score(`${s.id}|forced|hopfield_modern`, forced.bits, forced.vector, c.truth);
      }
    }
  });
  const accuracy = (key: string) => {
    const a = acc.get(key);
    return a ? a.correct / a.bits : NaN;
  };

  const tableOf = (s: Setting, readers: readonly Reader[]) =>
    levels.map((level) => {
      const row: Record<string, number | string> = { noise_bits: level };
      for (const name of readers) {
        const a = acc.get(`${s.id}|${level}|${name}`);
        if (!a) continue;
        row[`${name}_bit_accuracy`] = a.correct / a.bits;
        row[`${name}_cosine`] = a.cos / a.count;
      }
      return row;
    });
  const classicLabel = classicStored < m ? `classic Hopfield (first ${classicStored} patterns)` : 'classic Hopfield';
  const labelsOf = (s: Setting, readers: readonly Reader[]): Record<string, string> => {
    const names: Record<Reader, string> = {
      attention: `softmax attention (beta ${fixed2(s.beta)})`,
      sdm_pattern: `pattern SDM (d ${s.d})`,
      sdm_neuron: `neuron SDM, algebraic (d ${s.d})`,
      spiking: `spiking circuit (d ${s.d})`,
      hopfield_classic: classicLabel,
      hopfield_modern: `modern Hopfield (beta ${fixed2(s.beta)}, ${s.modernSteps} ${s.modernSteps === 1 ? 'step' : 'steps'})`,
    };
    return Object.fromEntries(readers.flatMap((x) => [[`${x}_bit_accuracy`, names[x]], [`${x}_cosine`, `${names[x]} (cosine)`]]));
  };
  const noteOf = (s: Setting, withClassic: boolean) =>
    [
      ...(withClassic && classicStored < m ? [`classic Hopfield: first ${classicStored} of ${count(m)} patterns (capacity 0.138 N)`] : []),
      s.modernSteps !== opts.hopfieldSteps
        ? `modern Hopfield: 1 step (${opts.hopfieldSteps} need m <= ${count(s.modernCapacity)})`
        : `modern Hopfield: ${s.modernSteps} steps (m <= ${count(s.modernCapacity)})`,
    ].join('; ');

  // Regimes: one row per comparison and reader, plus the settings left out, with what they give.
  const regimes: Array<Record<string, number | string>> = [];
  const regime = (s: Setting, reader: Reader, shown: boolean, fields: { beta?: number; steps?: number; patterns: number; capacity: number; basis: string; regime: string; accuracyKey?: string }) => {
    const inRegime = fields.patterns <= fields.capacity;
    regimes.push({
      comparison: s.id,
      reader,
      shown: shown ? 'yes' : 'no: out of its regime, measured to show why',
      radius: s.d,
      beta: fields.beta ?? '',
      steps: fields.steps ?? '',
      patterns: fields.patterns,
      capacity: Number.isFinite(fields.capacity) ? Math.floor(fields.capacity) : String(fields.capacity),
      capacity_basis: fields.basis,
      in_regime: inRegime ? 'yes' : 'no',
      noise_bits: lowest ?? '',
      bit_accuracy: accuracy(fields.accuracyKey ?? `${s.id}|${lowest}|${reader}`),
      regime: fields.regime,
    });
  };
  const within = (patterns: number, capacity: number) => (patterns <= capacity ? `${count(patterns)} stored, within it` : `${count(patterns)} stored, beyond it`);
  for (const s of settings) {
    regime(s, 'attention', true, {
      beta: s.beta,
      steps: 1,
      patterns: m,
      capacity: s.sdmCapacity,
      basis: `${BASIS_SDM}, pattern SDM at d = ${s.d}`,
      regime: `one softmax read at beta ${fixed2(s.beta)} (${s.betaSource}); it approximates pattern SDM at d = ${s.d}, whose capacity over all 2^${n} addresses is ${count(s.sdmCapacity)} patterns: ${within(m, s.sdmCapacity)}`,
    });
    regime(s, 'sdm_pattern', true, {
      patterns: m,
      capacity: s.sdmCapacity,
      basis: BASIS_SDM,
      regime: `every stored pattern votes with weight I(${n}, ${s.d}, dv), the addresses within ${s.d} bits of both its key and the query, over all 2^${n} addresses; capacity ${count(s.sdmCapacity)} patterns: ${within(m, s.sdmCapacity)}`,
    });
    if (s.id === 'circuit_radius') {
      const cap = sdmCapacity(s.d, Math.log(r));
      const optimalNote = neuronOptimal === s.d ? `the SNR-optimal radius for ${count(r)} locations and ${count(m)} patterns` : `the SNR-optimal radius for ${count(r)} locations and ${count(m)} patterns is ${neuronOptimal}`;
      regime(s, 'sdm_neuron', true, {
        patterns: m,
        capacity: cap,
        basis: `${BASIS_SDM}, r = ${r}`,
        regime: `${count(r)} hard locations at d = ${s.d} (${optimalNote}); capacity ${count(cap)} patterns: ${within(m, cap)}`,
      });
      regime(s, 'spiking', true, {
        patterns: m,
        capacity: cap,
        basis: `${BASIS_SDM}, r = ${r}`,
        regime: `the Kanerva-mode circuit: its granule cells are the neuron SDM's ${count(r)} hard locations (the read equals it where algebraic_agreement is 1); capacity ${count(cap)} patterns: ${within(m, cap)}`,
      });
      const load = HOPFIELD_CRITICAL_LOAD * N;
      const units = hetero ? `N = ${n} + ${w} units ([key; value], the key clamped, the value settling from unknown)` : `N = ${n} units`;
      regime(s, 'hopfield_classic', true, {
        patterns: classicStored,
        capacity: classicCapacity,
        basis: BASIS_CLASSIC,
        regime:
          classicStored < m
            ? `Hebbian network of ${units}, asynchronous updates to a fixed point; capacity 0.138 N = ${load.toFixed(1)} patterns, so it stores the first ${classicStored} of the ${count(m)} patterns and reads queries made from their keys with each case's flipped positions`
            : `Hebbian network of ${units}, asynchronous updates to a fixed point; capacity 0.138 N = ${load.toFixed(1)} patterns: ${within(m, classicCapacity)}`,
      });
      if (classicFull)
        regime(s, 'hopfield_classic', false, {
          patterns: m,
          capacity: classicCapacity,
          basis: BASIS_CLASSIC,
          accuracyKey: 'circuit_radius|forced|hopfield_classic',
          regime: `all ${count(m)} patterns in ${N} units is a load of ${(m / N).toFixed(2)}, ${(m / load).toFixed(0)} times the critical load 0.138: the stored patterns are not fixed points and recall ends in spurious states`,
        });
    }
    const iterated = s.modernSteps > 1;
    regime(s, 'hopfield_modern', true, {
      beta: s.beta,
      steps: s.modernSteps,
      patterns: m,
      capacity: iterated ? s.modernCapacity : s.sdmCapacity,
      basis: iterated ? BASIS_MODERN : `one step is attention's read: ${BASIS_SDM}, pattern SDM at d = ${s.d}`,
      regime: iterated
        ? `${s.modernSteps} softmax evaluations (${s.modernSteps - 1} updates xi <- K^T softmax(beta K xi), then the value read) at beta ${fixed2(s.beta)}; iterated retrieval holds up to m_max = ${count(s.modernCapacity)} patterns: ${within(m, s.modernCapacity)}`
        : s.modernSteps === opts.hopfieldSteps
          ? `one softmax read at beta ${fixed2(s.beta)}, as asked: the attention read`
          : `one softmax read at beta ${fixed2(s.beta)} (the attention read): iterated updates need m <= m_max = ${count(s.modernCapacity)} patterns at this beta, and ${count(m)} are stored`,
    });
    if (s.modernSteps !== opts.hopfieldSteps)
      regime(s, 'hopfield_modern', false, {
        beta: s.beta,
        steps: opts.hopfieldSteps,
        patterns: m,
        capacity: s.modernCapacity,
        basis: BASIS_MODERN,
        accuracyKey: `${s.id}|forced|hopfield_modern`,
        regime: `${opts.hopfieldSteps} softmax evaluations at beta ${fixed2(s.beta)} with ${count(m)} patterns, ${(m / s.modernCapacity).toFixed(1)} times m_max: the stored pattern gets about ${(100 / (1 + (m - 1) / (s.modernCapacity - 1))).toFixed(0)}% of the weight, the state falls towards the fixed point averaging all patterns and reads nearly every query alike`,
      });
  }

  const agreement: Array<Record<string, number | string>> = [];
  for (const [key, g] of agree) {
    const [id, level, a, b] = key.split('|');
    const s = settings.find((x) => x.id === id)!;
    agreement.push({ comparison: id!, radius: s.d, beta: s.beta, noise_bits: Number(level), reader_a: a!, reader_b: b!, agreement: g.same / g.bits });
  }
  const pair = (id: ComparisonId, level: number, a: Reader, b: Reader) =>
    agreement.find((x) => x.comparison === id && x.noise_bits === level && ((x.reader_a === a && x.reader_b === b) || (x.reader_a === b && x.reader_b === a)))?.agreement as number | undefined;
  const closeness = (s: Setting) => {
    const attVsSdm = levels.map((l) => pair(s.id, l, 'attention', 'sdm_pattern') ?? NaN);
    // Where they agree closely (>= 99% of bits) and where they stop agreeing.
    const close = levels.filter((_, i) => attVsSdm[i]! >= 0.99);
    const firstApart = levels.find((_, i) => attVsSdm[i]! < 0.99);
    const what = `softmax attention (beta ${fixed2(s.beta)}) and pattern-based SDM (d = ${s.d})`;
    const verdict =
      close.length === 0
        ? `${what} agree on fewer than 99% of bits at every noise level tested`
        : `${what} agree on >= 99% of bits for cues up to ${Math.max(...close)} flipped bits` +
          (firstApart !== undefined ? `; at ${firstApart} flipped bits agreement falls to ${(100 * attVsSdm[levels.indexOf(firstApart)]!).toFixed(1)}%` : '');
    const theory = attentionReport({ n, d: s.d, m });
    return {
      attVsSdm,
      upTo: close.length ? Math.max(...close) : null,
      firstApart: firstApart ?? null,
      verdict,
      theory: {
        kl_divergence_sdm_softmax: theory.kl_divergence,
        max_abs_weight_difference: theory.max_abs_weight_difference,
        exponential_approximation_breaks_down_at_dv: theory.breakdown,
      },
    };
  };
  const curve = (id: ComparisonId, reader: Reader) => levels.map((l) => accuracy(`${id}|${l}|${reader}`));
  const main = closeness(circuit);
  const summary: Record<string, unknown> = {
    beta: circuit.beta,
    theory: main.theory,
    beta_convention: opts.beta === undefined ? 'published (fitted for n and d)' : 'given',
    attention_vs_sdm_pattern_agreement: main.attVsSdm,
    attention_vs_spiking_agreement: levels.map((l) => pair('circuit_radius', l, 'attention', 'spiking') ?? null),
    spiking_vs_sdm_neuron_agreement: levels.map((l) => pair('circuit_radius', l, 'spiking', 'sdm_neuron') ?? null),
    agree_closely_up_to_noise_bits: main.upTo,
    first_noise_bits_below_99_percent_agreement: main.firstApart,
    verdict: main.verdict,
    attention_bit_accuracy: curve('circuit_radius', 'attention'),
    sdm_pattern_bit_accuracy: curve('circuit_radius', 'sdm_pattern'),
    sdm_neuron_bit_accuracy: curve('circuit_radius', 'sdm_neuron'),
    hopfield_classic_bit_accuracy: curve('circuit_radius', 'hopfield_classic'),
    hopfield_modern_bit_accuracy: curve('circuit_radius', 'hopfield_modern'),
    hopfield_classic_patterns: classicStored,
    hopfield_modern_steps: circuit.modernSteps,
  };
  if (snr) {
    const o = closeness(snr);
    Object.assign(summary, {
      snr_optimal_radius: snr.d,
      snr_optimal_beta: snr.beta,
      snr_optimal_setting: `pattern-based SDM over all 2^${n} addresses with m = ${count(m)}: p* = (2 m 2^${n})^(-1/3) = ${optimal.targetProbability.toExponential(2)}, nearest radius ${snr.d} (Bricken & Pehlevan 2021)`,
      snr_optimal_theory: o.theory,
      snr_optimal_attention_vs_sdm_pattern_agreement: o.attVsSdm,
      snr_optimal_agree_closely_up_to_noise_bits: o.upTo,
      snr_optimal_verdict: o.verdict,
      snr_optimal_attention_bit_accuracy: curve('snr_optimal_radius', 'attention'),
      snr_optimal_sdm_pattern_bit_accuracy: curve('snr_optimal_radius', 'sdm_pattern'),
      snr_optimal_hopfield_modern_bit_accuracy: curve('snr_optimal_radius', 'hopfield_modern'),
      snr_optimal_hopfield_modern_steps: snr.modernSteps,
    });
  }
  summary.reader_regimes = regimes;
  const outOf = regimes.filter((x) => x.shown !== 'yes');
  summary.readers_out_of_regime = outOf.length
    ? outOf.map((x) => `${String(x.reader)} at ${x.comparison === 'circuit_radius' ? `d = ${d}` : `d = ${x.radius}`}, ${x.patterns} patterns${x.steps === '' ? '' : `, ${x.steps} steps`}: ${(x.bit_accuracy as number).toFixed(3)} at ${lowest} flipped bits, not shown (${String(x.regime)})`).join('. ')
    : 'none: every reader ran within its capacity';

  return {
    beta: circuit.beta,
    rows: tableOf(circuit, READERS),
    labels: labelsOf(circuit, READERS),
    note: noteOf(circuit, true),
    snrOptimal: snr ? { radius: snr.d, beta: snr.beta, rows: tableOf(snr, SNR_OPTIMAL_READERS), columns: SNR_OPTIMAL_READERS.map((x) => `${x}_bit_accuracy`), labels: labelsOf(snr, SNR_OPTIMAL_READERS), note: noteOf(snr, false) } : null,
    agreement,
    regimes,
    summary,
  };
}
