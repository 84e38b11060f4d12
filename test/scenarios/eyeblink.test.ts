/**
 * The eyeblink protocol's machinery on a circuit whose answers are known (test/fixtures/eyeblink-tiny.yaml): the trial
 * plan, the mossy-fibre trains against Poisson statistics, the events and US spikes at their times on the log's axis,
 * and the read-outs (CR fraction, complex spikes per US) against what the tiny circuit must do. The learning itself is
 * checked by the scenario's own expectations (scenarios/eyeblink.yaml, test/scenarios/scenarios.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { InputError } from '../../src/core/errors.ts';
import { CounterRng, streamId } from '../../src/core/rng.ts';
import { mossyTrain, runEyeblinkScenario, trialPlan } from '../../src/scenarios/protocols/eyeblink.ts';
import { eyeblinkProtocolSchema, scenarioSchema } from '../../src/scenarios/schema.ts';
import type { LoadedScenario } from '../../src/scenarios/loader.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TINY = path.join(HERE, '../fixtures/eyeblink-tiny.yaml');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'purkinje-eyeblink-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scenario(protocol: Record<string, unknown>, circuitFile = TINY): LoadedScenario {
  const s = scenarioSchema.parse({ name: 'eyeblink-tiny', circuit: circuitFile, seed: 3, protocol: { kind: 'eyeblink', ...protocol } });
  return { file: 'eyeblink-tiny.yaml', scenario: s, circuit: loadCircuit(circuitFile) };
}

const SMALL = { isi_ms: [150, 250], trials_per_block: 4, acquisition_blocks: 2, extinction_blocks: 1, probe_trials: [3], trial_ms: 800, cs_onset_ms: 200, mossy_rest_hz: 0 };

describe('eyeblink protocol', () => {
  it('plans acquisition blocks with probes at the given trials, then extinction blocks of CS alone', () => {
    const plan = trialPlan({ trials_per_block: 5, acquisition_blocks: 2, extinction_blocks: 2, probe_trials: [1, 4] });
    expect(plan).toHaveLength(20);
    expect(plan.filter((t) => t.probe).map((t) => t.index)).toEqual([1, 4, 6, 9]);
    expect(plan.filter((t) => t.paired)).toHaveLength(6);
    expect(plan.slice(10).every((t) => t.phase === 'extinction' && !t.paired && !t.probe)).toBe(true);
    expect(plan.map((t) => t.block)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  });

  it('draws mossy trains whose counts have the Poisson mean and variance of each segment, fresh every trial', () => {
    const rng = new CounterRng(11);
    const stream = streamId('test:mossy');
    const n = 3000;
    const rest: number[] = [];
    const cs: number[] = [];
    for (let t = 0; t < n; t++) {
      const train = mossyTrain(rng, stream, 7, t, 1000, 200, 500, 5, 50);
      expect(train.every((x, i) => x >= 0 && x < 1000 && (i === 0 || x > train[i - 1]!))).toBe(true);
      rest.push(train.filter((x) => x < 200 || x >= 500).length);
      cs.push(train.filter((x) => x >= 200 && x < 500).length);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = (xs: number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));
    // Rest: 5 Hz over 700 ms, mean 3.5; CS: 50 Hz over 300 ms, mean 15 (Poisson: variance = mean).
    for (const [xs, lambda] of [[rest, 3.5], [cs, 15]] as const) {
      expect(Math.abs(mean(xs) - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n));
      expect(variance(xs) / lambda).toBeGreaterThan(0.9);
      expect(variance(xs) / lambda).toBeLessThan(1.1);
    }
    expect(mossyTrain(rng, stream, 7, 5, 1000, 200, 500, 5, 50)).toEqual(mossyTrain(new CounterRng(11), stream, 7, 5, 1000, 200, 500, 5, 50));
    expect(mossyTrain(rng, stream, 7, 5, 1000, 200, 500, 5, 50)).not.toEqual(mossyTrain(rng, stream, 7, 6, 1000, 200, 500, 5, 50));
  });

  it('puts the session, trial, CS and US events and the US spikes at their times, one session after another', async () => {
    const out = path.join(tmp, 'events');
    const s = await runEyeblinkScenario(scenario(SMALL), scenario(SMALL).scenario.protocol as never, { outDir: out });
    expect(s.interrupted).toBe(false);
    const sessionMs = 12 * 800;
    expect(s.biological_ms).toBe(2 * sessionMs);
    const events = readFileSync(path.join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t_ms: number; kind: string; id: number; isi_ms: number; probe?: boolean });
    const of = (kind: string) => events.filter((e) => e.kind === kind);
    expect(of('session').map((e) => [e.t_ms, e.isi_ms])).toEqual([[0, 150], [sessionMs, 250]]);
    expect(of('trial')).toHaveLength(24);
    expect(of('cs').map((e) => e.t_ms)).toEqual([0, 1].flatMap((k) => Array.from({ length: 12 }, (_, t) => k * sessionMs + t * 800 + 200)));
    // Paired trials: acquisition trials 0-2 and 4-6 of each session (3 and 7 are probes, 8-11 extinction).
    const paired = [0, 1, 2, 4, 5, 6];
    const usTimes = [150, 250].flatMap((isi, k) => paired.map((t) => k * sessionMs + t * 800 + 200 + isi));
    expect(of('us').map((e) => e.t_ms)).toEqual(usTimes);
    // The spike log: the US cells spike at the US, all four each time.
    const rows = readFileSync(path.join(out, 'spikes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const usSpikes = rows.filter((r) => r[1] === 'us').map((r) => Number(r[0]));
    expect(usSpikes).toHaveLength(4 * usTimes.length);
    expect([...new Set(usSpikes)]).toEqual(usTimes);
    // No mossy spike outside a CS (rest rate 0).
    const cs = of('cs');
    for (const r of rows.filter((x) => x[1] === 'mossy')) {
      const t = Number(r[0]);
      expect(cs.some((e) => t >= e.t_ms && t <= e.t_ms + (e.t_ms < sessionMs ? 150 : 250) + 150 + 0.1)).toBe(true);
    }
  });

  it('reads one complex spike per US and a CR in every trial from nuclei that follow the CS; none without a CS', async () => {
    const on = await runEyeblinkScenario(scenario(SMALL), scenario(SMALL).scenario.protocol as never, {});
    const r = on.results as Record<string, unknown>;
    expect(r.isi_ms).toEqual([150, 250]);
    expect(r.olive_spikes_after_us).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(r.cr_fraction).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(r.extinction_ratio_max).toBe(1);
    expect(r.cr_fraction_gain_min).toBe(0);
    const quiet = { ...SMALL, mossy_cs_hz: 0 };
    const off = await runEyeblinkScenario(scenario(quiet), scenario(quiet).scenario.protocol as never, {});
    const q = off.results as Record<string, unknown>;
    expect(q.cr_fraction).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(q.cr_peak_ms).toEqual([null, null]);
    expect(q.cr_peak_ratio_min).toBeNull();
    expect(q.olive_spikes_after_us).toEqual(r.olive_spikes_after_us);
  });

  it('gives the same results for the same seed', async () => {
    const a = await runEyeblinkScenario(scenario({ ...SMALL, isi_ms: [150] }), scenario({ ...SMALL, isi_ms: [150] }).scenario.protocol as never, {});
    const b = await runEyeblinkScenario(scenario({ ...SMALL, isi_ms: [150] }), scenario({ ...SMALL, isi_ms: [150] }).scenario.protocol as never, {});
    expect(b.results).toEqual(a.results);
    expect(b.populations).toEqual(a.populations);
  });

  it('stops at an abort with a complete log and says it was interrupted', async () => {
    const out = path.join(tmp, 'abort');
    const controller = new AbortController();
    const s = await runEyeblinkScenario(scenario(SMALL), scenario(SMALL).scenario.protocol as never, {
      outDir: out,
      signal: controller.signal,
      chunkTicks: 1000,
      onChunk: (tick) => {
        if (tick >= 30000) controller.abort();
      },
    });
    expect(s.interrupted).toBe(true);
    expect(s.biological_ms).toBeLessThan(2 * 12 * 800);
    expect(s.expectations.every((e) => !e.enforced)).toBe(true);
    const log = readFileSync(path.join(out, 'spikes.csv'), 'utf8');
    expect(log.endsWith('\n')).toBe(true);
    expect(log.trim().split('\n').slice(1).every((l) => /^\d+(\.\d)?,[\w:-]+,\d+$/.test(l))).toBe(true);
  });

  it('refuses bad settings with the file and field named', async () => {
    expect(() => eyeblinkProtocolSchema.parse({ kind: 'eyeblink', probe_trials: [10] })).toThrow(/probe trial indices below trials_per_block/);
    expect(() => eyeblinkProtocolSchema.parse({ kind: 'eyeblink', isi_ms: [2800] })).toThrow(/trials long enough/);
    expect(() => eyeblinkProtocolSchema.parse({ kind: 'eyeblink', isi_ms: [155] })).toThrow(/multiples of bin_ms/);
    const cuba = loadCircuit('cuba');
    const noSection: LoadedScenario = { ...scenario(SMALL), circuit: cuba };
    await expect(runEyeblinkScenario(noSection, noSection.scenario.protocol as never, {})).rejects.toThrow(InputError);
    await expect(runEyeblinkScenario(noSection, noSection.scenario.protocol as never, {})).rejects.toThrow(/an 'eyeblink' section/);
    const wrongRole = loadCircuit(TINY);
    const bad: LoadedScenario = { ...scenario(SMALL), circuit: { ...wrongRole, circuit: { ...wrongRole.circuit, eyeblink: { ...wrongRole.circuit.eyeblink!, mossy: 'dcn' } } } };
    await expect(runEyeblinkScenario(bad, bad.scenario.protocol as never, {})).rejects.toThrow(/eyeblink-tiny\.yaml: \/eyeblink\/mossy.*an external source/);
    await expect(runEyeblinkScenario(scenario(SMALL), scenario(SMALL).scenario.protocol as never, { durationMs: 100 })).rejects.toThrow(/--duration/);
  });
});
