/**
 * The networks whose synapses test/network/csr-hashes.test.ts pins down: every circuit in circuits/ at the seeds
 * its scenarios use, every connectivity rule with and without autapses and multapses, constant, drawn and plastic
 * weights, constant and drawn delays, at several seeds (one above 2^32, so both key words of the RNG matter).
 *
 * `hashNetwork` digests each projection's CSR (nPre, nPost, rowPtr, col, weights, delays, in their stored order),
 * so any change to which synapses a seed gives, or to their order, changes a hash. The reference hashes in
 * csr-hashes.json were written by `npx tsx test/network/write-csr-hashes.ts` with the pair-list builder (pairs ->
 * sortPairs -> CSR) that the direct CSR builders replaced; regenerate them only when a change to the network a seed
 * gives is intended, and say so in docs/DECISIONS.md.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadScenario, SCENARIOS_DIR } from '../../src/scenarios/loader.ts';
import type { ConnectivityRule } from '../../src/network/connectivity.ts';
import type { ValueSpec } from '../../src/network/distributions.ts';
import { type Network, type NetworkSpec, type ProjectionSpec, buildNetwork } from '../../src/network/network.ts';

/** One network to build: a spec, a seed and a time step. */
export interface CsrCase {
  readonly key: string;
  readonly spec: NetworkSpec;
  readonly seed: number;
  readonly dtMs: number;
}

/** Short sha256 of each projection's CSR, by projection name. */
export function hashNetwork(net: Network): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of net.projections) {
    const c = p.csr;
    const h = createHash('sha256');
    h.update(`${c.nPre} ${c.nPost} w=${c.weights ? 'array' : c.weight} d=${c.delays ? 'array' : c.delay}\n`);
    const bytes = (a: ArrayBufferView) => h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    bytes(c.rowPtr);
    bytes(c.col);
    if (c.weights) bytes(c.weights);
    if (c.delays) bytes(c.delays);
    out[p.name] = `${p.synapses}:${h.digest('hex').slice(0, 24)}`;
  }
  return out;
}

/** Every circuit that a scenario in scenarios/ runs, at that scenario's seed and time step (duplicates dropped). */
export function circuitCases(): CsrCase[] {
  const cases = new Map<string, CsrCase>();
  for (const f of readdirSync(SCENARIOS_DIR).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const loaded = loadScenario(path.join(SCENARIOS_DIR, f));
    if (!loaded.circuit) continue;
    const seed = loaded.scenario.seed;
    const dtMs = loaded.scenario.dt_ms ?? loaded.circuit.circuit.dt_ms ?? 0.1;
    const key = `circuit ${loaded.circuit.circuit.name} seed ${seed} dt ${dtMs}`;
    if (!cases.has(key)) cases.set(key, { key, spec: loaded.circuit.spec, seed, dtMs });
  }
  return [...cases.values()];
}

const lif = (name: string, size: number) => ({ name, size, model: 'lif' });

/** Projection shorthand: the receptor is exc unless the weight is negative. */
function pj(name: string, source: string, target: string, connectivity: ConnectivityRule, weight: ValueSpec = 1, delay_ms: ValueSpec = 0.1, plastic = false): ProjectionSpec {
  return { name, source, target, receptor: 'exc', connectivity, weight, delay_ms, ...(plastic ? { plastic } : {}) };
}

const uniformW: ValueSpec = { uniform: { low: 0.5, high: 1.5 } };
const normalW: ValueSpec = { normal: { mean: 1, sd: 0.5, low: 0.2, high: 1.4 } };
const lognormalW: ValueSpec = { lognormal: { mu: 0, sigma: 0.3 } };
const uniformD: ValueSpec = { uniform: { low: 0.1, high: 3 } };
const normalD: ValueSpec = { normal: { mean: 1.5, sd: 1 } };
const lognormalD: ValueSpec = { lognormal: { mu: 0, sigma: 0.5 } };

