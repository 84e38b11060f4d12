/**
 * The grid of a sweep: `--grid path=v1,v2,...` options parsed and checked against the scenario and circuit schemas,
 * expanded into points (every combination, in the order the options and values were given) and seeds, each with the
 * documents it runs and a stable key.
 *
 * A path is dotted: `duration_ms`, `seed`, `protocol.epochs`, `stimuli.0.amplitude` (an array index),
 * `expect.rate_hz.exc`; `circuit.<path>` reaches into the scenario's circuit file (`circuit.populations.exc.size`,
 * `circuit.projections.0.weight`). A value is read by the type the schema has at the path: a number (an integer where
 * the schema asks for one), true/false, one of an enum's words, a string, or a list in brackets (`[150,300]`); values
 * are separated by commas outside brackets. An unknown path or a value of the wrong type is an InputError naming the
 * `--grid` option, raised before anything runs.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../core/errors.ts';
import { PURKINJE_VERSION } from '../core/version.ts';
import type { z } from 'zod';

/** A grid value as it goes into the document (arrays for list-typed fields). */
export type GridValue = number | string | boolean | null | GridValue[] | { [k: string]: GridValue };

export interface GridAxis {
  /** The path as given (`protocol.epochs`); also the table column. */
  readonly path: string;
  /** Where it goes: the scenario document, or the circuit document (`circuit.` removed from `segments`). */
  readonly target: 'scenario' | 'circuit';
  readonly segments: readonly string[];
  readonly values: readonly GridValue[];
  /** The values as given, for messages. */
  readonly raw: readonly string[];
}

/** One run of a sweep: a grid point and a seed. */
export interface SweepPoint {
  /** Stable key: hash of the documents the run reads (its scenario with the point's values and seed, its circuit). */
  readonly key: string;
  /** Index of the grid point (cartesian order of the axes as given) and of the seed. */
  readonly pointIndex: number;
  readonly seedIndex: number;
  /** The grid values by path. */
  readonly values: Readonly<Record<string, GridValue>>;
  readonly seed: number;
  /** The scenario document with the point's values and seed; `circuit` is replaced when the run is materialised. */
  readonly scenario: Record<string, unknown>;
  /** The circuit document (with the point's `circuit.` values), or null for a model protocol. */
  readonly circuit: Record<string, unknown> | null;
}

