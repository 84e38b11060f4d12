/**
 * Retrograde amnesia under both consolidation regimes (cls-snr-sweep; Sun et al. 2023): after a notebook lesion at
 * epoch e the memory score is what the student holds. Regulated replay stops at the theory's t*, so at low SNR the
 * score stays where t* left it, at every later lesion time (a flat gradient: the memories remain notebook-dependent),
 * while unregulated replay keeps consolidating them; both are compared with the gradient-descent theory
 * (analysis/cls-theory), an independent closed form.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { runScenario } from '../../src/scenarios/runner.ts';
import { clsProtocolSchema } from '../../src/scenarios/schema.ts';

interface Curve {
  t_star?: number;
  lesion_epochs: number[];
  memory_score: number[];
  theory: number[];
}

describe('retrograde amnesia, regulated and unregulated', () => {
  it('is flat under regulation at low SNR, rising without it, graded at high SNR, and follows the theory', async () => {
    const loaded = loadScenario('cls-snr-sweep');
    const protocol = clsProtocolSchema.parse({ ...loaded.scenario.protocol, snr: [0.05, 'inf'], seeds: 1, epochs: 120 });
    const s = await runScenario({ ...loaded, scenario: { ...loaded.scenario, protocol } });
    const lesion = (s.results as { lesion: { regulated: Record<string, Curve>; unregulated: Record<string, Curve> } }).lesion;
    const reg = lesion.regulated['0.05']!;
    const unreg = lesion.unregulated['0.05']!;
    expect(reg.lesion_epochs).toEqual(unreg.lesion_epochs);
    const tStar = reg.t_star!;
    expect(tStar).toBeGreaterThanOrEqual(1);
    expect(tStar).toBeLessThan(10);
    // Flat after t*: every later lesion leaves the same score, close to the theory's 1 - Et(t*) / Et(0).
    const after = reg.lesion_epochs.map((e, i) => [e, i] as const).filter(([e]) => e >= tStar);
    const flat = after.map(([, i]) => reg.memory_score[i]!);
    expect(Math.max(...flat) - Math.min(...flat)).toBeLessThan(1e-12);
    expect(Math.abs(flat[0]! - reg.theory[after[0]![1]]!)).toBeLessThan(0.03);
    expect(flat[0]!).toBeLessThan(0.15);
    // Unregulated: rises with lesion time, far above the regulated plateau, and within 0.12 of the theory (finite
    // size: P = N = 100 and one seed).
    const last = unreg.memory_score.length - 1;
    expect(unreg.memory_score[last]!).toBeGreaterThan(flat[0]! + 0.4);
    for (let i = 1; i <= last; i++) expect(unreg.memory_score[i]!).toBeGreaterThanOrEqual(unreg.memory_score[i - 1]! - 1e-9);
    for (let i = 0; i <= last; i++) expect(Math.abs(unreg.memory_score[i]! - unreg.theory[i]!)).toBeLessThan(0.12);
    // A noiseless teacher: t* is the last epoch, so the regimes coincide and both are graded.
    const regInf = lesion.regulated.inf!;
    expect(regInf.t_star).toBe(120);
    expect(regInf.memory_score).toEqual(lesion.unregulated.inf!.memory_score);
    expect(regInf.memory_score.at(-1)!).toBeGreaterThan(0.9);
    expect(Math.abs(regInf.memory_score.at(-1)! - regInf.theory.at(-1)!)).toBeLessThan(0.05);
  }, 120_000);
});
