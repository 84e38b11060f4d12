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
 */
import { InputError } from '../../core/errors.ts';
import { CounterRng, streamId } from '../../core/rng.ts';
import { ballFraction, predictedBitAccuracy } from '../../analysis/sdm-theory/index.ts';
import type { Simulator } from '../../engine/simulator.ts';
import { BinarySdm } from '../../models/memory/sdm/binary.ts';
import { flipBits, hammingBits, randomBits } from '../../models/memory/sdm/bits.ts';
import type { CircuitFile } from '../../circuits/schema.ts';
import type { Network } from '../../network/network.ts';
import type { SdmProtocol } from '../schema.ts';
import type { LineSeries } from '../../recording/plots.ts';
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
  };
}

interface Presentation {
  readonly tick: number;
  readonly address: Uint8Array;
  readonly kind: 'write' | 'read';
  /** Bits recalled by the circuit (filled when the nuclei answer). */
  recalled?: Uint8Array;
  granule?: Uint32Array;
  onRecall?: (bits: Uint8Array) => void;
}

export function startSdmProtocol(proto: SdmProtocol, sim: Simulator, network: Network, circuit: CircuitFile, seed: number, where: string): ProtocolRun {
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
  const readLatency = sdmSec.read_latency_ticks;
  const cfLatency = sdmSec.cf_latency_ticks;
  if (spacing <= readLatency) throw new InputError(`${where}: /protocol/spacing_ms`, `more than the read latency (${readLatency} ticks = ${readLatency * dt} ms)`);
  for (const k of proto.noise_bits) if (k > n) throw new InputError(`${where}: /protocol/noise_bits`, `at most ${n} flipped bits, got ${k}`);

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
  const byRecallTick = new Map<number, Presentation>();
  const byGranuleTick = new Map<number, Presentation>();
  let t = sim.tick + 1;
  const mossyOf = (x: Uint8Array) => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) idx.push(x[i] === 1 ? i : n + i);
    return idx;
  };
  const present = (address: Uint8Array, kind: 'write' | 'read', value?: Uint8Array, at = t): Presentation => {
    const pr: Presentation = { tick: at, address, kind };
    sim.injectSpikes(sdmSec.mossy, at, mossyOf(address));
    if (kind === 'write') {
      const ones: number[] = [];
      for (let k = 0; k < valueBits; k++) if (value![k] === 1) ones.push(k);
      sim.injectSpikes(sdmSec.olive, at + cfLatency, ones);
      sim.plasticityWindow(sdmSec.plasticity, at, at + spacing - 1);
      reference?.write(address, value!);
      writesInOrder.push({ pr, value: value! });
    }
    presentations.push(pr);
    sim.at(at, () => sim.emitEvent({ tick: at, kind: kind, id: presentations.indexOf(pr) }));
    byGranuleTick.set(at + sdmSec.granule_latency_ticks, pr);
    if (kind === 'read') byRecallTick.set(at + readLatency, pr);
    if (at === t) t += spacing;
    return pr;
  };

  // Decoding: granule spikes at t + 2 (the active set), nuclear spikes at t + read latency (the 1-bits).
  const dcn = network.population(sdmSec.dcn)!;
  const pending = new Map<number, Uint8Array>();
  sim.onSpikes((tick, pop, idx) => {
    if (pop === granule) {
      const pr = byGranuleTick.get(tick);
      if (pr) pr.granule = Uint32Array.from(idx);
    } else if (pop === dcn && byRecallTick.has(tick)) {
      const bits = pending.get(tick) ?? new Uint8Array(valueBits);
      for (const k of idx) bits[k] = 1;
      pending.set(tick, bits);
    }
  });
  sim.onTickEnd((tick) => {
    const pr = byRecallTick.get(tick);
    if (!pr) return;
    pr.recalled = pending.get(tick) ?? new Uint8Array(valueBits);
    pending.delete(tick);
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
  }
  const reads: ReadRecord[] = [];
  const readAlgebraic = (x: Uint8Array) => (reference ? reference.read(x).bits : null);
  /** Biological mode: the same counters written and read on the circuit's own granule sets (checks the readout). */
  const writesInOrder: Array<{ pr: Presentation; value: Uint8Array }> = [];
  const cue = (p: number, k: number, c: number) => flipBits(keys[p]!, k, rng, cueStream, p * 1_000_003 + k * 1009 + c);

  let ticks: number;
  if (proto.task === 'attention' && (mode !== 'kanerva' || sdmSec.radius === undefined))
    throw new InputError(`${where}: /protocol/task`, `a Kanerva-mode circuit with a radius for the attention comparison, got circuit '${circuit.name}'`);
  if (proto.task === 'recall' || proto.task === 'convergence' || proto.task === 'attention') {
    for (let p = 0; p < proto.patterns; p++) present(keys[p]!, 'write', values[p]!);
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
            if (step + 1 < proto.iterations) pr.onRecall = (bits) => chain(bits, step + 1, at + readLatency + 1);
          };
          chain(x, 0, start);
        }
      }
    }
    ticks = t + spacing;
  } else {
    let stored = 0;
    for (const load of [...proto.loads].sort((a, b) => a - b)) {
      for (; stored < load; stored++) present(keys[stored]!, 'write', values[stored]!);
      for (let c = 0; c < Math.min(load, proto.cues_per_level); c++) {
        const p = Math.floor((c * load) / Math.min(load, proto.cues_per_level));
        const x = proto.noise_bits[0] ? cue(p, proto.noise_bits[0], c) : keys[p]!;
        reads.push({ level: load, pattern: p, step: 0, pr: present(x, 'read'), truth: values[p]!, algebraic: readAlgebraic(x) });
      }
    }
    ticks = t + spacing;
  }

  return {
    ticks: ticks - sim.tick,
    finish() {
      if (!reference) {
        // Replay the circuit's own granule sets through counters: the algebraic read of the biological circuit.
        const replay = new BinarySdm({ n, r, d: 0, valueBits, seed, counterBits: 32, tie: 'zero' });
        let w = 0;
        for (const pr of presentations) {
          if (pr.kind === 'write') replay.writeActive(pr.granule ?? [], writesInOrder[w++]!.value);
          else {
            const rec = reads.find((x) => x.pr === pr);
            if (rec) rec.algebraic = replay.readActive(pr.granule ?? []).bits;
          }
        }
      }
      const levels = proto.task === 'capacity' ? [...proto.loads].sort((a, b) => a - b) : proto.noise_bits;
      const finalStep = proto.task === 'convergence' ? proto.iterations - 1 : 0;
      const rows: Array<Record<string, number | string>> = [];
      const accuracy: number[] = [];
      const algebraicAccuracy: number[] = [];
      const prediction: number[] = [];
      let agreeBits = 0;
      let totalBits = 0;
      let unanswered = 0;
      for (const level of levels) {
        const rs = reads.filter((x) => x.level === level && x.step === finalStep);
        let correct = 0;
        let algCorrect = 0;
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
        }
        accuracy.push(bits ? correct / bits : NaN);
        algebraicAccuracy.push(bits ? algCorrect / bits : NaN);
        // Kanerva's signal-to-noise prediction (Kanerva 1988), where hard locations have a radius (Kanerva mode).
        const stored = proto.task === 'capacity' ? level : proto.patterns;
        const noise = proto.task === 'capacity' ? (proto.noise_bits[0] ?? 0) : level;
        const predicted = mode === 'kanerva' && sdmSec.radius !== undefined && proto.task !== 'convergence' ? predictedBitAccuracy(n, sdmSec.radius, r, Math.max(1, stored), noise) : NaN;
        prediction.push(predicted);
        rows.push({
          [proto.task === 'capacity' ? 'load' : 'noise_bits']: level,
          bit_accuracy: accuracy.at(-1)!,
          algebraic_bit_accuracy: algebraicAccuracy.at(-1)!,
          ...(Number.isFinite(predicted) ? { kanerva_prediction: predicted } : {}),
          reads: rs.length,
        });
      }
      for (const x of reads) {
        if (!x.pr.recalled || !x.algebraic) continue;
        agreeBits += valueBits - hammingBits(x.pr.recalled, x.algebraic);
        totalBits += valueBits;
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
        granule_sets_equal_fraction: reference ? sameSets / presentations.length : null,
        unanswered_reads: unanswered,
        bit_accuracy: accuracy,
        algebraic_bit_accuracy: algebraicAccuracy,
        algebraic_reference: reference ? 'exact algebraic SDM with the same hard locations' : "counters written and read on the circuit's own granule sets",
        ...(prediction.some(Number.isFinite) ? { kanerva_prediction: prediction } : {}),
      };
      const algebraicLabel = reference ? 'algebraic SDM (same hard locations)' : "counters on the circuit's granule sets";
      const labels = { bit_accuracy: 'spiking circuit', algebraic_bit_accuracy: algebraicLabel, kanerva_prediction: "Kanerva's prediction (signal-to-noise)" };
      if (proto.task === 'capacity') {
        results.loads = levels;
        let cap: number | null = null;
        levels.forEach((l, i) => {
          if (accuracy[i]! >= 0.99) cap = l;
        });
        results.capacity_99 = cap;
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
          tables: { [proto.task]: rows, trajectories: trajRows },
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
        tables: { [proto.task]: rows },
        charts: {
          [proto.task]: {
            title: proto.task === 'capacity' ? 'Recall against the number of stored patterns' : 'Recall against cue noise',
            x,
            y: ['bit_accuracy', 'algebraic_bit_accuracy', ...(prediction.some(Number.isFinite) ? ['kanerva_prediction'] : [])],
            labels,
            yTitle: 'bit accuracy',
            xTitle: proto.task === 'capacity' ? 'stored patterns' : 'flipped cue bits',
          },
        },
      };
    },
  };
}
