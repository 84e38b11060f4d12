/**
 * The spiking cerebellum (circuits/cerebellum-lif.yaml) against independent references:
 * - the granule code: the conjunction cells the build-time calibration expects per address equal the exact
 *   expectation from the wiring (a cell whose 4 fibres are distinct bits is active for 2^-4 of the addresses; one that
 *   samples both fibres of a bit never is), and the granule cells that fire in the run are those cells;
 * - the balanced read: one Purkinje cell with the circuit's parameters and calibrated feedforward inhibition, driven by
 *   the volleys of N parallel fibres, pauses through the burst when their summed weight is below N w0 (a stored 1) and
 *   fires when it is above, down to 0.2% of a clean read's signal;
 * - the spike log at rest and during reads: Purkinje simple spikes in 20-150 Hz, complex spikes about 1 Hz, no cell
 *   firing on every tick, and at a read the cells whose stored bit is 1 pause while their nuclear cells fire.
 * Recall and agreement with the algebraic SDM are checked by the scenarios (sdm-recall-lif, sdm-capacity-lif).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { calibrateBalance } from '../../src/circuits/calibrate.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork } from '../../src/network/network.ts';
import { startSdmProtocol } from '../../src/scenarios/protocols/sdm.ts';
import { sdmProtocolSchema } from '../../src/scenarios/schema.ts';

const loaded = loadCircuit('cerebellum-lif');
const dt = 0.1;

describe('cerebellum-lif: granule code', () => {
  it('the calibration counts the conjunction cells the wiring predicts', () => {
    const net = buildNetwork(loaded.spec, 3, dt);
    const cal = calibrateBalance(net, loaded.circuit, loaded.file)!;
    const mf = net.projection('mf-grc')!;
    const n = loaded.circuit.sdm!.address_bits;
    const fibres: number[][] = Array.from({ length: net.population('granule')!.size }, () => []);
    for (let f = 0; f < 2 * n; f++) for (let s = mf.csr.rowPtr[f]!; s < mf.csr.rowPtr[f + 1]!; s++) fibres[mf.csr.col[s]!]!.push(f);
    let expected = 0;
    for (const fs of fibres) {
      const bits = new Set(fs.map((f) => f % n));
      if (bits.size === fs.length) expected += 2 ** -fs.length;
    }
    // 64 sampled addresses; the count per address has a standard deviation of about 35 cells (SE about 4.4).
    expect(Math.abs(cal.activeCellsPerVolley - expected)).toBeLessThan(20);
    expect(expected / 20000).toBeCloseTo((1 - 0.0118) / 16, 3);
  });
});

describe('cerebellum-lif: the balanced Purkinje read', () => {
  it('one Purkinje cell pauses through the burst iff the summed parallel-fibre weight is below N w0', async () => {
    const net0 = buildNetwork(loaded.spec, 1, dt);
    const cal = calibrateBalance(net0, loaded.circuit, loaded.file)!;
    const pc = loaded.circuit.populations.purkinje!;
    const N = Math.round(cal.activeCellsPerVolley);
    const w0 = cal.baselineWeight;
    // A clean read moves the summed weight of the active fibres by N x 8 spikes x 0.08 nS; test far smaller offsets.
    const signal = N * 8 * 0.08;
    const offsets = [-0.05, -0.01, -0.002, 0.002, 0.01, 0.05].map((x) => x * signal);
    const burst = Array.from({ length: 8 }, (_, i) => 200 + 4 * i);
    // One source spike stands for the synchronous spikes of the N active parallel fibres.
    const net = buildNetwork(
      {
        name: 'balance',
        origin: 'test',
        populations: [
          { name: 'pf', size: 1, source: { kind: 'spike_generator', spike_times_ms: [burst] } },
          { name: 'pc', size: offsets.length, model: 'lif_cond', params: pc.params! },
        ],
        projections: offsets.flatMap((x, k) => [
          { name: `exc${k}`, source: 'pf', target: 'pc', receptor: 'exc', connectivity: { rule: 'explicit' as const, pairs: [[0, k]] as Array<[number, number]> }, weight: N * w0 + x, delay_ms: 2 },
          { name: `inh${k}`, source: 'pf', target: 'pc', receptor: 'inh', connectivity: { rule: 'explicit' as const, pairs: [[0, k]] as Array<[number, number]> }, weight: N * cal.inhibitoryWeight, delay_ms: 2 },
        ]),
      },
      1,
      dt,
    );
    const sim = await Simulator.create(net, { seed: 1, backend: new CpuBackend() });
    const inBurst = new Array<number>(offsets.length).fill(0);
    let atRest = 0;
    sim.onSpikes((tick, pop, idx) => {
      const t = tick * dt;
      if (pop.name !== 'pc') return;
      // From the second volley's arrival (202 + 4 ms) to the last volley's arrival (230 ms) and 2 ms more. The first
      // trough (before 206 ms) is the shallowest: the calibration balances the steady ones, so a cell reading a 1 by a
      // small margin may fire there once. After the burst every cell fires fast for a few ms while the conductances
      // decay, its intrinsic drive no longer balanced (about 234-250 ms), whatever its weights.
      if (t >= 206 && t < 232) for (const k of idx) inBurst[k]!++;
      if (t >= 100 && t < 200) atRest += idx.length;
    });
    await sim.run(Math.round(260 / dt));
    // At rest the cells fire tonically (45 Hz: 4-5 spikes each in 100 ms).
    expect(atRest / offsets.length).toBeGreaterThanOrEqual(4);
    offsets.forEach((x, k) => {
      if (x < 0) expect(inBurst[k], `offset ${x.toFixed(2)} nS`).toBe(0);
      else expect(inBurst[k], `offset ${x.toFixed(2)} nS`).toBeGreaterThanOrEqual(5);
    });
  });
});

describe('cerebellum-lif: the spike log', () => {
  it('rates at rest are in range, no cell fires on every tick, and a read of a stored pattern pauses its 1-bits', async () => {
    const seed = 4;
    const net = buildNetwork(loaded.spec, seed, dt);
    calibrateBalance(net, loaded.circuit, loaded.file);
    const sim = await Simulator.create(net, { seed, backend: new CpuBackend() });
    const counts = new Map(net.populations.map((p) => [p.name, new Uint32Array(p.size)]));
    const proto = sdmProtocolSchema.parse({ kind: 'sdm', task: 'recall', patterns: 4, noise_bits: [0], cues_per_level: 2, spacing_ms: 80 });
    const run = startSdmProtocol(proto, sim, net, loaded.circuit, seed, 'test');
    // The first read starts after the rest (500 ms) and 4 writes of 80 ms.
    const onset = Math.round(500 / dt) + 1 + 4 * 800;
    const pcBurst = new Uint32Array(256);
    const dcnRead = new Uint32Array(256);
    const fibres = new Set<number>();
    const fired = new Set<number>();
    sim.onSpikes((tick, pop, idx) => {
      const c = counts.get(pop.name)!;
      for (const i of idx) c[i]!++;
      const t = (tick - onset) * dt;
      if (pop.name === 'mossy' && tick === onset) for (const i of idx) fibres.add(i);
      if (pop.name === 'granule' && t >= 0 && t < 32) for (const i of idx) fired.add(i);
      if (pop.name === 'purkinje' && t >= 8 && t < 32) for (const k of idx) pcBurst[k]!++;
      if (pop.name === 'dcn' && t >= 0 && t < 55) for (const k of idx) dcnRead[k]!++;
    });
    await sim.run(run.ticks);
    const { results } = run.finish();
    const rest = results.rest_rates_hz as Record<string, number>;
    expect(rest.purkinje).toBeGreaterThanOrEqual(20);
    expect(rest.purkinje).toBeLessThanOrEqual(150);
    // 256 olivary cells at 1 Hz for 0.5 s: 128 spikes expected, Poisson (SD 11).
    expect(rest.olive).toBeGreaterThan(0.7);
    expect(rest.olive).toBeLessThan(1.3);
    expect(rest.granule).toBe(0);
    expect(rest.golgi).toBeGreaterThan(5);
    expect(rest.golgi).toBeLessThan(30);
    // No cell of any population fires on more than a tenth of the ticks (the threshold-unit Purkinje cells fired on all).
    for (const [name, c] of counts) expect(Math.max(...c) / run.ticks, name).toBeLessThan(0.1);
    // Coding level of every presentation near 1/16 (the conjunction code).
    const [lo, hi] = results.granule_coding_level_range as number[];
    expect(lo).toBeGreaterThan(0.05);
    expect(hi).toBeLessThan(0.075);
    expect(results.granule_spikes_per_active_cell).toBe(8);
    // The granule cells that fire at the first read are the conjunction cells of its mossy fibres, from the wiring.
    const mf = net.projection('mf-grc')!;
    const hits = new Uint32Array(20000);
    const inputs = new Uint32Array(20000);
    for (let f = 0; f < 512; f++) {
      for (let q = mf.csr.rowPtr[f]!; q < mf.csr.rowPtr[f + 1]!; q++) {
        inputs[mf.csr.col[q]!]!++;
        if (fibres.has(f)) hits[mf.csr.col[q]!]!++;
      }
    }
    expect(fibres.size).toBe(256);
    const conjunction = [...inputs.keys()].filter((j) => hits[j] === inputs[j]);
    expect([...fired].sort((a, b) => a - b)).toEqual(conjunction);
    // The first read is pattern 0's own address: its stored 1-bits pause and their nuclear cells fire, the others not.
    expect(results.algebraic_agreement).toBe(1);
    expect((results.bit_accuracy as number[])[0]).toBe(1);
    let ones = 0;
    for (let k = 0; k < 256; k++) {
      const bitOne = dcnRead[k]! > 0;
      if (bitOne) {
        ones++;
        expect(pcBurst[k], `Purkinje cell ${k}`).toBe(0);
      } else expect(pcBurst[k], `Purkinje cell ${k}`).toBeGreaterThan(5);
    }
    expect(ones).toBeGreaterThan(100);
    expect(ones).toBeLessThan(156);
  });

  it('iterative reads: each recall is presented again after the spacing, and the circuit follows the algebraic SDM', async () => {
    const seed = 5;
    const net = buildNetwork(loaded.spec, seed, dt);
    calibrateBalance(net, loaded.circuit, loaded.file);
    const sim = await Simulator.create(net, { seed, backend: new CpuBackend() });
    const proto = sdmProtocolSchema.parse({ kind: 'sdm', task: 'convergence', patterns: 4, noise_bits: [32], cues_per_level: 4, iterations: 3, spacing_ms: 80 });
    const run = startSdmProtocol(proto, sim, net, loaded.circuit, seed, 'test');
    await sim.run(run.ticks);
    const { results, tables } = run.finish();
    expect(results.algebraic_agreement).toBeGreaterThanOrEqual(0.99);
    // Cues 32 bits away are recalled exactly after the first read and stay there.
    expect((results.converged_fraction as number[])[0]).toBe(1);
    expect(tables.trajectories!.map((row) => row.distance_from_32)).toEqual([0, 0, 0]);
  });
});
