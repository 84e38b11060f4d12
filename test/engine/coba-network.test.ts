/**
 * The COBA benchmark network against Brian2 on the same model (test/fixtures/brian2_coba.json, produced by
 * test/fixtures/brian2_coba.py): mean rates over 1 s and three seeds within 8% of Brian2's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { runScenario } from '../../src/scenarios/runner.ts';

const ref = JSON.parse(readFileSync(new URL('../fixtures/brian2_coba.json', import.meta.url), 'utf8')) as { rate_hz: Record<string, number[]> };
const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;

describe('COBA against Brian2', () => {
  it('mean rates over seeds 1-3 agree within 8%', async () => {
    const coba = loadScenario('coba');
    const rates: Record<string, number[]> = { exc: [], inh: [] };
    for (const seed of [1, 2, 3]) {
      const s = await runScenario(coba, { seed });
      for (const p of ['exc', 'inh']) rates[p]!.push(s.populations[p]!.rate_hz);
    }
    for (const p of ['exc', 'inh']) expect(Math.abs(mean(rates[p]!) / mean(ref.rate_hz[p]!) - 1)).toBeLessThan(0.08);
  });
});
