/**
 * The granule-code scenarios: the granule layer of the cerebellar SDM without a spiking circuit
 * (analysis/granule-code). For each number of mossy inputs per granule cell K, each coding level f under the
 * scenario's inhibition and the conjunction code (a cell fires iff all K inputs are active, f = 2^-K): SDM recall
 * against load (auto- and hetero-association, clean cues) with plain counters and with the covariance rule, and the
 * code's participation ratio, overlap against chance and participation, averaged over seeds.
 *
 * Outputs: granule_code.csv (one row per K and code), recall.csv (one row per K, code and load), capacity.csv,
 * capacity_hetero.csv and dimension.csv with their figures, summary.json (`results`), report.html. No spikes and no
 * events: the model has no time; its progress is counted in (seed, K) steps.
 */
import { performance } from 'node:perf_hooks';
import { granuleCodeSweep, type SweepRow } from '../../analysis/granule-code/index.ts';
import type { LineSeries } from '../../recording/plots.ts';
import { OutputDir } from '../../recording/sinks/output-dir.ts';
import type { LoadedScenario } from '../loader.ts';
import { modelSummary, resultExpectations, writeProtocolOutputs } from '../outputs.ts';
import type { GranuleCodeProtocol } from '../schema.ts';
import type { RunSummary, ScenarioRunOptions } from '../types.ts';

/** Below this many coincidences (pairs of sample codes sharing an active cell) the PR estimate is noise: not reported. */
export const MIN_PR_COINCIDENCES = 100;

type Row = Record<string, number | string>;

/** One (K, code) row averaged over seeds. */
interface Averaged {
  readonly inputs: number;
  readonly code: SweepRow['code'];
  /** Index of the coding level (coding_levels), or -1 for the conjunction code. */
  readonly level: number;
  readonly targetCodingLevel: number;
  readonly codingLevel: number;
  readonly capacity: { readonly plain: number; readonly covariance: number; readonly plainHetero: number; readonly covarianceHetero: number };
  /** null when the sample codes had too few coincidences to estimate it. */
  readonly participationRatio: number | null;
  readonly coincidences: number;
  readonly overlapRatio: number;
  readonly everActive: number;
  readonly recall: ReadonlyArray<{ load: number; plain: number; covariance: number; plainHetero: number; covarianceHetero: number }>;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Six significant digits for the tables (summary.json keeps full precision). */
const sig = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);
/** Column-name form of a coding level: 0.01 -> f0_01. */
const levelKey = (f: number) => `f${String(f).replace('.', '_')}`;

