/**
 * Sweep input: bad grids and unreachable queues end with one line naming what was wrong and exit code 2, before any
 * run starts and with no output folder left; good grids expand to every combination, in order, with keys that depend
 * on the documents a run reads and on nothing else.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { planSweep } from '../../src/sweep/sweep.ts';
import { splitValues } from '../../src/sweep/grid.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-sweep-grid-'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('bad sweep input: one line, exit 2, nothing run or written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown path', ['cuba', '--grid', 'duration=100,200'], /^purkinje: --grid duration: a field of scenario 'cuba': the scenario has no field 'duration' \(its fields: name, .*duration_ms/],
    ['path under a protocol the scenario does not have', ['cuba', '--grid', 'protocol.patterns=10'], /--grid protocol\.patterns: a field of scenario 'cuba': 'protocol' is not set in the file, so it has no field 'patterns'/],
    ['path under a scalar', ['cuba', '--grid', 'seed.x=1'], /--grid seed\.x: .*'seed' is a single value, it has no field 'x'/],
    ['unknown circuit population', ['cuba', '--grid', 'circuit.populations.zz.size=10'], /--grid circuit\.populations\.zz\.size: .*'populations' has no entry 'zz' \(its entries: exc, inh\)/],
    ['array index out of range', ['cuba', '--grid', 'circuit.projections.9.weight=1'], /--grid circuit\.projections\.9\.weight: .*'projections' is a list of 4 item\(s\), '9' is not an index of it/],
    ['not a number', ['cuba', '--grid', 'duration_ms=100,abc'], /^purkinje: --grid duration_ms=abc: expected a number$/],
    ['not an integer', ['cuba', '--grid', 'seed=1,2.5'], /^purkinje: --grid seed=2\.5: expected an integer$/],
    ['not an integer in the circuit', ['cuba', '--grid', 'circuit.populations.exc.size=100.5'], /--grid circuit\.populations\.exc\.size=100\.5: expected an integer/],
    ['not one of an enum', ['sdm-recall', '--grid', 'protocol.write_rule=counter,hebb'], /--grid protocol\.write_rule=hebb: expected one of counter, error/],
    ['not a list', ['sdm-recall', '--grid', 'protocol.noise_bits=3'], /--grid protocol\.noise_bits=3: expected a list in brackets/],
    ['a list with a wrong element', ['sdm-recall', '--grid', 'protocol.noise_bits=[0,1],[x]'], /--grid protocol\.noise_bits=\[x\]: expected a list in brackets of integer items, such as \[1,1\]/],
    ['a value the schema refuses', ['cuba', '--grid', 'duration_ms=100,-5'], /^purkinje: --grid duration_ms=-5: expected a duration > 0 ms$/],
    ['a duration off the tick grid', ['cuba', '--grid', 'duration_ms=100,0.05'], /^purkinje: --grid duration_ms=0\.05: a multiple of dt \(0\.1 ms\), got 0\.05$/],
    ['a circuit value the network refuses', ['cuba', '--grid', 'circuit.populations.exc.params.tau_m=20,-1'], /--grid circuit\.populations\.exc\.params\.tau_m=-1: must be a finite number > 0 \(ms\), got -1/],
    ['no values', ['cuba', '--grid', 'duration_ms='], /--grid: path=v1,v2,\.\.\./],
    ['an empty value', ['cuba', '--grid', 'duration_ms=100,,200'], /--grid duration_ms: values separated by commas, got an empty one/],
    ['a value twice', ['cuba', '--grid', 'duration_ms=100,100'], /--grid duration_ms=100: each value once/],
    ['a path twice', ['cuba', '--grid', 'duration_ms=100', '--grid', 'duration_ms=200'], /--grid duration_ms: each path once/],
    ['the circuit file itself', ['cuba', '--grid', 'circuit=coba'], /--grid circuit: a field, not the circuit file itself/],
    ['bad seeds', ['cuba', '--seeds', '0'], /--seeds: expected an integer from 1 to 100000, got '0'/],
    ['a queue URL that is not one', ['cuba', '--queue', 'http://localhost:6379'], /--queue: a Redis URL such as redis:\/\/HOST:6379 \(redis:\/\/ or rediss:\/\/\), got 'http:\/\/localhost:6379'/],
  ];
  it.each(cases)('%s', async (_name, argv, pattern) => {
    const out = path.join(dir, `out-${_name.replace(/\W+/g, '-')}`);
    const r = await cli('sweep', ...argv, '--out', out);
    expect(r.stderr.trim()).toMatch(pattern);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('an unreachable queue, for the sweep and for a worker', async () => {
    const port = await closedPort();
    const out = path.join(dir, 'out-unreachable');
    const r = await cli('sweep', 'cuba', '--grid', 'duration_ms=100', '--queue', `redis://127.0.0.1:${port}`, '--out', out);
    expect(r.stderr).toBe(`purkinje: --queue: a reachable Redis server at redis://127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const w = await cli('worker', '--queue', `redis://127.0.0.1:${port}`);
    expect(w.code).toBe(2);
    expect(w.stderr).toBe(`purkinje: --queue: a reachable Redis server at redis://127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`);
  });

  it('a server that is not Redis', async () => {
    // An HTTP-like server that answers anything with a line that is not a Redis reply.
    const s = createServer((c) => c.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    try {
      const r = await cli('sweep', 'cuba', '--grid', 'duration_ms=100', '--queue', `redis://127.0.0.1:${port}`, '--out', path.join(dir, 'out-http'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^purkinje: --queue: a reachable Redis server at redis:\/\/127\.0\.0\.1:\d+: (not a Redis server|the server closed the connection)/);
    } finally {
      s.close();
    }
  });
});

describe('grid expansion', () => {
  it('splits values at the commas outside brackets', () => {
    expect(splitValues('1,2,3')).toEqual(['1', '2', '3']);
    expect(splitValues('[0,1],[2],3')).toEqual(['[0,1]', '[2]', '3']);
  });

  it('every combination, first axis slowest, each with its seeds; values typed by the schema', () => {
    const plan = planSweep('sdm-recall', ['protocol.write_rule=counter,error', 'protocol.noise_bits=[0,4],[8]', 'seed=3,7'], 2);
    expect(plan.points).toHaveLength(2 * 2 * 2 * 2);
    const p = plan.points;
    expect(p.map((q) => q.values['protocol.write_rule'])).toEqual([...Array(8).fill('counter'), ...Array(8).fill('error')]);
    expect(p.slice(0, 8).map((q) => q.values['protocol.noise_bits'])).toEqual([[0, 4], [0, 4], [0, 4], [0, 4], [8], [8], [8], [8]]);
    // The grid's seed is the first run's; --seeds 2 adds seed + 1.
    expect(p.slice(0, 4).map((q) => q.seed)).toEqual([3, 4, 7, 8]);
    expect(p[5]!.scenario).toMatchObject({ seed: 4, protocol: { write_rule: 'counter', noise_bits: [8] } });
    expect(new Set(p.map((q) => q.key)).size).toBe(16);
  });

  it('keys depend on the documents, not on how they were reached', () => {
    const a = planSweep('cuba', ['duration_ms=100,200'], 2).points;
    const b = planSweep('cuba', ['duration_ms=200,100'], 2).points;
    // Same (value, seed) -> same key, whatever the order of the grid.
    const key = (ps: typeof a) => Object.fromEntries(ps.map((q) => [`${q.values.duration_ms}/${q.seed}`, q.key]));
    expect(key(a)).toEqual(key(b));
    // Setting the seed through the grid gives the key of the same run reached through --seeds.
    const c = planSweep('cuba', ['duration_ms=100', 'seed=2'], 1).points;
    expect(c[0]!.key).toBe(key(a)['100/2']);
    // A value that changes nothing (the circuit's own weight) gives the key of the run without it.
    const d = planSweep('cuba', ['duration_ms=100', 'circuit.projections.2.weight=-9'], 1).points;
    expect(d[0]!.key).toBe(key(a)['100/1']);
  });

  it('a value under a YAML alias changes that place only', () => {
    // circuits/cuba.yaml gives both populations the same params through an anchor (&lif / *lif).
    const [p] = planSweep('cuba', ['circuit.populations.exc.params.tau_m=15'], 1).points;
    const pops = (p!.circuit as { populations: Record<string, { params: { tau_m: number } }> }).populations;
    expect(pops.exc!.params.tau_m).toBe(15);
    expect(pops.inh!.params.tau_m).toBe(20);
  });
});
