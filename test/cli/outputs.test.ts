/**
 * Spike logs in every format: rows equal the engine's spike count, the same seed gives byte-identical files, Arrow
 * and NDJSON read back to the CSV's rows; `--stream -` into a pipe that closes ends the run cleanly with its outputs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { main } from '../../src/cli/main.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-out-'));
const quiet = { stdout: () => undefined, stderr: () => undefined };

describe('spike log formats', () => {
  it.each(['csv', 'ndjson', 'arrow'] as const)('%s: rows = engine spikes, byte-identical for a fixed seed', async (format) => {
    const a = path.join(dir, `${format}-a`);
    const b = path.join(dir, `${format}-b`);
    expect(await main(['run', 'cuba', '--duration', '150', '--seed', '4', '--format', format, '--out', a, '--quiet'], quiet)).toBe(0);
    expect(await main(['run', 'cuba', '--duration', '150', '--seed', '4', '--format', format, '--out', b, '--quiet'], quiet)).toBe(0);
    const s = JSON.parse(readFileSync(path.join(a, 'summary.json'), 'utf8'));
    const engine = s.populations.exc.spikes + s.populations.inh.spikes;
    const file = path.join(a, `spikes.${format}`);
    expect(readFileSync(file).equals(readFileSync(path.join(b, `spikes.${format}`)))).toBe(true);
    expect(s.spikes_written).toBe(engine);
    let rows: Array<{ t_ms: number; population: string; neuron: number }>;
    if (format === 'csv') {
      rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => {
        const [t, p, n] = l.split(',');
        return { t_ms: Number(t), population: p!, neuron: Number(n) };
      });
    } else if (format === 'ndjson') rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    else rows = tableFromIPC(readFileSync(file)).toArray().map((r) => r.toJSON() as { t_ms: number; population: string; neuron: number });
    expect(rows.length).toBe(engine);
    expect(rows.filter((r) => r.population === 'exc').length).toBe(s.populations.exc.spikes);
    for (let q = 1; q < rows.length; q++) expect(rows[q]!.t_ms).toBeGreaterThanOrEqual(rows[q - 1]!.t_ms - 1e-9);
  });

  it('--stream - writes the log to stdout and the summary to --out; a closed pipe ends the run cleanly', () => {
    const out = path.join(dir, 'piped');
    const r = spawnSync('bash', ['-c', `node bin/purkinje.js run cuba --stream - --format ndjson --out ${out} | head -n 3`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toHaveProperty('neuron');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(s.interrupted).toBe(true);
    expect(s.biological_ms).toBeLessThan(60000);
  });

  it('--stream - with --json is refused, and so is a stream target other than -', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (err += t) };
    expect(await main(['run', 'cuba', '--stream', '-', '--json'], io)).toBe(2);
    expect(await main(['run', 'cuba', '--stream', 'file.csv'], io)).toBe(2);
    expect(err).toMatch(/--json: not together with --stream -/);
    expect(err).toMatch(/--stream: '-' \(stdout\)/);
  });

  it('schema prints a JSON Schema naming the fields of circuit files', async () => {
    let text = '';
    expect(await main(['schema', 'circuit'], { stdout: (t) => void (text += t), stderr: () => undefined })).toBe(0);
    const schema = JSON.parse(text);
    expect(schema.$schema).toMatch(/json-schema/);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'populations', 'projections', 'plasticity']));
    expect(await main(['schema', 'nonsense'], quiet)).toBe(2);
  });
});

describe('Arrow stream across many record batches', () => {
  it('reads back every row in order when the log spans several batches (and an empty log is a valid stream)', async () => {
    const { spikeSink } = await import('../../src/recording/sinks/index.ts');
    const file = path.join(dir, 'many.arrow');
    const sink = spikeSink('arrow', file, 0.1);
    let n = 0;
    for (let tick = 1; tick <= 2500; tick++) {
      const idx = Uint32Array.from({ length: 20 }, (_, q) => (tick * 31 + q) % 1000);
      sink.write(tick, tick % 2 ? 'exc' : 'inh', idx);
      n += idx.length;
    }
    await sink.close();
    const table = tableFromIPC(readFileSync(file));
    expect(table.numRows).toBe(n);
    expect(table.batches.length).toBeGreaterThan(2);
    const last = table.get(n - 1)!.toJSON() as { t_ms: number; population: string; neuron: number };
    expect(last).toEqual({ t_ms: 2500 * 0.1, population: 'inh', neuron: (2500 * 31 + 19) % 1000 });
    const empty = path.join(dir, 'empty.arrow');
    const e = spikeSink('arrow', empty, 0.1);
    await e.close();
    expect(tableFromIPC(readFileSync(empty)).numRows).toBe(0);
  });
});
