/**
 * A local sweep (worker threads): its table holds, for every point and seed, the values `purkinje run` gives for the
 * same run done on its own (the circuit value written into a copy of the circuit file by text, independently of the
 * sweep's path), the Arrow table holds the CSV's values, and a second sweep into the same folder runs only the points
 * whose run folder is missing or incomplete.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-sweep-local-'));
const out = path.join(dir, 'sweep');
const GRID = ['--grid', 'duration_ms=100,150', '--grid', 'circuit.projections.2.weight=-9,-7'];

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** Parses sweep.csv (no quoted fields in this table) into rows of strings. */
function csvRows(file: string): Array<Record<string, string>> {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

/** `purkinje run` of cuba with the inh -> exc weight (projection 2, the first `weight: -9` in the file) set to `w`. */
async function reference(durationMs: number, weight: number, seed: number): Promise<Record<string, unknown>> {
  const circuit = readFileSync('circuits/cuba.yaml', 'utf8').replace('weight: -9,', `weight: ${weight},`);
  const c = path.join(dir, `cuba-w${weight}.yaml`);
  writeFileSync(c, circuit);
  const s = path.join(dir, `cuba-w${weight}-scenario.yaml`);
  writeFileSync(s, readFileSync('scenarios/cuba.yaml', 'utf8').replace('circuit: cuba', `circuit: ${c}`));
  const r = await cli('run', s, '--duration', String(durationMs), '--seed', String(seed), '--threads', '1', '--json', '--out', path.join(dir, `ref-${durationMs}-${weight}-${seed}`));
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('local sweep', () => {
  it('one row per point and seed, equal to each run done on its own; Arrow equal to CSV; resumable', async () => {
    const r = await cli('sweep', 'cuba', ...GRID, '--seeds', '2', '--workers', '2', '--out', out, '--json');
    expect(r.code).toBe(0);
    // Progress: a line when it starts, then one per finished run.
    expect(r.stderr.trim().split('\n')).toHaveLength(9);
    expect(r.stderr).toContain('purkinje: 8/8 cuba ');
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ runs: 8, ran: 8, reused: 0, failed: [], interrupted: false, figure: 'rate_hz.exc' });

    const rows = csvRows(path.join(out, 'sweep.csv'));
    // Grid order: the first axis slowest, then the second, then the seeds.
    expect(rows.map((x) => [x.duration_ms, x['circuit.projections.2.weight'], x.seed])).toEqual([
      ['100', '-9', '1'], ['100', '-9', '2'], ['100', '-7', '1'], ['100', '-7', '2'],
      ['150', '-9', '1'], ['150', '-9', '2'], ['150', '-7', '1'], ['150', '-7', '2'],
    ]);
    expect(new Set(rows.map((x) => x.key)).size).toBe(8);
    for (const row of rows) {
      const s = (await reference(Number(row.duration_ms), Number(row['circuit.projections.2.weight']), Number(row.seed))) as {
        populations: Record<string, { spikes: number; rate_hz: number; cv_isi: number | null }>;
        synaptic_events: number;
        synapses: number;
        biological_ms: number;
        passed: boolean;
      };
      expect(Number(row.biological_ms)).toBe(s.biological_ms);
      expect(Number(row.synapses)).toBe(s.synapses);
      expect(Number(row.synaptic_events)).toBe(s.synaptic_events);
      expect(row.expectations_passed).toBe(String(s.passed));
      for (const pop of ['exc', 'inh']) {
        expect(Number(row[`spikes.${pop}`])).toBe(s.populations[pop]!.spikes);
        expect(Number(row[`rate_hz.${pop}`])).toBe(s.populations[pop]!.rate_hz);
        expect(Number(row[`cv_isi.${pop}`])).toBe(s.populations[pop]!.cv_isi);
      }
    }
    // A stronger inhibitory weight (-9 against -7) lowers the excitatory rate at every duration and seed: the circuit
    // value reached the runs.
    for (let i = 0; i < 8; i += 4) for (const k of [0, 1]) expect(Number(rows[i + k]!['rate_hz.exc'])).toBeLessThan(Number(rows[i + 2 + k]!['rate_hz.exc']));

    // The Arrow table holds the CSV's values, column for column.
    const table = tableFromIPC(readFileSync(path.join(out, 'sweep.arrow')));
    expect(table.schema.fields.map((f) => f.name)).toEqual(Object.keys(rows[0]!));
    expect(table.numRows).toBe(8);
    for (const f of table.schema.fields)
      table
        .getChild(f.name)!
        .toArray()
        .forEach((v: unknown, i: number) => expect(String(v)).toBe(rows[i]![f.name]));
    const state = JSON.parse(readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(state.points.map((p: { status: string }) => p.status)).toEqual(Array(8).fill('done'));
    expect(readFileSync(path.join(out, 'sweep.svg'), 'utf8')).toContain('rate_hz.exc');

    // Resume: one run folder removed, one marked incomplete (as a killed run leaves it): only those two run again.
    const csv = readFileSync(path.join(out, 'sweep.csv'), 'utf8');
    const runDir = (k: number) => path.join(out, 'runs', rows[k]!.key!);
    rmSync(runDir(1), { recursive: true });
    const marker = path.join(runDir(6), '.purkinje-run.json');
    writeFileSync(marker, JSON.stringify({ ...JSON.parse(readFileSync(marker, 'utf8')), complete: false }));
    const kept = [0, 2, 3, 4, 5, 7].map((k) => [k, statSync(path.join(runDir(k), 'summary.json')).mtimeMs] as const);
    const again = await cli('sweep', 'cuba', ...GRID, '--seeds', '2', '--workers', '2', '--out', out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ runs: 8, ran: 2, reused: 6, failed: [] });
    for (const [k, mtime] of kept) expect(statSync(path.join(runDir(k), 'summary.json')).mtimeMs).toBe(mtime);
    expect(readFileSync(path.join(out, 'sweep.csv'), 'utf8')).toBe(csv);
  });

  it('another scenario in the same folder is refused before anything runs', async () => {
    const r = await cli('sweep', 'coba', '--grid', 'duration_ms=100', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`purkinje: --out: a new folder or one of an earlier sweep of 'coba': ${out} holds a sweep of 'cuba'\n`);
  });
});
