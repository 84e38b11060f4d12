/** Every scenario in scenarios/ runs short (its test.duration_ms) and meets the expectations it declares. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS_DIR, loadScenario } from '../../src/scenarios/loader.ts';
import { runScenario } from '../../src/scenarios/runner.ts';
import { clsProtocolSchema, eyeblinkProtocolSchema, granuleCodeProtocolSchema, sdmProtocolSchema } from '../../src/scenarios/schema.ts';
import { clsSpikingProtocolSchema } from '../../src/scenarios/protocols/cls-spiking-schema.ts';

const files = readdirSync(SCENARIOS_DIR).filter((f) => /\.(ya?ml|json)$/.test(f));

describe('scenarios', () => {
  it('there are scenarios to run', () => expect(files.length).toBeGreaterThan(0));
  it.each(files)('%s meets its expectations', async (f) => {
    const full = loadScenario(path.join(SCENARIOS_DIR, f));
    const { scenario } = full;
    // The short version: test.duration_ms, or the protocol with test.protocol's settings.
    const schema = { cls: clsProtocolSchema, 'cls-spiking': clsSpikingProtocolSchema, 'granule-code': granuleCodeProtocolSchema, eyeblink: eyeblinkProtocolSchema, sdm: sdmProtocolSchema }[scenario.protocol?.kind ?? 'sdm'];
    const loaded = scenario.protocol && scenario.test?.protocol ? { ...full, scenario: { ...scenario, protocol: schema.parse({ ...scenario.protocol, ...scenario.test.protocol }) } } : full;
    const durationMs = scenario.test?.duration_ms ?? scenario.duration_ms;
    const s = await runScenario(loaded, durationMs !== undefined && !scenario.protocol ? { durationMs } : {});
    expect(s.expectations.every((e) => e.enforced)).toBe(true);
    for (const e of s.expectations) expect({ ...e, pass: e.pass }).toMatchObject({ pass: true });
    expect(s.passed).toBe(true);
    // The spiking-cerebellum scenarios take 15-30 s each on an idle 2-core machine; leave room for a loaded one.
  }, 180_000);
});
