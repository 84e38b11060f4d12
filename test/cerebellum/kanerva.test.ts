/**
 * The Kanerva-mode cerebellum against exact combinatorics and against the algebraic SDM:
 * - granule cells active for an address, and shared by two addresses dv apart, average r I(n, d, dv) / 2^n
 *   (I = circle intersection, exact; src/analysis/sdm-theory is checked against test/fixtures/reference/sdm_attention.json);
 * - the firing granule cells are exactly the algebraic SDM's active set, and after writing m patterns through the
 *   spiking protocol every read bit equals the algebraic SDM's, auto- and heteroassociative (n = 256, r = 20,000, m = 50).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { CounterRng, streamId } from '../../src/core/rng.ts';
import { circleIntersection } from '../../src/analysis/sdm-theory/index.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork } from '../../src/network/network.ts';
import { BinarySdm } from '../../src/models/memory/sdm/binary.ts';
import { flipBits, randomBits } from '../../src/models/memory/sdm/bits.ts';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { runScenario } from '../../src/scenarios/runner.ts';
import { sdmProtocolSchema } from '../../src/scenarios/schema.ts';

const n = 64;
const d = 24;
const r = 4000;

async function granuleLayer(seed: number) {
  const net = buildNetwork(
    {
      name: 'grc',
      origin: 'test',
      populations: [
        { name: 'mossy', size: 2 * n, source: { kind: 'external' } },
        { name: 'granule', size: r, model: 'threshold_unit', params: { theta: n - d } },
      ],
      projections: [{ source: 'mossy', target: 'granule', receptor: 'exc', connectivity: { rule: 'address_match', bits: n }, weight: 1, delay_ms: 0.1 }],
    },
    seed,
    0.1,
  );
  const sim = await Simulator.create(net, { seed, backend: new CpuBackend() });
  const fired = new Map<number, Uint32Array>();
  sim.onSpikes((tick, pop, idx) => {
    if (pop.name === 'granule') fired.set(tick, Uint32Array.from(idx));
  });
  return { sim, fired };
}

const mossyOf = (x: Uint8Array) => Array.from(x, (b, i) => (b === 1 ? i : n + i));

describe('Kanerva-mode granule layer', () => {
  it('activates r I(n, d, dv) / 2^n cells for one address (dv = 0) and shares that many between addresses dv apart', async () => {
    const rng = new CounterRng(99);
    const dvs = [0, 4, 8, 16];
    const samples = 60;
    const counts = new Map<number, number[]>(dvs.map((dv) => [dv, []]));
    for (let s = 0; s < samples; s++) {
      // A fresh set of hard locations per sample: the expectation is over locations and addresses.
      const { sim, fired } = await granuleLayer(1000 + s);
      const x = randomBits(rng, n, streamId('mc:x'), s);
      dvs.forEach((dv, q) => sim.injectSpikes('mossy', 10 * q, mossyOf(x)));
      dvs.forEach((dv, q) => sim.injectSpikes('mossy', 10 * q + 5, mossyOf(flipBits(x, dv, rng, streamId('mc:flip'), s * 10 + q))));
      await sim.run(10 * dvs.length + 5);
      dvs.forEach((dv, q) => {
        const a = new Set(fired.get(10 * q + 2) ?? []);
        const b = fired.get(10 * q + 7) ?? new Uint32Array(0);
        counts.get(dv)!.push(b.filter((j) => a.has(j)).length);
      });
    }
    for (const dv of dvs) {
      const p = Number(circleIntersection(n, d, dv)) / 2 ** n;
      const c = counts.get(dv)!;
      const mean = c.reduce((a, b) => a + b, 0) / c.length;
      // Each location is in the intersection independently with probability p: the count is Binomial(r, p).
      const se = Math.sqrt((r * p * (1 - p)) / c.length);
      expect(Math.abs(mean - r * p)).toBeLessThan(4 * se);
    }
  });

  it('fires exactly the algebraic SDM active set (same seed, same hard locations)', async () => {
    const { sim, fired } = await granuleLayer(7);
    const sdm = new BinarySdm({ n, r, d, valueBits: 1, seed: 7 });
    const rng = new CounterRng(5);
    const xs = Array.from({ length: 20 }, (_, i) => randomBits(rng, n, streamId('x'), i));
    xs.forEach((x, i) => sim.injectSpikes('mossy', 5 * i, mossyOf(x)));
    await sim.run(5 * xs.length + 3);
    xs.forEach((x, i) => expect(Array.from(fired.get(5 * i + 2) ?? [])).toEqual(Array.from(sdm.activeSet(x))));
  });
});

describe('the spiking cerebellum reads what the algebraic SDM reads, bit for bit', () => {
  const base = loadScenario('sdm-recall');
  it.each(['auto', 'hetero'] as const)('%s-associative, n = 256, r = 20,000, m = 50', async (association) => {
    const protocol = sdmProtocolSchema.parse({ ...base.scenario.protocol, association, noise_bits: [0, 32, 64], cues_per_level: 10 });
    const s = await runScenario({ ...base, scenario: { ...base.scenario, protocol } });
    const res = s.results as { hard_locations: number; algebraic_agreement: number; granule_sets_equal_fraction: number; unanswered_reads: number; bit_accuracy: number[] };
    expect(res.hard_locations).toBe(20000);
    expect(res.algebraic_agreement).toBe(1);
    expect(res.granule_sets_equal_fraction).toBe(1);
    expect(res.unanswered_reads).toBe(0);
    expect(res.bit_accuracy[0]).toBe(1);
    // Sanity: noise does cost accuracy, so agreement is not trivial.
    expect(res.bit_accuracy[2]).toBeLessThan(0.99);
  });
});
