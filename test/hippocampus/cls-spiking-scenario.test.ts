/**
 * scenarios/cls-spiking-notebook.yaml, its test configuration: the run meets its bands, and its spike log holds every
 * reactivation: the notebook's last batch before each reactivation-end event is the final state that the algebraic
 * notebook (an independent implementation) reaches from the same seed. Bad protocol settings are one-line errors
 * naming the file and the field.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { clsParams, createTeacher, Notebook, sampleData } from '../../src/models/memory/cls/index.ts';
import { MemorySink } from '../../src/recording/sinks/memory.ts';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { clsSpikingProtocolSchema } from '../../src/scenarios/protocols/cls-spiking-schema.ts';
import { runScenario } from '../../src/scenarios/runner.ts';

describe('scenario cls-spiking-notebook', () => {
  it('runs its test configuration within its bands, with every reactivation in the spike log', async () => {
    const full = loadScenario('cls-spiking-notebook');
    const protocol = clsSpikingProtocolSchema.parse({ ...full.scenario.protocol, ...full.scenario.test!.protocol });
    const sink = new MemorySink();
    const s = await runScenario({ ...full, scenario: { ...full.scenario, protocol } }, { sinks: [sink] });
    expect(s.expectations.length).toBeGreaterThan(0);
    for (const e of s.expectations) expect(e).toMatchObject({ pass: true, enforced: true });
    const P = protocol.examples;
    const E = protocol.epochs;
    expect(s.events).toBe(2 * P * E);

    // The log, read back: per reactivation (in order), the notebook's spikes at the tick of its end event.
    const byTick = new Map<number, number[]>();
    const ends: number[] = [];
    for (let r = 0; r < sink.rows; r++) {
      const pop = sink.populations[r]!;
      if (pop === 'notebook') {
        const t = sink.ticks[r]!;
        if (!byTick.has(t)) byTick.set(t, []);
        byTick.get(t)!.push(sink.neurons[r]!);
      } else if (pop === 'event:reactivation-end') ends.push(sink.ticks[r]!);
    }
    expect(ends.length).toBe(P * E);
    const params = clsParams({ teacher: { kind: 'linear', n: protocol.inputs, snr: Infinity }, p: P, notebook: { m: protocol.notebook_units } });
    const nb = new Notebook(params.notebook, sampleData(createTeacher(params.teacher, s.seed), P, 'train'), s.seed);
    let silent = 0;
    for (let q = 0; q < P * E; q++) {
      const r = nb.settle(1 + Math.floor(q / P), q % P);
      const expected: number[] = [];
      for (let i = 0; i < nb.m; i++) if (nb.state[i] !== 0) expected.push(i);
      if (r.outcome === 'silent') silent++;
      expect(byTick.get(ends[q]!) ?? [], `reactivation ${q}`).toEqual(expected);
    }
    expect((s.results as { silent_fraction: number }).silent_fraction).toBe(silent / (P * E));
  }, 60_000);

  it('names the file and the field of a bad protocol setting', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cls-spiking-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      writeFileSync(file, 'name: bad\nprotocol:\n  kind: cls-spiking\n  notebook_units: 410\n');
      expect(() => loadScenario(file)).toThrow(InputError);
      expect(() => loadScenario(file)).toThrow(`${file}: /protocol/notebook_units`);
      writeFileSync(file, 'name: bad\nprotocol:\n  kind: cls-spiking\n  cycle: 10\n');
      expect(() => loadScenario(file)).toThrow(/bad\.yaml: \/protocol.*unknown field 'cycle'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
