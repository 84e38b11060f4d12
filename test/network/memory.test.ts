/**
 * Memory estimates: a circuit the machine cannot hold is refused before anything is allocated, with one line naming
 * the population or projection and the estimate; and the estimate agrees with the array memory Node reports after
 * building and starting real circuits (measured in a child process with garbage collection forced).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { estimateMemory, synapseMemory } from '../../src/network/memory.ts';
import { buildNetwork } from '../../src/network/network.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-memory-'));
function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

// 50 million LIF neurons with 10 ms delays: 2 receptors x 101 ring slots x 8 bytes x 5e7 = 80.8 GB of delay rings.
const huge = file(
  'huge.yaml',
  `name: huge
populations:
  big: { model: lif, size: 50000000 }
projections:
  - { source: big, target: big, receptor: exc, connectivity: { rule: one_to_one }, weight: 0.1, delay_ms: 10 }
`,
);

describe('circuits the machine cannot hold', () => {
  it('validate refuses a 50-million-neuron circuit with long delays in one line, before allocating it', async () => {
    const rss = process.memoryUsage().rss;
    const r = await cli('validate', huge);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/huge\.yaml: \/populations\/big\/size: a circuit this machine can hold: population 'big' needs about 8\d\.\d GB \(delay rings 80\.8 GB, state 1\.60 GB/);
    expect(r.stderr).toMatch(/--max-memory sets the limit/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(500e6);
  });

  it('run refuses it the same way; --max-memory sets the limit for smaller circuits too', async () => {
    const r = await cli('run', file('huge-scenario.yaml', `name: h\ncircuit: ${huge}\nduration_ms: 1\n`), '--out', path.join(dir, 'h'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/population 'big' needs about/);
    // CUBA needs about 20 MB: refused under 100 MB (with the process itself counted), accepted under 1 GB.
    const small = await cli('validate', 'circuits/cuba.yaml', '--max-memory', '100M');
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/cuba\.yaml: \/(populations\/exc\/size|projections\/\d\/connectivity): a circuit this machine can hold/);
    const ok = await cli('validate', 'circuits/cuba.yaml', '--max-memory', '1G');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/about \d+(\.\d+)? MB of memory/);
    expect((await cli('validate', 'circuits/cuba.yaml', '--max-memory', 'lots')).stderr).toMatch(/--max-memory: expected a size such as 32G or 512M, got 'lots'/);
  });
});

describe('the estimate against what Node reports', () => {
  const circuits: Array<[string, string]> = [
    ['cuba (random indegree, constant weights)', path.resolve('circuits/cuba.yaml')],
    ['cerebellum-kanerva (plastic weights, sources)', path.resolve('circuits/cerebellum-kanerva.yaml')],
    [
      'drawn weights and delays, 8 ms rings',
      file(
        'drawn.yaml',
        `name: drawn
populations:
  a: { model: lif, size: 20000 }
  b: { model: lif_cond, size: 30000 }
projections:
  - { source: a, target: b, receptor: exc, connectivity: { rule: fixed_indegree, indegree: 40 }, weight: { uniform: { low: 0.1, high: 0.5 } }, delay_ms: { uniform: { low: 1, high: 8 } } }
  - { source: b, target: a, receptor: inh, connectivity: { rule: pairwise_bernoulli, p: 0.002 }, weight: -1, delay_ms: 2 }
`,
      ),
    ],
  ];
  it.each(circuits)('%s: within 15 percent of the array memory held after building and one tick', (_name, f) => {
    const measured = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.resolve('test/network/measure-memory.ts'), f], { encoding: 'utf8' }),
    ) as { bytes: number };
    const estimate = estimateMemory(loadCircuit(f).spec, 0.1).steady;
    expect(measured.bytes).toBeGreaterThan(1e6);
    expect(Math.abs(estimate - measured.bytes) / measured.bytes).toBeLessThan(0.15);
  });
});

describe('bytes per synapse of a built network (synapseMemory)', () => {
  it('counts row pointers, targets, and weights and delays where stored per synapse, in all and per projection', () => {
    const net = buildNetwork(
      {
        name: 'x',
        origin: 'test',
        populations: [
          { name: 'a', size: 1000, model: 'lif' },
          { name: 'b', size: 500, model: 'lif' },
        ],
        projections: [
          { name: 'const', source: 'a', target: 'b', receptor: 'exc', connectivity: { rule: 'fixed_indegree', indegree: 100 }, weight: 1, delay_ms: 1 },
          { name: 'drawn', source: 'b', target: 'a', receptor: 'inh', connectivity: { rule: 'fixed_outdegree', outdegree: 20 }, weight: { uniform: { low: -2, high: -1 } }, delay_ms: { uniform: { low: 1, high: 3 } } },
          { name: 'plastic', source: 'a', target: 'a', receptor: 'exc', connectivity: { rule: 'one_to_one' }, weight: 0.5, delay_ms: 1, plastic: true },
        ],
      },
      1,
      0.1,
    );
    const m = synapseMemory(net);
    const [c, d, p] = m.projections;
    // 50,000 synapses with one weight and delay: 4 bytes each and 1001 row pointers.
    expect(c).toEqual({ name: 'const', synapses: 50_000, bytes: 4 * 50_000 + 4 * 1001, bytesPerSynapse: 4 + (4 * 1001) / 50_000, parts: { rowPointers: 4004, targets: 200_000, weights: 0, delays: 0 } });
    // 10,000 synapses with a float32 weight and a uint16 delay each: 10 bytes, and 501 row pointers.
    expect(d!.parts).toEqual({ rowPointers: 2004, targets: 40_000, weights: 40_000, delays: 20_000 });
    expect(d!.bytesPerSynapse).toBeCloseTo(10 + 2004 / 10_000, 12);
    // Plastic weights are stored per synapse even when they start equal.
    expect(p!.parts).toEqual({ rowPointers: 4004, targets: 4000, weights: 4000, delays: 0 });
    expect(m.synapses).toBe(61_000);
    expect(m.bytes).toBe(c!.bytes + d!.bytes + p!.bytes);
    expect(m.bytes).toBe(net.synapseBytes);
    expect(m.bytesPerSynapse).toBe(m.bytes / 61_000);
    expect(synapseMemory({ projections: [] })).toEqual({ synapses: 0, bytes: 0, bytesPerSynapse: 0, projections: [] });
  });

  it('the estimate counts the scratch space of each rule while it is built', () => {
    const rules = [
      { rule: 'fixed_indegree', indegree: 10 },
      { rule: 'pairwise_bernoulli', p: 0.01 },
      { rule: 'fixed_outdegree', outdegree: 10 },
      { rule: 'all_to_all' },
    ] as const;
    const e = estimateMemory(
      {
        populations: [{ name: 'a', size: 1000, model: 'lif' }],
        projections: rules.map((connectivity, k) => ({ name: `p${k}`, source: 'a', target: 'a', receptor: 'exc', connectivity, weight: 1, delay_ms: 1 })),
      },
      0.1,
    );
    expect(e.items.filter((i) => i.kind === 'projection').map((i) => i.buildBytes)).toEqual([40_000, 40_000, 0, 0]);
    expect(e.peak - e.steady).toBe(40_000);
  });
});
