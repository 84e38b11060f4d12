/**
 * Time in the granule layer (circuits/granule-timing.yaml, spectral timing): a conditioned stimulus held on the mossy
 * fibres for 700 ms, with fresh Poisson noise on every trial, must leave a sparse granule code from which the time
 * elapsed since CS onset can be decoded (src/analysis/time-code.ts: leave-one-trial-out templates, 20 ms bins over
 * 0-600 ms; chance is about 200 ms). Control: the same layer with one time constant for every subpopulation (the
 * spectrum removed) must decode far worse, so the timing comes from the spectrum and not from the onset transient.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { addSpike, chanceErrorMs, codingLevel, createBinnedTrials, decodeElapsedTime, errorInRange } from '../../src/analysis/time-code.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { CounterRng, streamId } from '../../src/core/rng.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork, type NetworkSpec } from '../../src/network/network.ts';

const DT = 0.1;
const TRIAL_MS = 1500;
const CS_ON = 200;
const CS_MS = 700;
const WARMUP = 1;
const TRIALS = 6;
const BIN = 20;
const BINS = 30;

/** Poisson mossy-fibre spikes: 5 Hz, 50 Hz during the CS, 5 Hz after; a new draw for every trial and fibre. */
function mossyTrains(fibres: number, trials: number, seed: number): Array<[number, number]> {
  const rng = new CounterRng(seed);
  const stream = streamId('test:granule-timing:mossy');
  const out: Array<[number, number]> = [];
  for (let j = 0; j < fibres; j++)
    for (let tr = 0; tr < trials; tr++) {
      let k = 0;
      for (const [a, b, hz] of [[0, CS_ON, 5], [CS_ON, CS_ON + CS_MS, 50], [CS_ON + CS_MS, TRIAL_MS, 5]] as const) {
        let t = tr * TRIAL_MS + a;
        for (;;) {
          t += (-Math.log(1 - rng.uniform(stream, j, tr, k++)) * 1000) / hz;
          if (t >= tr * TRIAL_MS + b) break;
          out.push([Math.round(t / DT), j]);
        }
      }
    }
  return out;
}

async function decode(spec: NetworkSpec) {
  const net = buildNetwork(spec, 3, DT);
  const sim = await Simulator.create(net, { seed: 3, backend: new CpuBackend() });
  const granule = net.populations.filter((p) => p.name.startsWith('granule-'));
  const offset = new Map(granule.map((p, k) => [p.name, k * p.size] as const));
  const cells = granule.reduce((s, p) => s + p.size, 0);
  const data = createBinnedTrials(TRIALS, BINS, cells, BIN);
  for (const [tick, j] of mossyTrains(net.population('mossy')!.size, WARMUP + TRIALS, 11)) sim.injectSpikes('mossy', tick, [j]);
  sim.onSpikes((tick, pop, idx) => {
    const at = offset.get(pop.name);
    if (at === undefined) return;
    const ms = tick * DT;
    const trial = Math.floor(ms / TRIAL_MS);
    if (trial < WARMUP) return;
    for (const i of idx) addSpike(data, trial - WARMUP, at + i, ms - trial * TRIAL_MS - CS_ON);
  });
  await sim.run(Math.round(((WARMUP + TRIALS) * TRIAL_MS) / DT));
  sim.dispose();
  const coding = Array.from(codingLevel(data)).slice(2); // after the first 40 ms
  return { decoding: decodeElapsedTime(data), meanCoding: coding.reduce((a, b) => a + b, 0) / coding.length, maxCoding: Math.max(...coding) };
}

describe('time in the granule layer (spectral timing)', () => {
  it('elapsed time decodes from a sparse granule code, and not without the spectrum of time constants', async () => {
    const spec = loadCircuit('granule-timing').spec;
    const layer = await decode(spec);
    const chance = chanceErrorMs(BINS, BIN);
    expect(chance).toBeGreaterThan(190);
    console.log(
      `[granule-timing] mean |error| ${layer.decoding.meanAbsErrorMs.toFixed(1)} ms (0-300 ms ${errorInRange(layer.decoding, 0, 300).toFixed(1)}, 300-500 ms ${errorInRange(layer.decoding, 300, 500).toFixed(1)}); coding level after 40 ms: mean ${(100 * layer.meanCoding).toFixed(1)}%, max ${(100 * layer.maxCoding).toFixed(1)}%`,
    );
    expect(layer.decoding.meanAbsErrorMs).toBeLessThan(40);
    expect(errorInRange(layer.decoding, 300, 500)).toBeLessThan(60);
    expect(layer.meanCoding).toBeLessThan(0.06);
    expect(layer.maxCoding).toBeLessThan(0.2);

    // The spectrum removed: every subpopulation gets the median subpopulation's time constants and weights.
    const mid = spec.populations.find((p) => p.name === 'granule-10')!;
    const midIn = spec.projections.filter((pj) => pj.target === 'granule-10');
    const flat: NetworkSpec = {
      ...spec,
      populations: spec.populations.map((p) => (p.name.startsWith('granule-') ? { ...p, params: mid.params! } : p)),
      projections: spec.projections.map((pj) => (pj.target.startsWith('granule-') ? { ...midIn.find((m) => m.source === pj.source)!, name: `${pj.name}`, target: pj.target } : pj)),
    };
    const control = await decode(flat);
    console.log(`[granule-timing] without the spectrum: mean |error| ${control.decoding.meanAbsErrorMs.toFixed(1)} ms`);
    expect(control.decoding.meanAbsErrorMs).toBeGreaterThan(layer.decoding.meanAbsErrorMs + 30);
  }, 120_000);
});
