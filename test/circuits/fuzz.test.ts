/**
 * Malformed circuit and scenario files: every mutation of a valid file either loads and builds, or fails with an
 * InputError naming the file (one line); nothing else is ever thrown.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { InputError } from '../../src/core/errors.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { buildNetwork } from '../../src/network/network.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-fuzz-'));
const small = parse(`name: small
populations:
  a: { model: lif, size: 30, params: { v_rest: -49 }, init: { v: { uniform: { low: -60, high: -50 } } } }
  b: { model: lif_cond, size: 10 }
  p: { size: 5, source: { kind: poisson, rate_hz: 10 } }
projections:
  - { source: a, target: b, receptor: exc, connectivity: { rule: fixed_indegree, indegree: 5 }, weight: 1, delay_ms: 1 }
  - { source: p, target: a, receptor: exc, connectivity: { rule: pairwise_bernoulli, p: 0.5 }, weight: { normal: { mean: 1, sd: 0.1 } }, delay_ms: 0.5 }
`);
const scenario = { name: 's', circuit: 'CIRCUIT', duration_ms: 10, stimuli: [{ kind: 'current_step', population: 'a', start_ms: 0, stop_ms: 5, amplitude: 1 }] };

/** Paths to every value in a document. */
function paths(x: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (x === null || typeof x !== 'object') return [at];
  const entries = Array.isArray(x) ? x.map((v, i) => [i, v] as const) : Object.entries(x);
  return [at, ...entries.flatMap(([k, v]) => paths(v, [...at, k]))];
}

const junk = fc.oneof(fc.constant(null), fc.constant(-1), fc.constant(0), fc.constant(1e308), fc.constant(''), fc.constant('x'), fc.constant([]), fc.constant({}), fc.constant(true), fc.double(), fc.integer({ min: -5, max: 20_000 }), fc.string());

function mutate(doc: unknown, at: Array<string | number>, op: 'delete' | 'replace' | 'add', value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (at.length === 0) return op === 'replace' ? value : copy;
  let node = copy as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = at.at(-1)!;
  if (op === 'delete') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else if (op === 'replace') node[last] = value;
  else if (node && typeof node === 'object' && !Array.isArray(node)) node['unexpected_field'] = value;
  return copy;
}

function expectInputErrorOrSuccess(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    expect(e.message.split('\n')).toHaveLength(1);
  }
}

describe('loader fuzzing', () => {
  it('circuit files: InputError or success, never a crash', () => {
    const all = paths(small);
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.constantFrom('delete', 'replace', 'add') as fc.Arbitrary<'delete' | 'replace' | 'add'>, junk, fc.boolean(), (i, op, value, asText) => {
        const file = path.join(dir, 'c.yaml');
        const doc = mutate(small, all[i]!, op, value);
        writeFileSync(file, asText ? stringify(doc) : JSON.stringify(doc));
        expectInputErrorOrSuccess(() => {
          const c = loadCircuit(file);
          buildNetwork(c.spec, 1, 0.1);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('scenario files: InputError or success, never a crash', () => {
    const circuitFile = path.join(dir, 'small.yaml');
    writeFileSync(circuitFile, stringify(small));
    const base = { ...scenario, circuit: circuitFile };
    const all = paths(base);
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.constantFrom('delete', 'replace', 'add') as fc.Arbitrary<'delete' | 'replace' | 'add'>, junk, (i, op, value) => {
        const file = path.join(dir, 's.yaml');
        writeFileSync(file, stringify(mutate(base, all[i]!, op, value)));
        expectInputErrorOrSuccess(() => loadScenario(file));
      }),
      { numRuns: 300 },
    );
  });

  it('byte-level garbage in a file is an InputError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const file = path.join(dir, 'g.yaml');
        writeFileSync(file, bytes);
        expectInputErrorOrSuccess(() => loadCircuit(file));
      }),
      { numRuns: 200 },
    );
    void readFileSync;
  });

  it('sizes and synapse counts past the limits are refused before anything is allocated', () => {
    const huge = structuredClone(small);
    huge.populations.a.size = 60_000_000;
    writeFileSync(path.join(dir, 'h1.yaml'), stringify(huge));
    expect(() => loadCircuit(path.join(dir, 'h1.yaml'))).toThrow(/\/populations\/a\/size: .*50000000/);
    const dense = structuredClone(small);
    dense.populations.a.size = 40_000;
    dense.populations.b.size = 40_000;
    dense.projections[0].connectivity = { rule: 'all_to_all' };
    writeFileSync(path.join(dir, 'h2.yaml'), stringify(dense));
    const c = loadCircuit(path.join(dir, 'h2.yaml'));
    const rss = process.memoryUsage().rss;
    expect(() => buildNetwork({ ...c.spec, populations: c.spec.populations.map((p) => ({ ...p, init: {} })) }, 1, 0.1)).toThrow(/at most 1,000,000,000 synapses per projection/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(500e6);
  });
});
