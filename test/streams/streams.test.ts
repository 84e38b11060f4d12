/** rxjs streams carry simulation time: one batch per population and tick, bins and rates against direct counts. */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { bin, events$, inPopulations, rateHz, run$, selectNeurons } from '../../src/streams/index.ts';
import { collectSpikes, simulate } from '../helpers.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';

const cuba = loadCircuit('cuba').spec;

describe('streams', () => {
  it('run$ emits one batch per population and tick, in tick order, with exactly the engine spikes', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const direct = collectSpikes(sim);
    const batches = await lastValueFrom(run$(sim, 2000).pipe(toArray()));
    const seen = new Set<string>();
    let prev = -1;
    let total = 0;
    for (const b of batches) {
      expect(b.tick).toBeGreaterThanOrEqual(prev);
      prev = b.tick;
      const key = `${b.tick}:${b.population}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(b.t_ms).toBeCloseTo(b.tick * 0.1, 9);
      total += b.indices.length;
    }
    expect(total).toBe((direct.get('exc')?.length ?? 0) + (direct.get('inh')?.length ?? 0));
    expect(sim.tick).toBe(2000);
  });

  it('bin and rateHz agree with counts computed from the spikes, with empty bins filled', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const direct = collectSpikes(sim);
    const rates = await lastValueFrom(run$(sim, 3000).pipe(inPopulations('exc'), bin(100), rateHz(sim), toArray()));
    const exc = direct.get('exc')!;
    rates.forEach((r, k) => {
      const start = Math.floor(exc[0]![0] / 100) * 100 + k * 100;
      const count = exc.filter(([t]) => t >= start && t < start + 100).length;
      expect(r.rates_hz.exc).toBeCloseTo(count / 3200 / 0.01, 9);
      expect(r.rates_hz.inh).toBe(0); // filtered out upstream
    });
    expect(rates.length).toBeGreaterThanOrEqual(29);
  });

  it('selectNeurons keeps only the chosen neurons; unsubscribing stops the run', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const picked = await lastValueFrom(run$(sim, 1000).pipe(selectNeurons('exc', [0, 1, 2, 3, 4]), toArray()));
    for (const b of picked) for (const i of b.indices) expect(i).toBeLessThan(5);
    const sim2 = await simulate(cuba, new CpuBackend());
    await new Promise<void>((resolve) => {
      const sub = run$(sim2, 100_000, { chunkTicks: 100 }).subscribe(() => {
        sub.unsubscribe();
        resolve();
      });
    });
    // The engine yields to the event loop after every chunk, so a run that went on would advance within a few turns.
    const turns = async (k: number) => {
      for (let q = 0; q < k; q++) await new Promise((r) => setImmediate(r));
    };
    await turns(20);
    const stopped = sim2.tick;
    await turns(20);
    expect(sim2.tick).toBe(stopped);
    expect(stopped).toBeLessThan(100_000);
  });
});

describe('memory events', () => {
  it('events$ carries events with their simulation time', async () => {
    const sim = await simulate(cuba, new CpuBackend());
    const got: Array<{ kind: string; t_ms: number }> = [];
    const sub = events$(sim).subscribe((e) => got.push({ kind: e.kind, t_ms: e.t_ms }));
    sim.at(7, (tick) => sim.emitEvent({ tick, kind: 'replay', id: 3 }));
    await sim.run(10);
    sub.unsubscribe();
    expect(got).toHaveLength(1);
    expect(got[0]!.kind).toBe('replay');
    expect(got[0]!.t_ms).toBeCloseTo(0.7, 12);
  });

  it('SDM writes, reads and recalls stream as events in simulation time, and reach the sinks as rows', async () => {
    const { loadScenario } = await import('../../src/scenarios/loader.ts');
    const { runScenario } = await import('../../src/scenarios/runner.ts');
    const { MemorySink } = await import('../../src/recording/sinks/memory.ts');
    const { sdmProtocolSchema } = await import('../../src/scenarios/schema.ts');
    const base = loadScenario('sdm-recall');
    const protocol = sdmProtocolSchema.parse({ ...base.scenario.protocol, patterns: 5, noise_bits: [0], cues_per_level: 3 });
    const sink = new MemorySink();
    const seen: Array<{ kind: string; tick: number }> = [];
    const s = await runScenario({ ...base, scenario: { ...base.scenario, protocol } }, { sinks: [sink] });
    const rows = sink.populations.map((p, i) => [p, sink.ticks[i]!] as const).filter(([p]) => p.startsWith('event:'));
    for (const [p, t] of rows) seen.push({ kind: p.slice(6), tick: t });
    expect(seen.filter((e) => e.kind === 'write')).toHaveLength(5);
    expect(seen.filter((e) => e.kind === 'read')).toHaveLength(3);
    expect(seen.filter((e) => e.kind === 'recall')).toHaveLength(3);
    expect(s.events).toBe(11);
    // Each recall comes read_latency_ticks (6) after its read.
    const reads = seen.filter((e) => e.kind === 'read').map((e) => e.tick);
    const recalls = seen.filter((e) => e.kind === 'recall').map((e) => e.tick);
    expect(recalls).toEqual(reads.map((t) => t + 6));
  });
});

describe('CLS events as a stream', () => {
  it('clsEvents$ emits reactivations, one replay per epoch and done, with the replay step as time', async () => {
    const { clsEvents$ } = await import('../../src/streams/index.ts');
    const { clsParams } = await import('../../src/models/memory/cls/index.ts');
    const params = clsParams({ p: 20, notebook: { m: 200 }, student: { epochs: 5 } });
    const events = await lastValueFrom(clsEvents$(params, 3, { kind: 'unregulated' }).pipe(toArray()));
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'replay')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'reactivation')).toHaveLength(5 * 20);
    expect(kinds.at(-1)).toBe('done');
    expect(events.at(-1)!.t_ms).toBe(100);
  });
});
