/**
 * The SDM presentation protocol for cerebellar circuits (circuits with an `sdm` section): writes present an address
 * on the mossy fibres and, `cf_latency_ticks` later, the value's 1-bits on the climbing fibres, inside a plasticity
 * write window; reads present an address alone and decode the deep-nuclear spikes `read_latency_ticks` later (a
 * spike is a recalled 1). Every presentation also goes to the algebraic SDM (models/memory/sdm) with the same hard
 * locations, so each read bit and each granule active set can be compared with the exact reference.
 *
 * Tasks: `recall` (m patterns, cues with k flipped bits: bit accuracy against k), `capacity` (recall of everything
 * stored as the load grows: the load where accuracy falls below 99%), `convergence` (iterative reads, the recalled
 * value fed back as the next address inside the simulation: convergence against cue noise, critical distance).
 *
 * Write rules (`write_rule`): `counter` writes every bit of every pattern once (Kanerva's counters, Hebbian). `error`
 * (perceptron-like; Brunel, Hakim, Isope, Nadal & Barbour 2004) presents the stored set up to `write_epochs` times in
 * order, stopping after a pass with no wrong bit: each pattern is first read through the circuit, and when the nuclei
 * have answered (onRecall) its write is scheduled with plasticity only at the Purkinje cells whose bit was read wrong,
 * a climbing-fibre spike for those whose target is 1 (LTD) and none for those whose target is 0 (LTP); a pattern
 * read without error is not written. The algebraic references do the same (BinarySdm.writeError in Kanerva mode, on
 * their own reads; ActivitySdm.writeError on the circuit's codes otherwise), and counters written once per pattern on
 * the circuit's codes give the counter rule's accuracy in the same run (docs/DECISIONS.md 47).
 */
import { InputError } from '../../core/errors.ts';
import { CounterRng, streamId } from '../../core/rng.ts';
import { ballFraction, predictedBitAccuracy } from '../../analysis/sdm-theory/index.ts';
import type { Simulator } from '../../engine/simulator.ts';
import { ActivitySdm } from '../../models/memory/sdm/activity.ts';
import { BinarySdm } from '../../models/memory/sdm/binary.ts';
import { flipBits, hammingBits, randomBits, wrongBits } from '../../models/memory/sdm/bits.ts';
import type { CircuitFile } from '../../circuits/schema.ts';
import type { Network } from '../../network/network.ts';
import type { SdmProtocol } from '../schema.ts';
import type { LineSeries, WindowRaster } from '../../recording/plots.ts';
import { READERS, compareReaders } from './readers.ts';

type SdmSection = NonNullable<CircuitFile['sdm']>;

export interface ProtocolRun {
  /** Ticks the protocol needs (the run's duration). */
  readonly ticks: number;
  /** Results after the run (scenario-specific part of summary.json) and tables to write as CSV. */
  finish(): {
    results: Record<string, unknown>;
    tables: Record<string, Array<Record<string, number | string>>>;
    /** How to plot a table: its x column and y columns. */
    charts?: Record<string, Omit<LineSeries, 'rows'>>;
    /** Rasters of short stretches of the run (spiking mode: one write and one read). */
    rasters?: Record<string, WindowRaster>;
  };
}

interface Presentation {
  readonly tick: number;
  readonly address: Uint8Array;
  readonly kind: 'write' | 'read';
  /** Bits recalled by the circuit (filled when the nuclei answer). */
  recalled?: Uint8Array;
  /** Granule cells that spiked in the granule window (sorted) and their spike counts. */
  granule?: Uint32Array;
  granuleCounts?: Uint16Array;
  /** Nuclear spikes seen so far in the read window (the recall in the making). */
  nuclear?: Uint8Array;
  /** Spiking mode: Purkinje simple spikes of each cell in the read window. */
  purkinjeSpikes?: Uint16Array;
  onRecall?: (bits: Uint8Array) => void;
  /** Error writes: the read that precedes a write (its pattern). */
  training?: { readonly pattern: number };
}

/** Where, relative to a presentation's onset (ticks), the circuit's answers are read. */
interface Timing {
  /** Granule spikes in [granuleFrom, granuleTo) make the granule code. */
  readonly granuleFrom: number;
  readonly granuleTo: number;
  /** Nuclear spikes in [readFrom, readTo) are the recalled 1s. */
  readonly readFrom: number;
  readonly readTo: number;
  /** Ticks of the mossy spikes of one presentation, relative to the onset. */
  readonly mossyTicks: readonly number[];
  /** Tick of a write's teaching spikes, relative to the onset. */
  readonly teacherTick: number;
  /** Ticks of spontaneous activity before the first presentation. */
  readonly restTicks: number;
}

