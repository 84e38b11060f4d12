/**
 * The olivary loop (test/fixtures/olivary-loop.ts) with the error-driven rule (cf_error): the olive reports the
 * unconditioned stimulus until the deep nuclei cancel it. Checked against what the loop must do, not against numbers
 * the code produced:
 * - Learning converges to the target: the Purkinje cells learn to pause just before the US (their rate in the 30 ms
 *   before it falls below half the rate earlier in the CS), and the nuclei, silent there before learning, respond
 *   there in every one of the last trials (the conditioned response);
 * - the nucleo-olivary loop stops learning when the error is zero: once the nuclei respond, the olive falls silent on
 *   most trials, so LTD stops and the weights before the US settle above those of the same circuit without
 *   nucleo-olivary inhibition, whose olive fires on every trial and whose weights keep falling to w_min.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork } from '../../src/network/network.ts';
import { LOOP, olivaryLoop } from '../fixtures/olivary-loop.ts';

const ISI = 250;
const TRIALS = 80;

interface Outcome {
  /** Spikes per trial and 10 ms bin, summed over cells, per population. */
  readonly psth: Record<'pc' | 'dcn' | 'io', number[][]>;
  /** Mean PF -> PC weight of each PF bin. */
  readonly binWeights: number[];
}

async function runLoop(nucleoOlivary: number): Promise<Outcome> {
  const net = buildNetwork(olivaryLoop(ISI, TRIALS, nucleoOlivary), 1, 0.1);
  const sim = await Simulator.create(net, { seed: 1, backend: new CpuBackend() });
  const psth = { pc: [] as number[][], dcn: [] as number[][], io: [] as number[][] };
  for (const k of ['pc', 'dcn', 'io'] as const) for (let t = 0; t < TRIALS; t++) psth[k].push(new Array<number>(LOOP.trialMs / 10).fill(0));
  sim.onSpikes((tick, pop, idx) => {
    if (pop.name !== 'pc' && pop.name !== 'dcn' && pop.name !== 'io') return;
    const ms = tick * 0.1;
    const trial = Math.floor(ms / LOOP.trialMs);
    if (trial < TRIALS) psth[pop.name][trial]![Math.floor((ms - trial * LOOP.trialMs) / 10)]! += idx.length;
  });
  await sim.run(Math.round((TRIALS * LOOP.trialMs) / 0.1));
  sim.dispose();
  const pj = net.projection('pf-pc')!;
  const { rowPtr } = pj.csr;
  const w = pj.csr.weights!;
  const binWeights = Array.from({ length: LOOP.bins }, (_, b) => {
    let s = 0;
    let c = 0;
    for (let j = b * LOOP.perBin; j < (b + 1) * LOOP.perBin; j++)
      for (let q = rowPtr[j]!; q < rowPtr[j + 1]!; q++) {
        s += w[q]!;
        c++;
      }
    return s / c;
  });
  return { psth, binWeights };
}

/** Sum of row[from..to) (10 ms bins) over trials [t0, t1), per trial. */
function meanCount(rows: number[][], t0: number, t1: number, from: number, to: number): number {
  let s = 0;
  for (let t = t0; t < t1; t++) for (let b = from; b < to; b++) s += rows[t]![b]!;
  return s / (t1 - t0);
}

describe('olivary loop with error-driven plasticity', () => {
  it('learns a Purkinje pause and a nuclear response before the US, and the nucleo-olivary loop stops learning', async () => {
    const loop = await runLoop(5);
    const open = await runLoop(0);
    const us = (LOOP.csOnsetMs + ISI) / 10; // 10 ms bin of the US
    const early = (LOOP.csOnsetMs + 50) / 10; // a CS bin far from the US
    // Purkinje pause: the 30 ms before the US against 30 ms early in the CS, in the last 10 trials.
    const pcPre = meanCount(loop.psth.pc, TRIALS - 10, TRIALS, us - 3, us);
    const pcEarly = meanCount(loop.psth.pc, TRIALS - 10, TRIALS, early, early + 3);
    expect(pcPre).toBeLessThan(0.5 * pcEarly);
    expect(meanCount(loop.psth.pc, 0, 5, us - 3, us)).toBeGreaterThan(0.7 * meanCount(loop.psth.pc, 0, 5, early, early + 3));
    // The conditioned response: nuclear spikes in [US - 30, US + 10) ms, none before learning, in every late trial.
    expect(meanCount(loop.psth.dcn, 0, 10, us - 3, us + 1)).toBe(0);
    for (let t = TRIALS - 20; t < TRIALS; t++) expect(meanCount(loop.psth.dcn, t, t + 1, us - 3, us + 1)).toBeGreaterThan(0);
    // Without it, the olive fires on every US (one complex spike per cell and trial); with it, far less once learnt.
    const ioFirst = meanCount(loop.psth.io, 0, 20, 0, 100);
    const ioLast = meanCount(loop.psth.io, TRIALS - 20, TRIALS, 0, 100);
    expect(ioFirst).toBe(LOOP.cells);
    expect(ioLast).toBeLessThan(0.5 * ioFirst);
    expect(meanCount(open.psth.io, TRIALS - 20, TRIALS, 0, 100)).toBe(LOOP.cells);
    // Learning stopped with the loop: the weights of the fibres active just before the US stay above the open loop's.
    const pre = (o: Outcome) => o.binWeights.slice((ISI - 40) / 10, ISI / 10).reduce((a, b) => a + b, 0);
    expect(pre(loop)).toBeGreaterThan(pre(open) + 0.5);
    expect(Math.min(...open.binWeights.slice((ISI - 20) / 10, ISI / 10))).toBe(0);
  }, 120_000);
});
