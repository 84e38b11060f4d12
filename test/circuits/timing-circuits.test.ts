/**
 * circuits/granule-timing.yaml and circuits/eyeblink.yaml are written by scripts/timing-circuits.mjs from their
 * parameters (20 granule subpopulations, each with its own projections and plasticity rule): the committed files must
 * be that script's output, so that the parameters documented there are the ones that run.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCircuit } from '../../src/circuits/loader.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('timing circuits', () => {
  it('are the output of scripts/timing-circuits.mjs', () => {
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts/timing-circuits.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('share one granular layer, and the eyeblink circuit names its roles', () => {
    const timing = loadCircuit('granule-timing');
    const eyeblink = loadCircuit('eyeblink');
    for (const [name, pop] of Object.entries(timing.circuit.populations)) expect(eyeblink.circuit.populations[name]).toEqual(pop);
    for (const pj of timing.circuit.projections) expect(eyeblink.circuit.projections).toContainEqual(pj);
    const sec = eyeblink.circuit.eyeblink!;
    expect(sec.granule).toEqual(Object.keys(timing.circuit.populations).filter((p) => p.startsWith('granule-')));
    expect(eyeblink.circuit.plasticity.map((p) => p.projection)).toEqual(sec.granule.map((_, k) => `pf-${String(k).padStart(2, '0')}`));
  });
});
