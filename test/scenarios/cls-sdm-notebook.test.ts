/**
 * The SDM notebook beside the Hopfield notebook (cls-sdm-notebook; docs/DECISIONS.md 49). The comparison's Hopfield
 * side must be what cls-snr-sweep computes for the same seed (its peer, unchanged by the SDM kind), its SDM side what
 * cls-snr-sweep computes with `notebook: sdm`, and the SDM side's amnesia curves must follow the gradient-descent
 * theory (analysis/cls-theory, an independent closed form) as the Hopfield notebook's do (test/scenarios/cls-lesion).
 */
import { describe, expect, it } from 'vitest';
import { etDiscrete, notebookMemoryError, optimalStopping } from '../../src/analysis/cls-theory/index.ts';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { runScenario } from '../../src/scenarios/runner.ts';
import { clsProtocolSchema } from '../../src/scenarios/schema.ts';

interface Curve {
  t_star?: number;
  lesion_epochs: number[];
  memory_score: number[];
}
interface Side {
  notebook_memory_error: number[];
  exact_recall_fraction: number[];
  stored_fraction: number[];
  lesion: { regulated: Record<string, Curve>; unregulated: Record<string, Curve> };
}

describe('the SDM notebook beside the Hopfield notebook', () => {
  it('shares its runs with cls-snr-sweep, recalls as the Hopfield notebook does, and gives the amnesia curves of the theory', async () => {
    const short = { snr: [0.05], seeds: 1, epochs: 60 };
    const loaded = loadScenario('cls-sdm-notebook');
    const protocol = clsProtocolSchema.parse({ ...loaded.scenario.protocol, ...short, capacity_examples: [] });
    const cmp = (await runScenario({ ...loaded, scenario: { ...loaded.scenario, protocol } })).results as { hopfield: Side; sdm: Side };
    const sweep = loadScenario('cls-snr-sweep');
    const sweepOf = async (notebook: 'hopfield' | 'sdm') => {
      const p = clsProtocolSchema.parse({ ...sweep.scenario.protocol, ...short, notebook, sdm: protocol.sdm, notebook_units: protocol.notebook_units });
      const s = await runScenario({ ...sweep, scenario: { ...sweep.scenario, protocol: p } });
      return (s.results as { lesion: Side['lesion'] }).lesion;
    };
    for (const kind of ['hopfield', 'sdm'] as const) {
      const peer = await sweepOf(kind);
      for (const regime of ['regulated', 'unregulated'] as const)
        expect(cmp[kind].lesion[regime]['0.05']!.memory_score).toEqual(peer[regime]['0.05']!.memory_score);
    }

    // Recall: both notebooks recall all 100 memories exactly, so both read out through the same links: the same
    // memory error, the crosstalk (P - 1)/(M - 1) of Sun et al. up to the data set's fluctuation.
    expect(cmp.sdm.exact_recall_fraction[0]).toBe(1);
    expect(cmp.hopfield.exact_recall_fraction[0]).toBe(1);
    expect(cmp.sdm.notebook_memory_error[0]).toBe(cmp.hopfield.notebook_memory_error[0]);
    expect(Math.abs(cmp.sdm.notebook_memory_error[0]! / notebookMemoryError(100, 2000) - 1)).toBeLessThan(0.3);
    expect(cmp.sdm.stored_fraction[0]).toBeGreaterThan(0.95);

    // Amnesia at SNR 0.05 from the SDM notebook: flat after t* under regulation, at the theory's 1 - Et(t*)/Et(0);
    // rising under unregulated replay, within 0.12 of the theory (finite size, one seed), as from the Hopfield notebook.
    const alpha = 1;
    const tStar = optimalStopping(alpha, 0.05, 0.015, 60, true).tStar;
    const et0 = etDiscrete(alpha, 0.05, 0.015, 0);
    const reg = cmp.sdm.lesion.regulated['0.05']!;
    const unreg = cmp.sdm.lesion.unregulated['0.05']!;
    expect(reg.t_star).toBe(tStar);
    const flat = reg.lesion_epochs.map((e, i) => [e, reg.memory_score[i]!] as const).filter(([e]) => e >= tStar);
    expect(Math.max(...flat.map(([, v]) => v)) - Math.min(...flat.map(([, v]) => v))).toBeLessThan(1e-12);
    expect(Math.abs(flat[0]![1] - (1 - etDiscrete(alpha, 0.05, 0.015, tStar) / et0))).toBeLessThan(0.03);
    unreg.lesion_epochs.forEach((e, i) => expect(Math.abs(unreg.memory_score[i]! - (1 - etDiscrete(alpha, 0.05, 0.015, e) / et0))).toBeLessThan(0.12));
    expect(unreg.memory_score.at(-1)!).toBeGreaterThan(flat[0]![1] + 0.2);
  }, 120_000);
});