type Def = { type: string; [k: string]: unknown };
const def = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** The schema under optional/default/nullable/pipe/lazy wrappers. */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = def(s);
    if (['optional', 'default', 'nullable', 'readonly', 'catch', 'prefault', 'nonoptional'].includes(d.type)) s = d.innerType as z.ZodType;
    else if (d.type === 'pipe') s = d.in as z.ZodType;
    else if (d.type === 'lazy') s = (d.getter as () => z.ZodType)();
    else return s;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Splits `a,b,[c,d]` at the commas outside brackets. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * The schema of the field at `segments` in a document validated by `schema`, walking `doc` alongside (a
 * discriminated union takes the option the document has chosen; a record or array key must exist in the document,
 * except a record of plain values such as a population's params). Throws a message (string) when there is no such
 * field.
 */
export function fieldSchema(schema: z.ZodType, segments: readonly string[], doc: unknown, what: string): z.ZodType {
  let s = schema;
  let d: unknown = doc;
  const walked: string[] = [];
  for (const seg of segments) {
    s = unwrap(s);
    const here = walked.length ? `'${walked.join('.')}'` : what;
    let k = def(s);
    if (k.type === 'union') {
      const disc = k.discriminator as string | undefined;
      const options = k.options as z.ZodType[];
      const chosen = disc
        ? options.find((o) => isObject(d) && def(unwrap(o)).type === 'object' && (def((def(unwrap(o)).shape as Record<string, z.ZodType>)[disc]!).values as unknown[] | undefined)?.includes(d[disc]))
        : options.find((o) => {
            const u = def(unwrap(o));
            return u.type === 'object' && seg in (u.shape as object);
          });
      if (!chosen)
        throw d === undefined ? `${here} is not set in the file, so it has no field '${seg}'` : disc && isObject(d) && d[disc] === undefined ? `${here} has no '${disc}' set, so it has no field '${seg}'` : `${here} has no field '${seg}'`;
      s = unwrap(chosen);
      k = def(s);
    }
    if (k.type === 'object') {
      const shape = k.shape as Record<string, z.ZodType>;
      if (!(seg in shape)) throw `${here} has no field '${seg}' (its fields: ${Object.keys(shape).join(', ')})`;
      s = shape[seg]!;
    } else if (k.type === 'record') {
      const value = unwrap(k.valueType as z.ZodType);
      const plain = ['number', 'string', 'boolean'].includes(def(value).type);
      if (!plain && !(isObject(d) && seg in d)) throw `${here} has no entry '${seg}'${isObject(d) ? ` (its entries: ${Object.keys(d).join(', ') || 'none'})` : ''}`;
      s = k.valueType as z.ZodType;
    } else if (k.type === 'array') {
      const len = Array.isArray(d) ? d.length : 0;
      if (!/^\d+$/.test(seg) || Number(seg) >= len) throw `${here} is a list of ${len} item(s), '${seg}' is not an index of it`;
      s = k.element as z.ZodType;
    } else if (k.type === 'tuple') {
      const items = k.items as z.ZodType[];
      if (!/^\d+$/.test(seg) || Number(seg) >= items.length) throw `${here} is a list of ${items.length} item(s), '${seg}' is not an index of it`;
      s = items[Number(seg)]!;
    } else throw `${here} is a single value, it has no field '${seg}'`;
    d = Array.isArray(d) ? d[Number(seg)] : isObject(d) ? d[seg] : undefined;
    walked.push(seg);
  }
  return s;
}

/** What a field of this schema expects, in words. */
function expects(schema: z.ZodType): string {
  const s = unwrap(schema);
  const d = def(s);
  switch (d.type) {
    case 'number':
      return isInteger(s) ? 'an integer' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${Object.values(d.entries as Record<string, string>).join(', ')}`;
    case 'literal':
      return (d.values as unknown[]).map((v) => `'${String(v)}'`).join(' or ');
    case 'string':
      return 'a string';
    case 'union':
      return (d.options as z.ZodType[]).map(expects).join(' or ');
    case 'array':
    case 'tuple':
      return 'a list in brackets, such as [1,2]';
    default:
      return 'a value';
  }
}

/** An example value of a field, for messages. */
function sample(schema: z.ZodType): string {
  const d = def(unwrap(schema));
  if (d.type === 'enum') return Object.values(d.entries as Record<string, string>)[0] ?? 'x';
  if (d.type === 'boolean') return 'true';
  if (d.type === 'string') return 'x';
  return '1';
}

function isInteger(s: z.ZodType): boolean {
  const f = (s as unknown as { format?: string | null }).format;
  return typeof f === 'string' && /int/.test(f);
}

/** Reads one value (as typed on the command line) by the schema of its field; throws the expectation (string). */
export function parseValue(schema: z.ZodType, raw: string): GridValue {
  const s = unwrap(schema);
  const d = def(s);
  const fail = (): never => {
    throw expects(schema);
  };
  switch (d.type) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (isInteger(s) && !Number.isInteger(n))) fail();
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') fail();
      return raw === 'true';
    case 'enum':
      if (!Object.values(d.entries as Record<string, string>).includes(raw)) fail();
      return raw;
    case 'literal': {
      const hit = (d.values as unknown[]).find((v) => String(v) === raw);
      if (hit === undefined) fail();
      return hit as GridValue;
    }
    case 'string':
      return raw;
    case 'union':
      for (const o of d.options as z.ZodType[]) {
        try {
          return parseValue(o, raw);
        } catch {
          // the next option
        }
      }
      return fail();
    case 'array':
    case 'tuple': {
      const m = /^\[(.*)\]$/s.exec(raw.trim());
      if (!m) return fail();
      const parts = m[1]!.trim() === '' ? [] : splitValues(m[1]!);
      const items = d.type === 'tuple' ? (d.items as z.ZodType[]) : null;
      if (items && parts.length !== items.length) return fail();
      return parts.map((p, i) => {
        const item = items ? items[i]! : (d.element as z.ZodType);
        try {
          return parseValue(item, p);
        } catch (e) {
          throw typeof e === 'string' ? `a list in brackets of ${expects(item).replace(/^an? /, '')} items, such as [${items ? items.map(sample).join(',') : `${sample(item)},${sample(item)}`}]` : e;
        }
      });
    }
    default: {
      // A field the schema leaves open (unknown): a number, true/false, or a string.
      if (raw === 'true' || raw === 'false') return raw === 'true';
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
    }
  }
}

/** The documents a grid is checked against: the scenario file's data, its circuit's (or null), and their schemas. */
export interface GridBase {
  readonly scenarioName: string;
  readonly scenarioDoc: Record<string, unknown>;
  readonly circuitDoc: Record<string, unknown> | null;
  readonly scenarioSchema: z.ZodType;
  readonly circuitSchema: z.ZodType;
}

/** Parses the `--grid` options. */
export function parseGrid(options: readonly string[], base: GridBase): GridAxis[] {
  const axes: GridAxis[] = [];
  for (const opt of options) {
    const eq = opt.indexOf('=');
    if (eq <= 0 || eq === opt.length - 1) throw new InputError('--grid', `path=v1,v2,... (a dotted path into the scenario, then its values), got '${opt}'`);
    const path = opt.slice(0, eq).trim();
    const raw = splitValues(opt.slice(eq + 1));
    if (axes.some((a) => a.path === path)) throw new InputError(`--grid ${path}`, 'each path once (list all its values in one --grid)');
    const segments = path.split('.');
    if (segments.some((s) => s === '')) throw new InputError(`--grid ${path}`, `a dotted path such as protocol.epochs, got '${path}'`);
    if (path === 'circuit') throw new InputError(`--grid ${path}`, `a field, not the circuit file itself (one circuit per sweep; its fields are circuit.<path>, such as circuit.populations.<name>.size)`);
    const inCircuit = segments[0] === 'circuit';
    if (inCircuit && !base.circuitDoc) throw new InputError(`--grid ${path}`, `a field of scenario '${base.scenarioName}': it runs a model protocol, without a circuit`);
    const target = inCircuit ? 'circuit' : 'scenario';
    const rest = inCircuit ? segments.slice(1) : segments;
    let field: z.ZodType;
    try {
      field = inCircuit ? fieldSchema(base.circuitSchema, rest, base.circuitDoc, 'the circuit') : fieldSchema(base.scenarioSchema, rest, base.scenarioDoc, 'the scenario');
    } catch (e) {
      if (typeof e !== 'string') throw e;
      throw new InputError(`--grid ${path}`, `a field of scenario '${base.scenarioName}'${inCircuit ? ' or its circuit' : ''}: ${e}`);
    }
    const values = raw.map((r) => {
      if (r === '') throw new InputError(`--grid ${path}`, `values separated by commas, got an empty one in '${opt.slice(eq + 1)}'`);
      try {
        return parseValue(field, r);
      } catch (e) {
        if (typeof e !== 'string') throw e;
        throw new InputError(`--grid ${path}=${r}`, `expected ${e}`);
      }
    });
    const seen = new Set<string>();
    for (const [i, v] of values.entries()) {
      const c = canonical(v);
      if (seen.has(c)) throw new InputError(`--grid ${path}=${raw[i]}`, 'each value once');
      seen.add(c);
    }
    axes.push({ path, target, segments: rest, values, raw });
  }
  return axes;
}

/** JSON with object keys sorted, so that equal data give equal text (and equal keys). */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Sets `value` at `segments` in a (cloned) document, creating objects on the way (a record entry or an optional section). */
function setAt(doc: Record<string, unknown>, segments: readonly string[], value: GridValue): void {
  let o: Record<string, unknown> | unknown[] = doc;
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (Array.isArray(o)) {
      if (last) o[Number(seg)] = value;
      else o = o[Number(seg)] as Record<string, unknown>;
    } else if (last) o[seg] = value;
    else {
      if (!isObject(o[seg]) && !Array.isArray(o[seg])) o[seg] = {};
      o = o[seg] as Record<string, unknown>;
    }
  });
}

/** The file name a run's circuit document is written to, beside its scenario (point.ts). */
export const CIRCUIT_FILE = 'circuit.json';

/** Every combination of the axes' values (the first axis varies slowest), each with `seeds` seeds. */
export function expandGrid(axes: readonly GridAxis[], base: Pick<GridBase, 'scenarioDoc' | 'circuitDoc'>, seeds: number): SweepPoint[] {
  const combos: Array<Record<string, GridValue>> = [{}];
  for (const a of axes) {
    const next: Array<Record<string, GridValue>> = [];
    for (const c of combos) for (const v of a.values) next.push({ ...c, [a.path]: v });
    combos.splice(0, combos.length, ...next);
  }
  const points: SweepPoint[] = [];
  combos.forEach((values, pointIndex) => {
    // A JSON copy, not structuredClone: YAML aliases (`params: *lif`) are one object in the parsed data, and a grid
    // value set under one population must not reach the others.
    const scenario = JSON.parse(JSON.stringify(base.scenarioDoc)) as Record<string, unknown>;
    const circuit = base.circuitDoc ? (JSON.parse(JSON.stringify(base.circuitDoc)) as Record<string, unknown>) : null;
    for (const a of axes) setAt(a.target === 'circuit' ? circuit! : scenario, a.segments, values[a.path]!);
    // The scenario's seed (after the grid, which may set it) is the first run's; run i has seed + i.
    const seed0 = typeof scenario.seed === 'number' ? scenario.seed : 1;
    for (let seedIndex = 0; seedIndex < seeds; seedIndex++) {
      const seed = seed0 + seedIndex;
      // The circuit travels as a document beside the scenario (materialised as circuit.json), so the reference is fixed.
      const doc = { ...scenario, ...(circuit ? { circuit: CIRCUIT_FILE } : {}), seed };
      points.push({ key: pointKey(doc, circuit), pointIndex, seedIndex, values, seed, scenario: doc, circuit });
    }
  });
  return points;
}

/**
 * The key of a run: the first 16 hex digits of the SHA-256 of the documents it reads (canonical JSON), so equal runs
 * have equal keys on every machine, and an edited scenario or circuit makes new ones.
 */
export function pointKey(scenario: Record<string, unknown>, circuit: Record<string, unknown> | null): string {
  return createHash('sha256')
    .update(canonical({ purkinje_sweep: 1, version: PURKINJE_VERSION, scenario, circuit }))
    .digest('hex')
    .slice(0, 16);
}
