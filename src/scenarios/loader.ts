import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, jsonPointer } from '../core/errors.ts';
import { type LoadedCircuit, loadCircuit } from '../circuits/loader.ts';
import { readSpecFile, resolveSpec, validate } from '../circuits/files.ts';
import { type ScenarioFile, scenarioSchema } from './schema.ts';

export const SCENARIOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios');

export interface LoadedScenario {
  readonly file: string;
  readonly scenario: ScenarioFile;
  /** The circuit; null for model protocols (cls) that simulate no network. */
  readonly circuit: LoadedCircuit | null;
}

/** A loaded scenario that has a circuit. */
export interface CircuitScenario extends LoadedScenario {
  readonly circuit: LoadedCircuit;
}

/** The scenario's circuit, or an error naming the scenario when it has none (a model protocol). */
export function withCircuit(loaded: LoadedScenario, what: string): CircuitScenario {
  if (!loaded.circuit) throw new InputError(`${loaded.file}: /circuit`, `a circuit: ${what} needs a network, and '${loaded.scenario.name}' runs a model protocol`);
  return loaded as CircuitScenario;
}

/** Loads a scenario and its circuit, and checks that every population the scenario names exists. */
export function loadScenario(ref: string): LoadedScenario {
  const file = resolveSpec(ref, SCENARIOS_DIR, 'scenario');
  const scenario = validate(scenarioSchema, readSpecFile(file), file);
  if (scenario.circuit === undefined) return { file, scenario, circuit: null };
  let circuit: LoadedCircuit;
  try {
    circuit = loadCircuit(scenario.circuit, path.dirname(file));
  } catch (e) {
    if (e instanceof InputError && e.where === scenario.circuit) throw new InputError(`${file}: /circuit`, e.expected);
    throw e;
  }
  const names = new Set(circuit.spec.populations.map((p) => p.name));
  const known = [...names].join(', ');
  const check = (name: string, at: PropertyKey[]) => {
    if (!names.has(name)) throw new InputError(`${file}: ${jsonPointer(at)}`, `a population of circuit '${circuit.circuit.name}' (${known}), got '${name}'`);
  };
  scenario.stimuli.forEach((s, i) => check(s.population, ['stimuli', i, 'population']));
  if (Array.isArray(scenario.record.spikes)) scenario.record.spikes.forEach((p, i) => check(p, ['record', 'spikes', i]));
  for (const kind of ['rate_hz', 'cv_isi'] as const) for (const p of Object.keys(scenario.expect[kind] ?? {})) check(p, ['expect', kind, p]);
  return { file, scenario, circuit };
}