function timingOf(sdmSec: SdmSection, dt: number, where: string): Timing {
  const ticks = (ms: number) => Math.round(ms / dt);
  if (sdmSec.mode !== 'spiking') {
    const need = (v: number | undefined, field: string) => {
      if (v === undefined) throw new InputError(`${where}/${field}`, `a whole number of ticks in ${sdmSec.mode} mode`);
      return v;
    };
    const read = need(sdmSec.read_latency_ticks, 'read_latency_ticks');
    const g = sdmSec.granule_latency_ticks;
    return { granuleFrom: g, granuleTo: g + 1, readFrom: read, readTo: read + 1, mossyTicks: [0], teacherTick: need(sdmSec.cf_latency_ticks, 'cf_latency_ticks'), restTicks: 0 };
  }
  const { burst, granule_window_ms: gw, read_window_ms: rw, cf_delay_ms: cf } = sdmSec;
  if (!burst || !gw || !rw || cf === undefined) throw new InputError(where, 'burst, granule_window_ms, read_window_ms and cf_delay_ms in spiking mode');
  const window = (w: [number, number], field: string) => {
    const [a, b] = [ticks(w[0]), ticks(w[1])];
    if (!(a >= 0 && b > a)) throw new InputError(`${where}/${field}`, `[from, to] with 0 <= from < to (ms), got [${w.join(', ')}]`);
    return [a, b] as const;
  };
  const [granuleFrom, granuleTo] = window(gw, 'granule_window_ms');
  const [readFrom, readTo] = window(rw, 'read_window_ms');
  const step = ticks(burst.interval_ms);
  if (step < 1) throw new InputError(`${where}/burst/interval_ms`, `at least one tick (${dt} ms)`);
  return {
    granuleFrom,
    granuleTo,
    readFrom,
    readTo,
    mossyTicks: Array.from({ length: burst.spikes }, (_, i) => i * step),
    teacherTick: ticks(cf),
    restTicks: ticks(sdmSec.rest_ms ?? 0),
  };
}

