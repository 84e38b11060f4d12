/**
 * Unnamed projections get unique default names: two projections between the same pair of populations on different
 * receptors (an excitatory and an inhibitory pathway) build, and each delivers to its own receptor, checked against
 * the closed-form superposition of the two exponential-synapse PSPs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork } from '../../src/network/network.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-names-'));
let files = 0;
const circuit = (extra = '') => {
  const f = path.join(dir, `c${files++}.yaml`);
  writeFileSync(
    f,
    `name: two-receptors
populations:
  src: { size: 1, source: { kind: spike_generator, spike_times_ms: [[1.0]] } }
  dst: { model: lif, size: 1, params: { tau_m: 20, tau_e: 5, tau_i: 10, v_rest: -60, v_th: -50, v_reset: -60 } }
projections:
  - { source: src, target: dst, receptor: exc, connectivity: { rule: all_to_all }, weight: 2, delay_ms: 1 }
  - { source: src, target: dst, receptor: inh, connectivity: { rule: all_to_all }, weight: -1.5, delay_ms: 1 }
${extra}`,
  );
  return f;
};

/** PSP of a unit jump in a synaptic variable with time constant tx, seen through a membrane with tm (Rotter & Diesmann). */
const psp = (tx: number, tm: number, t: number) => (tx / (tx - tm)) * (Math.exp(-t / tx) - Math.exp(-t / tm));

describe('default projection names', () => {
  it('two projections between one pair on different receptors build, each delivering to its receptor', async () => {
    const { spec } = loadCircuit(circuit());
    const net = buildNetwork(spec, 1, 0.1);
    expect(net.projections.map((p) => p.name).sort()).toEqual(['src->dst:exc', 'src->dst:inh']);
    const sim = await Simulator.create(net, { seed: 1, backend: new CpuBackend(false) });
    const v = net.population('dst')!.state.v!;
    const trace: number[] = [];
    for (let k = 0; k < 400; k++) {
      await sim.run(1);
      trace.push(v[0]!);
    }
    // The first tick that moves v is the tick the input was delivered in; after it, the trace is the exact sum of
    // both PSPs (2 mV through tau_e = 5 ms, -1.5 mV through tau_i = 10 ms).
    const first = trace.findIndex((x) => x !== -60);
    expect(first).toBeGreaterThan(0);
    for (let j = 0; first + j < trace.length; j++) {
      const t = (j + 1) * 0.1;
      expect(trace[first + j]!).toBeCloseTo(-60 + 2 * psp(5, 20, t) - 1.5 * psp(10, 20, t), 10);
    }
  });

  it('a pair joined once keeps the plain source->target name; a repeated receptor gets the index too', () => {
    const single = buildNetwork(loadCircuit(circuit()).spec, 1, 0.1);
    expect(single.projections).toHaveLength(2);
    const three = buildNetwork(loadCircuit(circuit('  - { source: src, target: dst, receptor: exc, connectivity: { rule: all_to_all }, weight: 1, delay_ms: 2 }\n')).spec, 1, 0.1);
    expect(three.projections.map((p) => p.name)).toEqual(['src->dst:exc:0', 'src->dst:inh', 'src->dst:exc:2']);
    const cuba = buildNetwork(loadCircuit('cuba').spec, 1, 0.1);
    expect(cuba.projections.map((p) => p.name)).toEqual(['exc->exc', 'exc->inh', 'inh->exc', 'inh->inh']);
  });

  it('a name given twice is still refused with one line naming the field', () => {
    const f = circuit('  - { name: src->dst:inh, source: src, target: dst, receptor: exc, connectivity: { rule: all_to_all }, weight: 1, delay_ms: 2 }\n');
    expect(() => buildNetwork(loadCircuit(f).spec, 1, 0.1)).toThrow(/\/projections\/2\/name: a unique projection name, 'src->dst:inh' is taken/);
  });
});
