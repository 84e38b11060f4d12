/** Circuit files -> validated CircuitFile -> NetworkSpec. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, jsonPointer } from '../core/errors.ts';
import type { NetworkSpec, PopulationSpec, SourceSpec } from '../network/network.ts';
import { type CircuitFile, circuitSchema } from './schema.ts';
import { readSpecFile, resolveSpec, validate } from './files.ts';

/** The project's circuits/ folder (where `purkinje run cuba` looks). */
export const CIRCUITS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../circuits');

export interface LoadedCircuit {
  readonly file: string;
  readonly circuit: CircuitFile;
  readonly spec: NetworkSpec;
}

export function loadCircuit(ref: string, relativeTo?: string): LoadedCircuit {
  const file = resolveSpec(ref, CIRCUITS_DIR, 'circuit', relativeTo);
  const circuit = validate(circuitSchema, readSpecFile(file), file);
  return { file, circuit, spec: toNetworkSpec(circuit, file) };
}

export function toNetworkSpec(c: CircuitFile, file: string): NetworkSpec {
  const populations: PopulationSpec[] = Object.entries(c.populations).map(([name, p]) => {
    let source: SourceSpec | undefined;
    if (p.source?.kind === 'spike_generator') {
      if (p.source.spike_times_ms.length !== p.size)
        throw new InputError(`${file}: ${jsonPointer(['populations', name, 'source', 'spike_times_ms'])}`, `one list of times per neuron (${p.size}), got ${p.source.spike_times_ms.length}`);
      source = { kind: 'spike_generator', spike_times_ms: p.source.spike_times_ms };
    } else if (p.source?.kind === 'external') {
      source = { kind: 'external' };
    } else if (p.source?.kind === 'poisson') {
      source = {
        kind: 'poisson',
        rate_hz: p.source.rate_hz,
        ...(p.source.start_ms !== undefined ? { start_ms: p.source.start_ms } : {}),
        ...(p.source.stop_ms !== undefined ? { stop_ms: p.source.stop_ms } : {}),
      };
    }
    return {
      name,
      size: p.size,
      ...(p.model !== undefined ? { model: p.model } : {}),
      ...(p.params !== undefined ? { params: p.params } : {}),
      ...(p.init !== undefined ? { init: p.init } : {}),
      ...(source ? { source } : {}),
    };
  });
  return {
    name: c.name,
    origin: file,
    populationsByName: true,
    populations,
    projections: c.projections.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      source: p.source,
      target: p.target,
      receptor: p.receptor,
      connectivity: p.connectivity,
      weight: p.weight,
      delay_ms: p.delay_ms,
      ...(p.plastic !== undefined ? { plastic: p.plastic } : {}),
    })),
    plasticity: c.plasticity,
  };
}