/** Every rule and option on small populations (a 300, b 200, a Poisson source of 150, 32 on/off fibres). */
const RULES_SPEC: NetworkSpec = {
  name: 'rules',
  origin: 'test/network/csr-cases.ts',
  populations: [
    lif('a', 300),
    lif('b', 200),
    { name: 'src', size: 150, source: { kind: 'poisson', rate_hz: 10 } },
    { name: 'fibres', size: 32, source: { kind: 'external' } },
    { name: 'one', size: 1, source: { kind: 'external' } },
  ],
  projections: [
    pj('all', 'a', 'b', { rule: 'all_to_all' }),
    pj('all-self', 'a', 'a', { rule: 'all_to_all' }, uniformW),
    pj('all-noauto', 'b', 'b', { rule: 'all_to_all', allow_autapses: false }, 1, uniformD),
    pj('one', 'a', 'a', { rule: 'one_to_one' }, normalW),
    pj('in', 'a', 'a', { rule: 'fixed_indegree', indegree: 20 }),
    pj('in-noauto', 'a', 'a', { rule: 'fixed_indegree', indegree: 20, allow_autapses: false }, lognormalW, normalD),
    pj('in-nomulti', 'a', 'a', { rule: 'fixed_indegree', indegree: 40, allow_multapses: false }, 2, 1.5),
    pj('in-distinct', 'a', 'a', { rule: 'fixed_indegree', indegree: 299, allow_autapses: false, allow_multapses: false }, 1, 0.1, true),
    pj('in-ab', 'a', 'b', { rule: 'fixed_indegree', indegree: 25, allow_autapses: false, allow_multapses: false }, uniformW, lognormalD),
    pj('in-src', 'src', 'b', { rule: 'fixed_indegree', indegree: 150, allow_multapses: false }),
    pj('in-one', 'one', 'b', { rule: 'fixed_indegree', indegree: 3 }),
    pj('in-zero', 'a', 'b', { rule: 'fixed_indegree', indegree: 0 }),
    pj('out', 'a', 'a', { rule: 'fixed_outdegree', outdegree: 20 }, normalW),
    pj('out-noauto', 'b', 'b', { rule: 'fixed_outdegree', outdegree: 15, allow_autapses: false }, 1, uniformD),
    pj('out-nomulti', 'a', 'a', { rule: 'fixed_outdegree', outdegree: 50, allow_multapses: false }),
    pj('out-distinct', 'b', 'b', { rule: 'fixed_outdegree', outdegree: 199, allow_autapses: false, allow_multapses: false }, 1, 0.1, true),
    pj('out-src', 'src', 'a', { rule: 'fixed_outdegree', outdegree: 30, allow_multapses: false }, lognormalW, normalD),
    pj('bern', 'a', 'a', { rule: 'pairwise_bernoulli', p: 0.05 }),
    pj('bern-noauto', 'a', 'a', { rule: 'pairwise_bernoulli', p: 0.3, allow_autapses: false }, normalW, uniformD),
    pj('bern-ab', 'a', 'b', { rule: 'pairwise_bernoulli', p: 0.02 }, uniformW, lognormalD),
    pj('bern-one', 'b', 'b', { rule: 'pairwise_bernoulli', p: 1, allow_autapses: false }),
    pj('bern-zero', 'b', 'a', { rule: 'pairwise_bernoulli', p: 0 }),
    pj('bern-src', 'src', 'b', { rule: 'pairwise_bernoulli', p: 0.5 }, 1, 0.1, true),
    pj('addr', 'fibres', 'a', { rule: 'address_match', bits: 16 }),
    pj('addr-stream', 'fibres', 'b', { rule: 'address_match', bits: 16, stream: 'other' }, uniformW, uniformD),
    pj('explicit', 'a', 'b', { rule: 'explicit', pairs: [[5, 3], [0, 2], [5, 1], [0, 2], [299, 199], [5, 0]] }, uniformW, uniformD),
    // Unnamed projections on the same pair: default names with receptors and indices key their streams.
    { source: 'b', target: 'a', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 5 }, weight: 1, delay_ms: 0.1 },
    { source: 'b', target: 'a', receptor: 'inh', connectivity: { rule: 'fixed_indegree', indegree: 5 }, weight: -1, delay_ms: 0.1 },
  ],
};

/** The CUBA-like network of bench/scale.ts: exc 80%, inh 20%, indegree k (fixed) or p = k / n (Bernoulli). */
export function cubaLikeSpec(n: number, k: number, rule: 'fixed_indegree' | 'pairwise_bernoulli'): NetworkSpec {
  const nExc = Math.round(0.8 * n);
  const conn = (from: number): ConnectivityRule =>
    rule === 'fixed_indegree' ? { rule, indegree: Math.round((k * from) / n) } : { rule, p: k / n };
  const proj = (source: string, target: string, receptor: string, weight: number, from: number): ProjectionSpec => ({
    source,
    target,
    receptor,
    connectivity: conn(from),
    weight,
    delay_ms: 0.1,
  });
  return {
    name: `cuba-like-${rule}`,
    origin: 'test/network/csr-cases.ts',
    populations: [lif('exc', nExc), lif('inh', n - nExc)],
    projections: [
      proj('exc', 'exc', 'exc', 1.62, nExc),
      proj('exc', 'inh', 'exc', 1.62, nExc),
      proj('inh', 'exc', 'inh', -9, n - nExc),
      proj('inh', 'inh', 'inh', -9, n - nExc),
    ],
  };
}

/** The rule matrix at several seeds, and CUBA-like networks of 20,000 neurons. */
export function ruleCases(): CsrCase[] {
  const cases: CsrCase[] = [];
  for (const seed of [1, 2, 12345, 2 ** 40 + 7]) cases.push({ key: `rules seed ${seed}`, spec: RULES_SPEC, seed, dtMs: 0.1 });
  for (const rule of ['fixed_indegree', 'pairwise_bernoulli'] as const)
    cases.push({ key: `cuba-like ${rule} n 20000 seed 7`, spec: cubaLikeSpec(20000, 80, rule), seed: 7, dtMs: 0.1 });
  return cases;
}

/** All cases, circuits first. */
export function allCases(): CsrCase[] {
  return [...circuitCases(), ...ruleCases()];
}

/** Builds every case and hashes it, keyed by case. */
export function computeHashes(cases: readonly CsrCase[] = allCases()): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of cases) out[c.key] = hashNetwork(buildNetwork(c.spec, c.seed, c.dtMs));
  return out;
}
