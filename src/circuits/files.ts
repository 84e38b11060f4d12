/** Reading YAML or JSON spec files, with one-line errors that name the file. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { InputError, jsonPointer } from '../core/errors.ts';

export const SPEC_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Parses a YAML (JSON is YAML) file into plain data. YAML merge keys (`<<: *anchor`) are honoured. */
export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new InputError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}`, `valid YAML or JSON (${printable(err.message).replace(/ at line \d+, column \d+:?$/, '')})`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new InputError(file, `valid YAML or JSON (${printable(e instanceof Error ? e.message : String(e))})`);
  }
}

/** One printable line: control characters shown as \uXXXX. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced here
  return (s.split("\n")[0] ?? "").replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Validates data against a zod schema; the first problem becomes a one-line InputError naming file and JSON path. */
export function validate<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let msg = issue.message;
  if (issue.code === 'unrecognized_keys') msg = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  msg = printable(msg.replace(/^Invalid input: /, '').replace(/^Too (small|big): /, ''));
  return fail(`${file}: ${jsonPointer(issue.path)}`, msg);
}

function fail(where: string, expected: string): never {
  throw new InputError(where, expected);
}

/**
 * Resolves a spec reference: an existing file path, or a name looked up in `dir` with the usual extensions
 * (`cuba` -> circuits/cuba.yaml).
 */
export function resolveSpec(ref: string, dir: string, kind: string, relativeTo?: string): string {
  const candidates = [ref];
  if (relativeTo) candidates.unshift(path.resolve(relativeTo, ref));
  // A path (with a folder in it) whose extension was left off, such as `scenarios/cls-consolidation`, also finds
  // the file; a bare name is looked up in `dir` below, never next to the file that refers to it.
  if (/[\\/]/.test(ref)) for (const ext of SPEC_EXTENSIONS) candidates.push(ref + ext);
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return c;
  for (const ext of ['', ...SPEC_EXTENSIONS]) {
    const c = path.join(dir, ref + ext);
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  throw new InputError(ref, `a ${kind} file path or the name of a file in ${path.relative(process.cwd(), dir) || dir}/`);
}
