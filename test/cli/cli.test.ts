/**
 * The CLI: bad input of every kind gives one line naming the place and exit code 2, and leaves no output behind;
 * `run --json` prints one JSON document and nothing else; validate and list work.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-cli-'));
const circuitPath = path.resolve('circuits/cuba.yaml');
const good = readFileSync(circuitPath, 'utf8');

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const smallCircuit = `name: small
populations:
  a: { model: lif, size: 20, params: { v_rest: -49 } }
  b: { model: lif, size: 10 }
projections:
  - { source: a, target: b, receptor: exc, connectivity: { rule: fixed_indegree, indegree: 5 }, weight: 1, delay_ms: 1 }
`;
const smallScenario = (circuit: string, extra = '') => `name: small
circuit: ${circuit}
duration_ms: 100
${extra}`;

describe('bad input: one line, naming file and field, exit code 2, no output', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['unknown scenario', () => ['run', 'no-such-scenario'], /no-such-scenario: a scenario file path or the name of a file in scenarios\//],
    ['YAML syntax error', () => ['run', file('bad.yaml', 'name: [unclosed\n')], /bad\.yaml:\d+:\d+: valid YAML or JSON/],
    ['unknown field in a scenario', () => ['run', file('s1.yaml', smallScenario('cuba', 'durration: 5\n'))], /s1\.yaml: \/: unknown field 'durration'/],
    ['negative duration', () => ['run', file('s2.yaml', smallScenario('cuba').replace('100', '-5'))], /s2\.yaml: \/duration_ms: expected a duration > 0 ms/],
    ['circuit not found', () => ['run', file('s3.yaml', smallScenario('nowhere'))], /s3\.yaml: \/circuit: a circuit file path/],
    ['population size not an integer', () => ['validate', file('c1.yaml', smallCircuit.replace('size: 20', 'size: 2.5'))], /c1\.yaml: \/populations\/a\/size: expected int/],
    ['unknown model', () => ['validate', file('c2.yaml', smallCircuit.replace('model: lif, size: 10', 'model: hh, size: 10'))], /c2\.yaml: \/populations\/b\/model: one of lif, lif_cond, threshold_unit, adex, kwta_unit, got 'hh'/],
    ['parameter out of range', () => ['validate', file('c3.yaml', smallCircuit.replace('v_rest: -49', 'tau_m: -1'))], /c3\.yaml: \/populations\/a\/params\/tau_m: must be a finite number > 0 \(ms\), got -1/],
    ['unknown parameter', () => ['validate', file('c4.yaml', smallCircuit.replace('v_rest: -49', 'tau_x: 1'))], /c4\.yaml: \/populations\/a\/params\/tau_x: a parameter of lif/],
    ['projection to an unknown population', () => ['validate', file('c5.yaml', smallCircuit.replace('target: b', 'target: c'))], /c5\.yaml: \/projections\/0\/target: a population name \(a, b\), got 'c'/],
    ['unknown receptor', () => ['validate', file('c6.yaml', smallCircuit.replace('receptor: exc', 'receptor: nmda'))], /c6\.yaml: \/projections\/0\/receptor: one of exc, inh for lif, got 'nmda'/],
    ['delay below one tick', () => ['validate', file('c7.yaml', smallCircuit.replace('delay_ms: 1', 'delay_ms: 0.01'))], /c7\.yaml: \/projections\/0\/delay_ms: delays of at least one tick/],
    ['impossible indegree', () => ['validate', file('c8.yaml', smallCircuit.replace('indegree: 5 }', 'indegree: 50, allow_multapses: false }'))], /c8\.yaml: \/projections\/0\/connectivity: indegree 50 exceeds/],
    ['probability above 1', () => ['validate', file('c9.yaml', smallCircuit.replace('{ rule: fixed_indegree, indegree: 5 }', '{ rule: pairwise_bernoulli, p: 1.5 }'))], /c9\.yaml: \/projections\/0\/connectivity\/p: expected a probability in \[0, 1\]/],
    ['relation between parameters', () => ['validate', file('c10.yaml', smallCircuit.replace('v_rest: -49', 'v_reset: -40'))], /c10\.yaml: \/populations\/a\/params\/v_reset: must be below v_th/],
    ['stimulus on an unknown population', () => ['run', file('s4.yaml', smallScenario(circuitPath, 'stimuli: [{ kind: current_step, population: zz, start_ms: 0, stop_ms: 1, amplitude: 1 }]\n'))], /s4\.yaml: \/stimuli\/0\/population: a population of circuit 'cuba' \(exc, inh\), got 'zz'/],
    ['neuron index out of range', () => ['run', file('s5.yaml', smallScenario(circuitPath, 'stimuli: [{ kind: current_step, population: inh, neurons: [900], start_ms: 0, stop_ms: 1, amplitude: 1 }]\n')), '--out', path.join(dir, 'o5')], /s5\.yaml: \/stimuli\/0\/neurons\/0: a neuron index below 800, got 900/],
    ['unknown flag', () => ['run', 'cuba', '--sed', '3'], /unknown option '--sed'/],
    ['bad seed', () => ['run', 'cuba', '--seed', 'abc'], /--seed: expected an integer >= 0, got 'abc'/],
    ['bad backend', () => ['run', 'cuba', '--backend', 'cuda'], /--backend.*cuda.*cpu, gpujs, auto/],
    ['bad duration', () => ['run', 'cuba', '--duration', '-3'], /--duration: expected a number > 0, got '-3'/],
    ['duration off the grid', () => ['run', 'cuba', '--duration', '0.05', '--out', path.join(dir, 'o6')], /--duration: a multiple of dt \(0\.1 ms\), got 0\.05/],
    ['output path is a file', () => ['run', 'cuba', '--duration', '1', '--out', file('afile', 'x')], /--out: a folder path, but .*afile is a file/],
    [
      'worker threads neither auto nor a count',
      () => ['validate', file('s6.yaml', 'name: w\nprotocol: { kind: cls, task: consolidation, workers: many }\n')],
      /s6\.yaml: \/protocol\/workers: expected 'auto' or a whole number of threads from 0 to 64/,
    ],
  ];
  it.each(cases)('%s', async (_name, argv, pattern) => {
    const r = await cli(...argv());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^purkinje: /);
    expect(r.stderr).toMatch(pattern);
  });

  it('leaves no output directory behind when a run fails', async () => {
    const out = path.join(dir, 'o5');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });
});

describe('run', () => {
  it('--json prints exactly one JSON summary with the documented fields, and writes spikes.csv and summary.json', async () => {
    const out = path.join(dir, 'run1');
    const r = await cli('run', 'cuba', '--duration', '200', '--seed', '3', '--out', out, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    for (const k of ['backend', 'seed', 'dt_ms', 'biological_ms', 'build_ms', 'wall_ms', 'populations']) expect(s).toHaveProperty(k);
    expect(s.backend).toBe('cpu');
    expect(s.seed).toBe(3);
    expect(s.biological_ms).toBeCloseTo(200, 9);
    expect(Object.keys(s.populations)).toEqual(['exc', 'inh']);
    const csv = readFileSync(path.join(out, 'spikes.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('t_ms,population,neuron');
    expect(csv.length - 1).toBe(s.populations.exc.spikes + s.populations.inh.spikes);
    expect(csv[1]).toMatch(/^\d+\.\d,(exc|inh),\d+$/);
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(s);
  });

  it('the same seed writes a byte-identical spike log', async () => {
    const a = path.join(dir, 'same-a');
    const b = path.join(dir, 'same-b');
    await cli('run', 'cuba', '--duration', '100', '--seed', '9', '--out', a, '--quiet');
    await cli('run', 'cuba', '--duration', '100', '--seed', '9', '--out', b, '--quiet');
    expect(readFileSync(path.join(a, 'spikes.csv')).equals(readFileSync(path.join(b, 'spikes.csv')))).toBe(true);
  });

  it('the installed command runs from a shell with real exit codes', () => {
    const ok = spawnSync(process.execPath, ['bin/purkinje.js', 'run', 'cuba', '--duration', '50', '--json', '--out', path.join(dir, 'bin1')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).biological_ms).toBeCloseTo(50, 9);
    const bad = spawnSync(process.execPath, ['bin/purkinje.js', 'run', 'cuba', '--frobnicate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('validate and list', () => {
  it('validate accepts the shipped files and says what they are', async () => {
    const r = await cli('validate', 'circuits/cuba.yaml', 'scenarios/cuba.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/circuits\/cuba\.yaml: ok \(circuit 'cuba', 2 populations, \d+ synapses at seed 1, about \d+(\.\d+)? MB of memory\)/);
    expect(r.stdout).toMatch(/scenarios\/cuba\.yaml: ok \(scenario 'cuba', circuit 'cuba', about \d+(\.\d+)? MB of memory\)/);
  });

  it('finds a scenario by a path without its extension', async () => {
    const r = await cli('validate', 'scenarios/cls-consolidation');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scenarios\/cls-consolidation: ok \(scenario 'cls-consolidation', model protocol 'cls'\)/);
  });

  it('list names circuits and scenarios with their descriptions', async () => {
    const r = await cli('list', '--json');
    const l = JSON.parse(r.stdout);
    expect(l.circuits.map((c: { name: string }) => c.name)).toContain('cuba');
    expect(l.scenarios.find((s: { name: string }) => s.name === 'cuba').description).toMatch(/CUBA/);
  });

  it('help shows examples', () => {
    const help = execFileSync(process.execPath, ['bin/purkinje.js', 'run', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/Examples:/);
  });
});

void good;

describe('cls-theory', () => {
  it('prints the documented fields as JSON, matching the reference table (test/fixtures/reference/go_cls.json, SNR 4)', async () => {
    const r = await cli('cls-theory', '--snr', '4', '--alpha', '1', '--eta', '0.005', '--epochs', '2000', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const ref = JSON.parse(readFileSync(new URL('../fixtures/reference/go_cls.json', import.meta.url), 'utf8'));
    const row = ref['eta_0.005_epochs_2000'].rows.find((x: unknown[]) => x[0] === 4);
    expect(j.t_star).toBe(row[1]);
    expect(j.eg_at_t_star).toBeCloseTo(row[2], 4);
    expect(j.et_at_t_star).toBeCloseTo(row[3], 4);
    expect(j.eg_final).toBeCloseTo(row[4], 4);
    expect(j.et_final).toBeCloseTo(row[5], 4);
  });

  it("accepts --snr inf and refuses nonsense with exit code 2", async () => {
    expect((await cli('cls-theory', '--snr', 'inf', '--alpha', '1', '--eta', '0.005', '--epochs', '100', '--json')).code).toBe(0);
    const bad = await cli('cls-theory', '--snr', 'lots', '--alpha', '1', '--eta', '0.005', '--epochs', '100');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^purkinje: --snr: /);
  });
});

describe('attention', () => {
  it('--json has the documented fields, with exact counts from the published table', async () => {
    const r = await cli('attention', '--n', '64', '--d', '11', '--r', '1000000', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const ref = JSON.parse(readFileSync(new URL('../fixtures/reference/sdm_attention.json', import.meta.url), 'utf8'));
    expect(j.n).toBe(64);
    expect(j.d).toBe(11);
    for (const [dv, count] of Object.entries(ref.circle_intersection['n=64,d=11'])) expect(j.intersection[dv]).toBe(count);
    expect(j.beta_least_squares).toBeCloseTo(ref.beta_fit['n=64,d=11'].least_squares, 5);
    expect(j.beta_published).toBeCloseTo(ref.beta_fit['n=64,d=11'].published, 5);
    expect(j.kl_divergence).toBeCloseTo(ref.softmax_vs_sdm_weights_n64_d11.kl_divergence, 3);
    // The published optimal radii are for r = 2^64 (every address) and m = 1024: the defaults without --r and --m.
    const all = JSON.parse((await cli('attention', '--n', '64', '--d', '11', '--json')).stdout);
    expect(all.optimal_d).toMatchObject({ snr: 11, memory_capacity: 5, critical_distance: 15 });
    // expected neurons = r * I / 2^n, computed here independently from the exact count
    expect(j.expected_neurons['0']).toBeCloseTo((1e6 * Number(ref.circle_intersection['n=64,d=11']['0'])) / 2 ** 64, 12);
  });

  it('writes report.json and intersection.csv with --out, and refuses a radius above n', async () => {
    const out = path.join(dir, 'att');
    expect((await cli('attention', '--n', '16', '--d', '4', '--out', out)).code).toBe(0);
    expect(readFileSync(path.join(out, 'intersection.csv'), 'utf8').split('\n')[0]).toBe('dv,intersection,expected_neurons');
    const bad = await cli('attention', '--n', '16', '--d', '17');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^purkinje: --d: /);
  });
});

describe('every shipped file', () => {
  it('validates: circuits and scenarios (model protocols without circuits too)', async () => {
    const { readdirSync } = await import('node:fs');
    const files = [...readdirSync('circuits').map((f) => `circuits/${f}`), ...readdirSync('scenarios').map((f) => `scenarios/${f}`)].filter((f) => f.endsWith('.yaml'));
    const r = await cli('validate', ...files);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length);
  });
});