export async function runGranuleCodeScenario(loaded: LoadedScenario, proto: GranuleCodeProtocol, opts: ScenarioRunOptions): Promise<RunSummary> {
  const { scenario } = loaded;
  const seed0 = opts.seed ?? scenario.seed;
  const out = opts.outDir !== undefined ? new OutputDir(opts.outDir, { overwrite: opts.overwrite === true }) : null;
  try {
    const t0 = performance.now();
    const inputs = [...new Set(proto.inputs)].sort((a, b) => a - b);
    const levels = proto.coding_levels;
    const total = proto.seeds * inputs.length;
    let done = 0;
    let interrupted = false;
    opts.onProgress?.(0, total, 1);
    const perSeed: SweepRow[][] = [];
    for (let s = 0; s < proto.seeds; s++) {
      if (opts.signal?.aborted) break;
      const rows = granuleCodeSweep({
        n: proto.address_bits,
        r: proto.granule_cells,
        inputs,
        codingLevels: levels,
        inhibition: proto.inhibition,
        weightSigma: proto.weight_sigma,
        loads: proto.loads,
        cuesPerLoad: proto.cues_per_load,
        samples: proto.samples,
        seed: seed0 + s,
        onProgress: () => opts.onProgress?.(++done, total, 1),
        aborted: () => opts.signal?.aborted === true,
      });
      if (rows.length < inputs.length * (levels.length + 1)) break;
      perSeed.push(rows);
    }
    interrupted = perSeed.length < proto.seeds;

    // Average over seeds, row by row (every seed's sweep has the same rows in the same order).
    const averaged: Averaged[] = (perSeed[0] ?? []).map((first, i) => {
      const all = perSeed.map((rows) => rows[i]!);
      const coincidences = mean(all.map((r) => r.stats.coincidences));
      return {
        inputs: first.inputs,
        code: first.code,
        level: first.code === 'conjunction' ? -1 : i % (levels.length + 1),
        targetCodingLevel: first.targetCodingLevel,
        codingLevel: mean(all.map((r) => r.stats.codingLevel)),
        capacity: {
          plain: mean(all.map((r) => r.auto.plain)),
          covariance: mean(all.map((r) => r.auto.covariance)),
          plainHetero: mean(all.map((r) => r.hetero.plain)),
          covarianceHetero: mean(all.map((r) => r.hetero.covariance)),
        },
        participationRatio: coincidences >= MIN_PR_COINCIDENCES ? mean(all.map((r) => r.stats.participationRatio)) : null,
        coincidences,
        overlapRatio: mean(all.map((r) => r.stats.overlapRatio)),
        everActive: mean(all.map((r) => r.stats.everActive)),
        recall: first.auto.recall.map((pt, q) => ({
          load: pt.load,
          plain: mean(all.map((r) => r.auto.recall[q]!.plain)),
          covariance: mean(all.map((r) => r.auto.recall[q]!.covariance)),
          plainHetero: mean(all.map((r) => r.hetero.recall[q]!.plain)),
          covarianceHetero: mean(all.map((r) => r.hetero.recall[q]!.covariance)),
        })),
      };
    });
    const r = proto.granule_cells;
    const codeName = (a: Averaged) => (a.code === 'conjunction' ? 'conjunction' : `${a.code} f=${levels[a.level]}`);

    const tables: Record<string, Row[]> = {};
    tables.granule_code = averaged.map((a) => ({
      inputs: a.inputs,
      code: codeName(a),
      coding_level_target: sig(a.targetCodingLevel),
      coding_level: sig(a.codingLevel),
      capacity_99_plain: a.capacity.plain,
      capacity_99_covariance: a.capacity.covariance,
      capacity_99_plain_hetero: a.capacity.plainHetero,
      capacity_99_covariance_hetero: a.capacity.covarianceHetero,
      ...(a.participationRatio !== null ? { participation_ratio: sig(a.participationRatio), participation_ratio_over_r: sig(a.participationRatio / r) } : {}),
      pr_coincidences: sig(a.coincidences),
      overlap_ratio: sig(a.overlapRatio),
      ever_active: sig(a.everActive),
    }));
    tables.recall = averaged.flatMap((a) =>
      a.recall.map((pt) => ({
        inputs: a.inputs,
        code: codeName(a),
        load: pt.load,
        recall_plain: sig(pt.plain),
        recall_covariance: sig(pt.covariance),
        recall_plain_hetero: sig(pt.plainHetero),
        recall_covariance_hetero: sig(pt.covarianceHetero),
      })),
    );
    // Figure tables: one row per K, one column per code (and rule). A capacity of 0 (below the smallest load) is left
    // out of the figure (log axis) but kept in granule_code.csv.
    const byK = (pick: (a: Averaged, col: (name: string, v: number | null) => void) => void): Row[] =>
      inputs.map((K) => {
        const row: Row = { inputs: K };
        for (const a of averaged.filter((x) => x.inputs === K))
          pick(a, (name, v) => {
            if (v !== null && v > 0 && Number.isFinite(v)) row[name] = sig(v);
          });
        return row;
      });
    const key = (a: Averaged) => (a.code === 'conjunction' ? 'conjunction' : levelKey(levels[a.level]!));
    tables.capacity = byK((a, col) => {
      col(`plain_${key(a)}`, a.capacity.plain);
      col(`covariance_${key(a)}`, a.capacity.covariance);
    });
    tables.capacity_hetero = byK((a, col) => {
      col(`plain_${key(a)}`, a.capacity.plainHetero);
      col(`covariance_${key(a)}`, a.capacity.covarianceHetero);
    });
    tables.dimension = byK((a, col) => col(`pr_${key(a)}`, a.participationRatio));

    const inhibitionName = proto.inhibition === 'topk' ? 'top-k' : 'global threshold';
    const codes = [...levels.map((f) => ({ key: levelKey(f), label: `f = ${f} (${inhibitionName})` })), { key: 'conjunction', label: 'conjunction code (f = 2^-K)' }];
    const capacityLabels = Object.fromEntries(codes.flatMap((c) => [[`plain_${c.key}`, `${c.label}, plain counters`], [`covariance_${c.key}`, `${c.label}, covariance rule`]]));
    const capacityY = codes.flatMap((c) => [`plain_${c.key}`, `covariance_${c.key}`]);
    const L0 = proto.loads[0]!;
    const L1 = proto.loads[proto.loads.length - 1]!;
    const loadsText = `99% of bits, ${proto.cues_per_load} clean cues per load; no point: below ${L0}; ${L1}: at least ${L1}`;
    const peaks = (f: (a: Averaged) => number | null) =>
      codes.map((_, c) => {
        let best: Averaged | null = null;
        for (const a of averaged) {
          const v = f(a);
          if ((c === levels.length ? a.level === -1 : a.level === c) && v !== null && (best === null || v > f(best)!)) best = a;
        }
        return best;
      });
    const prPeaks = peaks((a) => a.participationRatio);
    const peakText = 'largest at ' + prPeaks.map((a, c) => `${c === levels.length ? 'conjunction' : `f = ${levels[c]}`}: K = ${a?.inputs ?? '-'}`).join(', ');
    // Notes stay short (one subtitle line each); the comparison with Litwin-Kumar et al. is argued in
    // docs/DECISIONS.md 33 and the scenario file.
    const capacityChart = (values: string, note: string): Omit<LineSeries, 'rows'> => ({
      title: `SDM capacity against inputs per granule cell, ${values} (r = ${r}, sigma ${proto.weight_sigma})`,
      note,
      x: 'inputs',
      y: capacityY,
      labels: capacityLabels,
      xTitle: 'mossy inputs per granule cell K',
      yTitle: 'capacity (patterns)',
      logY: true,
    });
    const charts: Record<string, Omit<LineSeries, 'rows'>> = {
      capacity: capacityChart('auto-association', `${loadsText}; includes the identity map (see capacity_hetero)`),
      capacity_hetero: capacityChart('random values', loadsText),
      dimension: {
        title: `Dimension of the granule code against inputs per granule cell (r = ${r}, sigma ${proto.weight_sigma})`,
        note: `Litwin-Kumar et al. 2017 (Gaussian inputs): largest at about 4 inputs. Here (binary on/off inputs): ${peakText}`,
        x: 'inputs',
        y: codes.map((c) => `pr_${c.key}`),
        labels: Object.fromEntries(codes.map((c) => [`pr_${c.key}`, c.label])),
        xTitle: 'mossy inputs per granule cell K',
        yTitle: 'participation ratio (tr C)^2 / tr C^2',
        logY: true,
      },
    };

    // Results: the headline K's conjunction code (scalars), the headline K's inhibited codes (arrays over
    // coding_levels), the conjunction code per K (arrays over inputs), and the dimension peaks per coding level.
    const hk = proto.headline_inputs;
    const headline = levels.map((_, l) => averaged.find((a) => a.inputs === hk && a.level === l) ?? null);
    const conj = inputs.map((K) => averaged.find((a) => a.inputs === K && a.level === -1) ?? null);
    const hc = averaged.find((a) => a.inputs === hk && a.level === -1) ?? null;
    const results: Record<string, unknown> = {
      task: proto.task,
      inhibition: proto.inhibition,
      weight_sigma: proto.weight_sigma,
      seeds: perSeed.length,
      inputs,
      coding_levels: levels,
      headline_inputs: hk,
      capacity_99: hc?.capacity.covariance ?? null,
      capacity_99_plain: hc?.capacity.plain ?? null,
      capacity_99_hetero: hc?.capacity.covarianceHetero ?? null,
      capacity_99_plain_hetero: hc?.capacity.plainHetero ?? null,
      coding_level: hc?.codingLevel ?? null,
      participation_ratio: hc?.participationRatio ?? null,
      overlap_ratio: hc?.overlapRatio ?? null,
      ever_active: hc?.everActive ?? null,
      headline_participation_ratio: headline.map((a) => a?.participationRatio ?? null),
      headline_overlap_ratio: headline.map((a) => a?.overlapRatio ?? null),
      headline_ever_active: headline.map((a) => a?.everActive ?? null),
      headline_capacity_99_plain: headline.map((a) => a?.capacity.plain ?? null),
      headline_capacity_99_covariance: headline.map((a) => a?.capacity.covariance ?? null),
      headline_capacity_99_covariance_hetero: headline.map((a) => a?.capacity.covarianceHetero ?? null),
      conjunction_coding_level: conj.map((a) => a?.codingLevel ?? null),
      conjunction_capacity_99: conj.map((a) => a?.capacity.covariance ?? null),
      conjunction_capacity_99_plain: conj.map((a) => a?.capacity.plain ?? null),
      conjunction_capacity_99_hetero: conj.map((a) => a?.capacity.covarianceHetero ?? null),
      conjunction_participation_ratio: conj.map((a) => a?.participationRatio ?? null),
      dimension_peak_inputs: prPeaks.slice(0, levels.length).map((a) => a?.inputs ?? null),
      dimension_peak_inputs_conjunction: prPeaks[levels.length]?.inputs ?? null,
      participation_ratio_peak: prPeaks.slice(0, levels.length).map((a) => a?.participationRatio ?? null),
    };
    const wallMs = performance.now() - t0;
    const expectations = resultExpectations(scenario.expect.results, results, !interrupted);
    const summary = modelSummary({
      scenario: scenario.name,
      model: `granule-code model (${proto.address_bits} address bits as on/off mossy pairs -> ${r} granule cells)`,
      reason: 'the granule-code model runs on typed arrays',
      seed: seed0,
      biologicalMs: 0,
      wallMs,
      expectations,
      interrupted,
      spikesWritten: 0,
      events: 0,
      files: {},
      results,
    });
    if (out) await writeProtocolOutputs(out, summary, tables, charts, [{ name: 'granule_code', caption: 'granule_code.csv: one row per inputs K and code' }]);
    return summary;
  } catch (e) {
    out?.discard();
    throw e;
  }
}