/** `where` names the scenario file and `circuitFile` the circuit's, for error messages. */
export function startSdmProtocol(proto: SdmProtocol, sim: Simulator, network: Network, circuit: CircuitFile, seed: number, where: string, circuitFile = circuit.name): ProtocolRun {
  const sdmSec: SdmSection | undefined = circuit.sdm;
  if (!sdmSec) throw new InputError(`${where}: /protocol`, `a circuit with an 'sdm' section (roles of its populations), got circuit '${circuit.name}'`);
  const n = sdmSec.address_bits;
  const valueBits = sdmSec.value_bits;
  if (proto.association === 'auto' && valueBits !== n)
    throw new InputError(`${where}: /protocol/association`, `hetero for circuit '${circuit.name}' (value_bits ${valueBits} != address_bits ${n})`);
  if (proto.task === 'convergence' && proto.association !== 'auto') throw new InputError(`${where}: /protocol/association`, "auto for the convergence task (the read is fed back as the address)");
  const granule = network.population(sdmSec.granule)!;
  const r = granule.size;
  const dt = network.dtMs;
  const spacing = Math.round(proto.spacing_ms / dt);
  const timing = timingOf(sdmSec, dt, `${circuitFile}: /sdm`);
  const span = Math.max(timing.readTo, timing.granuleTo, timing.teacherTick + 1, (timing.mossyTicks.at(-1) ?? 0) + 1);
  if (spacing < span)
    throw new InputError(`${where}: /protocol/spacing_ms`, `at least the presentation's span (${span} ticks = ${+(span * dt).toFixed(6)} ms: its windows and burst)`);
  for (const k of proto.noise_bits) if (k > n) throw new InputError(`${where}: /protocol/noise_bits`, `at most ${n} flipped bits, got ${k}`);

  const ruleSpec = circuit.plasticity.find((p) => (p.name ?? `${p.rule}:${p.projection}`) === sdmSec.plasticity);
  if (ruleSpec && ruleSpec.rule !== 'cf_gated')
    throw new InputError(`${circuitFile}: /sdm/plasticity`, `a cf_gated rule (the SDM protocol opens and closes its write windows), got the ${ruleSpec.rule} rule '${sdmSec.plasticity}'`);
  const centered = ruleSpec?.rule === 'cf_gated' && ruleSpec.normalize === true;
  const errorWrites = proto.write_rule === 'error';
  if (errorWrites && proto.task === 'attention')
    throw new InputError(`${where}: /protocol/write_rule`, "counter for the attention task (its readers are compared on memories written once per pattern), got 'error'");
  const rng = new CounterRng(seed);
  const keyStream = streamId('sdm:keys');
  const valueStream = streamId('sdm:values');
  const cueStream = streamId('sdm:cues');
  const mode = sdmSec.mode;
  const reference =
    mode === 'kanerva'
      ? new BinarySdm({ n, r, d: sdmSec.radius ?? 0, valueBits, seed, counterBits: 32, tie: 'zero' })
      : null;

  const maxPatterns = proto.task === 'capacity' ? Math.max(...proto.loads) : proto.patterns;
  const keys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  for (let p = 0; p < maxPatterns; p++) {
    const key = randomBits(rng, n, keyStream, p);
    keys.push(key);
    values.push(proto.association === 'auto' ? key : randomBits(rng, valueBits, valueStream, p));
  }

  const presentations: Presentation[] = [];
  /** The presentation whose granule (read) window holds a tick. */
  const granuleOwner = new Map<number, Presentation>();
  const readOwner = new Map<number, Presentation>();
  const readEnd = new Map<number, Presentation>();
  const restStart = sim.tick + 1;
  let t = restStart + timing.restTicks;
  const firstOnset = t;
  const mossyOf = (x: Uint8Array) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) idx.push(x[i] === 1 ? i : n + i);
    return idx;
  };
  /** `plastic`: an error write's gate (the bits read wrong); `training`: the read before an error write. */
  const present = (address: Uint8Array, kind: 'write' | 'read', value?: Uint8Array, at = t, extra: { plastic?: Uint8Array; training?: { pattern: number } } = {}): Presentation => {
    const pr: Presentation = { tick: at, address, kind, ...(extra.training ? { training: extra.training } : {}) };
    if (sdmSec.mode === 'spiking' && !extra.training && ![...zoom.keys()].some((z) => z.kind === kind)) zoom.set(pr, []);
    const fibres = mossyOf(address);
    for (const dtick of timing.mossyTicks) sim.injectSpikes(sdmSec.mossy, at + dtick, fibres);
    if (kind === 'write') {
      const ones: number[] = [];
      for (let k = 0; k < valueBits; k++) if (value![k] === 1 && (!extra.plastic || extra.plastic[k] === 1)) ones.push(k);
      sim.injectSpikes(sdmSec.olive, at + timing.teacherTick, ones);
      sim.plasticityWindow(sdmSec.plasticity, at, at + spacing - 1, extra.plastic);
      // Error writes: the reference trains on its own reads (train below).
      if (!extra.plastic) reference?.write(address, value!);
      writeValue.set(pr, { value: value!, ...(extra.plastic ? { plastic: extra.plastic } : {}) });
    }
    presentations.push(pr);
    sim.at(at, () => sim.emitEvent({ tick: at, kind: kind, id: presentations.indexOf(pr) }));
    for (let q = timing.granuleFrom; q < timing.granuleTo; q++) granuleOwner.set(at + q, pr);
    if (kind === 'read') {
      for (let q = timing.readFrom; q < timing.readTo; q++) readOwner.set(at + q, pr);
      readEnd.set(at + timing.readTo - 1, pr);
      pr.nuclear = new Uint8Array(valueBits);
      if (purkinje) pr.purkinjeSpikes = new Uint16Array(valueBits);
    }
    if (at === t) t += spacing;
    return pr;
  };

  // Decoding: granule spikes in the granule window (the code, with counts), nuclear spikes in the read window (the
  // 1-bits); in spiking mode also the Purkinje simple spikes of each read and every population's spikes at rest.
  const dcn = network.population(sdmSec.dcn)!;
  const purkinje = sdmSec.mode === 'spiking' ? network.population(sdmSec.purkinje)! : null;
  const granuleCounts = new Map<Presentation, Map<number, number>>();
  const restSpikes = new Map<string, number>();
  // Spiking mode: every spike of the first rows of each population around the first write and the first read.
  const zoomRows: Record<string, number> = { [sdmSec.mossy]: 64, [sdmSec.granule]: 600, [sdmSec.purkinje]: 32, [sdmSec.dcn]: 32 };
  const zoom = new Map<Presentation, Array<{ t_ms: number; population: string; row: number }>>();
  const zoomBefore = Math.round(40 / dt);
  const zoomed = (tick: number): Presentation | undefined => {
    for (const [pr] of zoom) if (tick >= pr.tick - zoomBefore && tick < pr.tick + spacing) return pr;
    return undefined;
  };
  sim.onSpikes((tick, pop, idx) => {
    if (zoom.size) {
      const pr = zoomed(tick);
      if (pr) {
        const rows = zoomRows[pop.name] ?? 32;
        const list = zoom.get(pr)!;
        for (const j of idx) if (j < rows) list.push({ t_ms: +((tick - pr.tick) * dt).toFixed(6), population: pop.name, row: j });
      }
    }
    if (tick < firstOnset) {
      restSpikes.set(pop.name, (restSpikes.get(pop.name) ?? 0) + idx.length);
      return;
    }
    if (pop === granule) {
      const pr = granuleOwner.get(tick);
      if (!pr) return;
      let counts = granuleCounts.get(pr);
      if (!counts) granuleCounts.set(pr, (counts = new Map()));
      for (const j of idx) counts.set(j, (counts.get(j) ?? 0) + 1);
    } else if (pop === dcn) {
      const pr = readOwner.get(tick);
      if (pr) for (const k of idx) pr.nuclear![k] = 1;
    } else if (pop === purkinje) {
      const pr = readOwner.get(tick);
      if (pr) for (const k of idx) pr.purkinjeSpikes![k]!++;
    }
  });
  sim.onTickEnd((tick) => {
    const coded = granuleOwner.get(tick);
    if (coded && tick === coded.tick + timing.granuleTo - 1) {
      const counts = granuleCounts.get(coded) ?? new Map<number, number>();
      granuleCounts.delete(coded);
      const cells = Uint32Array.from(counts.keys()).sort();
      coded.granule = cells;
      coded.granuleCounts = Uint16Array.from(cells, (j) => counts.get(j)!);
    }
    const pr = readEnd.get(tick);
    if (!pr) return;
    pr.recalled = pr.nuclear!;
    let ones = 0;
    for (const b of pr.recalled) ones += b;
    sim.emitEvent({ tick, kind: 'recall', id: presentations.indexOf(pr), data: { ones } });
    pr.onRecall?.(pr.recalled);
  });

  interface ReadRecord {
    level: number;
    pattern: number;
    step: number;
    pr: Presentation;
    truth: Uint8Array;
    algebraic: Uint8Array | null;
    /** Error writes: counters written once per pattern on the circuit's codes (the counter rule, same run). */
    counter?: Uint8Array;
  }
  const reads: ReadRecord[] = [];
  const readAlgebraic = (x: Uint8Array) => (reference ? reference.read(x).bits : null);
  /** Biological mode: the same counters written and read on the circuit's own granule sets (checks the readout). */
  const writeValue = new Map<Presentation, { value: Uint8Array; plastic?: Uint8Array }>();
  /** Error writes: the reads before writes (with the reference's read of the same pass and pattern, when it made one). */
  const trainingReads: Array<{ pr: Presentation; algebraic: Uint8Array | null }> = [];
  /** Error writes, per training batch (one per load in the capacity task): passes the circuit made, its wrong bits per pass. */
  const epochsRun: number[] = [];
  const wrongPerEpoch: number[][] = [];
  /** Kanerva mode: passes the algebraic reference made (its own reads decide). */
  const algebraicEpochs: number[] = [];
  /** The write that followed a training read (none when the read had no wrong bit). */
  const writeAfter = new Map<Presentation, Presentation>();
  /**
   * Stores patterns 0..count-1. Counter writes: those not yet written, once each. Error writes: passes over all of
   * them (read, then a write gated by the wrong bits), up to write_epochs, stopping after a pass without a wrong bit.
   * Each pass is scheduled inside the simulation when the previous one's last read has answered; the time for every
   * pass is reserved (a pass not needed leaves its slots silent).
   */
  let written = 0;
  const store = (count: number) => {
    if (!errorWrites) {
      for (; written < count; written++) present(keys[written]!, 'write', values[written]!);
      return;
    }
    const batch = epochsRun.length;
    const slot = 2 * spacing;
    const start = t;
    t += proto.write_epochs * count * slot;
    const algebraic = new Map<number, Uint8Array>();
    if (reference) {
      let e = 0;
      while (e < proto.write_epochs) {
        let wrong = 0;
        for (let p = 0; p < count; p++) {
          const res = reference.writeError(keys[p]!, values[p]!);
          algebraic.set(e * count + p, res.read.bits);
          wrong += res.wrongCount;
        }
        e++;
        if (wrong === 0) break;
      }
      algebraicEpochs.push(e);
    }
    epochsRun.push(0);
    wrongPerEpoch.push([]);
    const pass = (e: number) => {
      epochsRun[batch] = e + 1;
      const wrong = wrongPerEpoch[batch]!;
      wrong.push(0);
      const base = start + e * count * slot;
      for (let p = 0; p < count; p++) {
        const at = base + p * slot;
        const pr = present(keys[p]!, 'read', undefined, at, { training: { pattern: p } });
        trainingReads.push({ pr, algebraic: algebraic.get(e * count + p) ?? null });
        pr.onRecall = (bits) => {
          const errors = hammingBits(bits, values[p]!);
          wrong[e]! += errors;
          if (errors > 0) writeAfter.set(pr, present(keys[p]!, 'write', values[p]!, at + spacing, { plastic: wrongBits(bits, values[p]!) }));
          if (p === count - 1 && wrong[e]! > 0 && e + 1 < proto.write_epochs) pass(e + 1);
        };
      }
    };
    pass(0);
  };
  const cue = (p: number, k: number, c: number) => flipBits(keys[p]!, k, rng, cueStream, p * 1_000_003 + k * 1009 + c);

  let ticks: number;
  if (proto.task === 'attention' && (mode !== 'kanerva' || sdmSec.radius === undefined))
    throw new InputError(`${where}: /protocol/task`, `a Kanerva-mode circuit with a radius for the attention comparison, got circuit '${circuit.name}'`);
  if (proto.task === 'recall' || proto.task === 'convergence' || proto.task === 'attention') {
    store(proto.patterns);
    for (const k of proto.noise_bits) {
      for (let c = 0; c < proto.cues_per_level; c++) {
        const p = c % proto.patterns;
        const x = cue(p, k, c);
        if (proto.task === 'recall' || proto.task === 'attention') {
          reads.push({ level: k, pattern: p, step: 0, pr: present(x, 'read'), truth: values[p]!, algebraic: readAlgebraic(x) });
        } else {
          // Iterative read: each recall is presented again as the next address, inside the simulation.
          const start = t;
          t += spacing * (proto.iterations + 1);
          let algebraicX: Uint8Array | null = reference ? x : null;
          const chain = (address: Uint8Array, step: number, at: number) => {
            const pr = present(address, 'read', undefined, at);
            const alg = algebraicX ? readAlgebraic(algebraicX) : null;
            algebraicX = alg;
            reads.push({ level: k, pattern: p, step, pr, truth: values[p]!, algebraic: alg });
            // Threshold units answer within the tick after their read and keep no state: the next read follows at
            // once. Spiking cells need the spacing to return to rest (and the windows must not overlap).
            const next = sdmSec.mode === 'spiking' ? at + spacing : at + timing.readTo;
            if (step + 1 < proto.iterations) pr.onRecall = (bits) => chain(bits, step + 1, next);
          };
          chain(x, 0, start);
        }
      }
    }
    ticks = t + spacing;
  } else {
    for (const load of [...proto.loads].sort((a, b) => a - b)) {
      store(load);
      for (let c = 0; c < Math.min(load, proto.cues_per_level); c++) {
        const p = Math.floor((c * load) / Math.min(load, proto.cues_per_level));
        const x = proto.noise_bits[0] ? cue(p, proto.noise_bits[0], c) : keys[p]!;
        reads.push({ level: load, pattern: p, step: 0, pr: present(x, 'read'), truth: values[p]!, algebraic: readAlgebraic(x) });
      }
    }
    ticks = t + spacing;
  }

  /**
   * Spiking mode: rates at rest, the granule code of every presentation, and the read as the change of the Purkinje
   * simple-spike rate (read window against rest), split by the bit the algebraic SDM reads.
   */
  const spikingResults = (tables: Record<string, Array<Record<string, number | string>>>): Record<string, unknown> => {
    const restMs = timing.restTicks * dt;
    const rest: Record<string, number | null> = {};
    for (const p of network.populations) rest[p.name] = restMs > 0 ? (restSpikes.get(p.name) ?? 0) / p.size / (restMs / 1000) : null;
    const coding: Array<Record<string, number | string>> = [];
    let single = 0;
    let activeCells = 0;
    let minLevel = Infinity;
    let maxLevel = 0;
    presentations.forEach((pr, i) => {
      const cells = pr.granule?.length ?? 0;
      let spikes = 0;
      for (const c of pr.granuleCounts ?? []) {
        spikes += c;
        if (c === 1) single++;
      }
      activeCells += cells;
      minLevel = Math.min(minLevel, cells / r);
      maxLevel = Math.max(maxLevel, cells / r);
      coding.push({ presentation: i, kind: pr.kind, onset_ms: +(pr.tick * dt).toFixed(6), active_cells: cells, coding_level: cells / r, granule_spikes: spikes });
    });
    tables.coding_level = coding;
    // Purkinje simple-spike rates over the read window, by the bit the algebraic SDM reads on the circuit's codes.
    const windowS = ((timing.readTo - timing.readFrom) * dt) / 1000;
    const sum = [0, 0];
    const cnt = [0, 0];
    for (const x of reads) {
      if (!x.pr.recalled || !x.pr.purkinjeSpikes || !x.algebraic) continue;
      for (let k = 0; k < valueBits; k++) {
        const b = x.algebraic[k]!;
        sum[b]! += x.pr.purkinjeSpikes[k]! / windowS;
        cnt[b]!++;
      }
    }
    const restPc = rest[sdmSec.purkinje] ?? null;
    return {
      rest_ms: restMs,
      rest_rates_hz: rest,
      complex_spike_rate_hz: sdmSec.climbing ? rest[sdmSec.climbing] ?? null : null,
      granule_coding_level_range: [Number.isFinite(minLevel) ? minLevel : null, maxLevel],
      granule_spikes_per_active_cell: activeCells ? coding.reduce((a, c) => a + (c.granule_spikes as number), 0) / activeCells : null,
      granule_single_spike_fraction: activeCells ? single / activeCells : null,
      purkinje_rate_rest_hz: restPc,
      purkinje_read_rate_hz: { bit_one: cnt[1] ? sum[1]! / cnt[1]! : null, bit_zero: cnt[0] ? sum[0]! / cnt[0]! : null },
      plasticity_clipped: sim.plasticityRule(sdmSec.plasticity).clipped,
    };
  };

  /** Spiking mode: the zoomed rasters of the first write and the first read, with their events marked. */
  const zoomRasters = (): Record<string, WindowRaster> => {
    const out: Record<string, WindowRaster> = {};
    const ends = [sdmSec.purkinje, sdmSec.climbing ?? sdmSec.olive, sdmSec.dcn];
    const middle = network.populations.filter((p) => p.model && p.name !== sdmSec.granule && !ends.includes(p.name)).map((p) => p.name);
    const order = [sdmSec.mossy, sdmSec.granule, ...middle, ...ends];
    const lastVolley = (timing.mossyTicks.at(-1) ?? 0) * dt;
    for (const [pr, spikes] of zoom) {
      const rec = reads.find((x) => x.pr === pr);
      const ones: number[] = [];
      if (rec?.algebraic) for (let k = 0; k < 32 && k < valueBits; k++) if (rec.algebraic[k]) ones.push(k);
      const marks = [
        { t_ms: 0, label: 'mossy burst' },
        { t_ms: lastVolley, label: 'last volley' },
        ...(pr.kind === 'write' ? [{ t_ms: timing.teacherTick * dt, label: 'teaching input' }] : [{ t_ms: timing.readTo * dt, label: 'end of read window' }]),
      ];
      const rows = Object.entries(zoomRows)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
      out[`${pr.kind}_raster`] = {
        title: pr.kind === 'read' ? `The first read (cue ${rec ? `${rec.level} bits from pattern ${rec.pattern}` : ''}), ms from its onset` : 'The first write, ms from its onset',
        subtitle:
          pr.kind === 'read'
            ? [
                'Purkinje cells whose stored bit is 1 pause through the burst and their nuclear cells fire; the others fire faster.',
                `Of cells 0-31, those reading 1 (algebraic SDM): ${ones.join(', ') || 'none'}`,
                `rows shown: the first neurons of each population (${rows}; 32 of the others)`,
              ]
            : [
                "The teaching input makes the olive fire; its climbing fibres give the Purkinje cells of the value's 1-bits",
                `a complex spike, which depresses the synapses of the parallel fibres active in the ${ruleSpec?.window_ms ?? '?'} ms before it (LTD).`,
                `rows shown: the first neurons of each population (${rows}; 32 of the others)`,
              ],
        fromMs: -40,
        toMs: spacing * dt,
        spikes,
        marks,
        populations: order.filter((n, i) => order.indexOf(n) === i),
      };
    }
    return out;
  };

  return {
    ticks: ticks - sim.tick,
    finish() {
      // Presentations in time order (error writes are scheduled during the run, after later reads were).
      const inOrder = [...presentations].sort((a, b) => a.tick - b.tick);
      const activityOf = (pr: Presentation) => ({ cells: pr.granule ?? [], ...(pr.granuleCounts ? { counts: pr.granuleCounts } : {}) });
      const recordOf = new Map(reads.map((x) => [x.pr, x]));
      if (!reference) {
        // Replay the circuit's own granule sets through counters: the algebraic read of the biological circuit.
        // With heterosynaptic normalisation of the plastic weights the counters are the covariance rule's. Error
        // writes: the replay reads each training read's code itself and writes its own wrong bits, on the code of
        // the circuit's write that followed (or, where the circuit saw no wrong bit, on the read's).
        const replay = new ActivitySdm(r, valueBits, centered);
        const trainingOf = new Map(trainingReads.map((x) => [x.pr, x]));
        const pending = new Map<Presentation, Uint8Array>();
        for (const pr of inOrder) {
          const activity = activityOf(pr);
          if (pr.kind === 'write') {
            if (!errorWrites) replay.write(activity, writeValue.get(pr)!.value);
            else {
              const mask = pending.get(pr);
              if (mask) replay.write(activity, writeValue.get(pr)!.value, mask);
            }
          } else if (pr.training) {
            const value = values[pr.training.pattern]!;
            const bits = replay.read(activity);
            trainingOf.get(pr)!.algebraic = bits;
            if (hammingBits(bits, value) === 0) continue;
            const mask = wrongBits(bits, value);
            const next = writeAfter.get(pr);
            if (next) pending.set(next, mask);
            else replay.write(activity, value, mask);
          } else {
            const rec = recordOf.get(pr);
            if (rec) rec.algebraic = replay.read(activity);
          }
        }
      }
      // Error writes: the counter rule in the same run, on the circuit's codes (each pattern written once, on the code
      // of its first read through the circuit; read on the codes of the reads that measure recall).
      const compareCounters = errorWrites && proto.task !== 'convergence';
      if (compareCounters) {
        const counters = new ActivitySdm(r, valueBits, centered);
        const done = new Uint8Array(maxPatterns);
        for (const pr of inOrder) {
          if (pr.kind !== 'read') continue;
          if (pr.training) {
            const p = pr.training.pattern;
            if (!done[p]) counters.write(activityOf(pr), values[p]!);
            done[p] = 1;
          } else {
            const rec = recordOf.get(pr);
            if (rec) rec.counter = counters.read(activityOf(pr));
          }
        }
      }
      const levels = proto.task === 'capacity' ? [...proto.loads].sort((a, b) => a - b) : proto.noise_bits;
      const finalStep = proto.task === 'convergence' ? proto.iterations - 1 : 0;
      const rows: Array<Record<string, number | string>> = [];
      const accuracy: number[] = [];
      const algebraicAccuracy: number[] = [];
      const counterAccuracy: number[] = [];
      const prediction: number[] = [];
      let agreeBits = 0;
      let totalBits = 0;
      let unanswered = 0;
      for (const level of levels) {
        const rs = reads.filter((x) => x.level === level && x.step === finalStep);
        let correct = 0;
        let algCorrect = 0;
        let counterCorrect = 0;
        let bits = 0;
        for (const x of rs) {
          const got = x.pr.recalled;
          if (!got) {
            unanswered++;
            continue;
          }
          bits += valueBits;
          correct += valueBits - hammingBits(got, x.truth);
          if (x.algebraic) algCorrect += valueBits - hammingBits(x.algebraic, x.truth);
          if (x.counter) counterCorrect += valueBits - hammingBits(x.counter, x.truth);
        }
        accuracy.push(bits ? correct / bits : NaN);
        algebraicAccuracy.push(bits ? algCorrect / bits : NaN);
        counterAccuracy.push(bits ? counterCorrect / bits : NaN);
        // Kanerva's signal-to-noise prediction (Kanerva 1988), where hard locations have a radius (Kanerva mode).
        const stored = proto.task === 'capacity' ? level : proto.patterns;
        const noise = proto.task === 'capacity' ? (proto.noise_bits[0] ?? 0) : level;
        const predicted = mode === 'kanerva' && sdmSec.radius !== undefined && proto.task !== 'convergence' ? predictedBitAccuracy(n, sdmSec.radius, r, Math.max(1, stored), noise) : NaN;
        prediction.push(predicted);
        rows.push({
          [proto.task === 'capacity' ? 'load' : 'noise_bits']: level,
          bit_accuracy: accuracy.at(-1)!,
          algebraic_bit_accuracy: algebraicAccuracy.at(-1)!,
          ...(compareCounters ? { counter_bit_accuracy: counterAccuracy.at(-1)! } : {}),
          ...(Number.isFinite(predicted) ? { kanerva_prediction: predicted } : {}),
          reads: rs.length,
        });
      }
      // Disagreements by direction: a missed 1 (no nuclear spike where the algebraic read is 1) or a spurious 1.
      let missedOnes = 0;
      let spuriousOnes = 0;
      // Error writes: the reads before the writes count too (the reference made its own).
      for (const x of [...reads, ...trainingReads]) {
        if (!x.pr.recalled || !x.algebraic) continue;
        agreeBits += valueBits - hammingBits(x.pr.recalled, x.algebraic);
        totalBits += valueBits;
        for (let k = 0; k < valueBits; k++) {
          if (x.algebraic[k] === 1 && x.pr.recalled[k] === 0) missedOnes++;
          else if (x.algebraic[k] === 0 && x.pr.recalled[k] === 1) spuriousOnes++;
        }
      }
      // Granule active sets against the algebraic SDM's, for every presentation.
      let sameSets = 0;
      let activeSum = 0;
      for (const pr of presentations) {
        const g = pr.granule ?? new Uint32Array(0);
        activeSum += g.length;
        if (reference) {
          const a = reference.activeSet(pr.address);
          if (a.length === g.length && a.every((v, i) => v === g[i])) sameSets++;
        }
      }
      const results: Record<string, unknown> = {
        task: proto.task,
        mode,
        association: proto.association,
        address_bits: n,
        value_bits: valueBits,
        hard_locations: r,
        radius: sdmSec.radius ?? null,
        granule_active_mean: activeSum / Math.max(1, presentations.length),
        granule_active_fraction: activeSum / Math.max(1, presentations.length) / r,
        granule_active_expected: mode === 'kanerva' && sdmSec.radius !== undefined ? r * ballFraction(n, sdmSec.radius) : null,
        algebraic_agreement: totalBits ? agreeBits / totalBits : null,
        disagreement: { missed_ones: totalBits ? missedOnes / totalBits : null, spurious_ones: totalBits ? spuriousOnes / totalBits : null },
        granule_sets_equal_fraction: reference ? sameSets / presentations.length : null,
        unanswered_reads: unanswered,
        bit_accuracy: accuracy,
        algebraic_bit_accuracy: algebraicAccuracy,
        algebraic_reference: reference
          ? 'exact algebraic SDM with the same hard locations'
          : `${centered ? 'covariance-rule counters' : 'counters'} written and read on the circuit's own granule ${sdmSec.mode === 'spiking' ? 'codes (spike counts in the granule window)' : 'sets'}`,
        ...(prediction.some(Number.isFinite) ? { kanerva_prediction: prediction } : {}),
        write_rule: proto.write_rule,
        ...(errorWrites
          ? {
              write_epochs: proto.write_epochs,
              epochs_run: epochsRun,
              ...(reference ? { algebraic_epochs_run: algebraicEpochs } : {}),
              wrong_bits_per_epoch: wrongPerEpoch,
              error_writes: writeAfter.size,
              training_reads: trainingReads.length,
              ...(compareCounters ? { counter_bit_accuracy: counterAccuracy } : {}),
            }
          : {}),
      };
      const extraTables: Record<string, Array<Record<string, number | string>>> = {};
      const rasters = sdmSec.mode === 'spiking' ? { rasters: zoomRasters() } : {};
      if (sdmSec.mode === 'spiking') Object.assign(results, spikingResults(extraTables));
      const algebraicLabel = reference ? 'algebraic SDM (same hard locations)' : "counters on the circuit's granule sets";
      const labels = {
        bit_accuracy: errorWrites ? 'spiking circuit, error writes' : 'spiking circuit',
        algebraic_bit_accuracy: errorWrites ? `${algebraicLabel}, error writes` : algebraicLabel,
        counter_bit_accuracy: "counter writes on the circuit's codes",
        kanerva_prediction: errorWrites ? "Kanerva's prediction (signal-to-noise, counter writes)" : "Kanerva's prediction (signal-to-noise)",
      };
      if (proto.task === 'capacity') {
        results.loads = levels;
        const capacity = (acc: number[]) => {
          let cap: number | null = null;
          levels.forEach((l, i) => {
            if (acc[i]! >= 0.99) cap = l;
          });
          return cap;
        };
        results.capacity_99 = capacity(accuracy);
        if (compareCounters) results.capacity_99_counter = capacity(counterAccuracy);
      } else results.noise_bits = levels;
      if (proto.task === 'convergence') {
        const conv: number[] = [];
        // One row per read step, one column per cue noise level: each column is one trajectory.
        const trajRows: Array<Record<string, number | string>> = Array.from({ length: proto.iterations }, (_, step) => ({ step }));
        const trajLabels: Record<string, string> = {};
        for (const level of levels) {
          const col = `distance_from_${level}`;
          trajLabels[col] = `cue ${level} bits away`;
          const chains = reads.filter((x) => x.level === level);
          let ok = 0;
          let count = 0;
          for (let step = 0; step < proto.iterations; step++) {
            const at = chains.filter((x) => x.step === step && x.pr.recalled);
            const dist = at.reduce((s, x) => s + hammingBits(x.pr.recalled!, x.truth), 0) / Math.max(1, at.length);
            trajRows[step]![col] = dist;
          }
          for (const x of chains.filter((y) => y.step === finalStep)) {
            count++;
            if (x.pr.recalled && hammingBits(x.pr.recalled, x.truth) === 0) ok++;
          }
          conv.push(count ? ok / count : NaN);
        }
        results.converged_fraction = conv;
        let critical: number | null = null;
        levels.forEach((l, i) => {
          if (conv[i]! >= 0.5) critical = l;
        });
        results.critical_distance = critical;
        return {
          results,
          ...rasters,
          tables: { [proto.task]: rows, trajectories: trajRows, ...extraTables },
          charts: {
            [proto.task]: { title: 'Iterative reads: accuracy after the last step against cue noise', x: 'noise_bits', y: ['bit_accuracy', 'algebraic_bit_accuracy'], labels, yTitle: 'bit accuracy', xTitle: 'flipped cue bits' },
            trajectories: { title: 'Spiking circuit: mean distance to the stored pattern after each read', x: 'step', y: Object.keys(trajLabels), labels: trajLabels, yTitle: 'Hamming distance', xTitle: 'read step' },
          },
        };
      }
      if (proto.task === 'attention') {
        const cmp = compareReaders(
          keys.slice(0, proto.patterns),
          values.slice(0, proto.patterns),
          reads.map((x) => ({ level: x.level, pattern: x.pattern, query: x.pr.address, truth: x.truth, spiking: x.pr.recalled ?? null, neuron: x.algebraic })),
          n,
          sdmSec.radius!,
          seed,
          { beta: proto.beta, hopfieldSteps: proto.hopfield_steps, association: proto.association, hardLocations: r },
        );
        Object.assign(results, cmp.summary);
        const accuracyColumns = READERS.map((c) => `${c}_bit_accuracy`);
        const snr = cmp.snrOptimal;
        return {
          results,
          tables: { readers: cmp.regimes, attention: cmp.rows, ...(snr ? { attention_snr_optimal: snr.rows } : {}), agreement: cmp.agreement },
          charts: {
            attention: {
              title: `Six readers of the same memories at the circuit's radius d = ${sdmSec.radius!} (beta ${cmp.beta.toFixed(2)})`,
              note: cmp.note,
              x: 'noise_bits',
              y: accuracyColumns,
              labels: cmp.labels,
              yTitle: 'bit accuracy',
              xTitle: 'flipped query bits',
            },
            ...(snr
              ? {
                  attention_snr_optimal: {
                    title: `At the SNR-optimal radius over all 2^${n} addresses, d = ${snr.radius} (beta ${snr.beta.toFixed(2)})`,
                    note: snr.note,
                    x: 'noise_bits',
                    y: snr.columns,
                    labels: snr.labels,
                    yTitle: 'bit accuracy',
                    xTitle: 'flipped query bits',
                  },
                }
              : {}),
          },
        };
      }
      const x = proto.task === 'capacity' ? 'load' : 'noise_bits';
      return {
        results,
        ...rasters,
        tables: { [proto.task]: rows, ...extraTables },
        charts: {
          [proto.task]: {
            title:
              (proto.task === 'capacity' ? 'Recall against the number of stored patterns' : 'Recall against cue noise') +
              (errorWrites ? `: error-driven writes (up to ${proto.write_epochs} passes) against counter writes` : ''),
            x,
            y: ['bit_accuracy', 'algebraic_bit_accuracy', ...(compareCounters ? ['counter_bit_accuracy'] : []), ...(prediction.some(Number.isFinite) ? ['kanerva_prediction'] : [])],
            labels,
            yTitle: 'bit accuracy',
            xTitle: proto.task === 'capacity' ? 'stored patterns' : 'flipped cue bits',
          },
        },
      };
    },
  };
}
