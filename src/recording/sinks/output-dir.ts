/**
 * An output directory that appears complete or not at all, that one run at a time may write, and that never
 * replaces a complete earlier run unless asked to.
 *
 * - Files are written into a sibling temporary folder `.<name>.partial-<pid>`, which replaces the target by rename
 *   when the run commits. A failed run removes its temporary folder and leaves any earlier results in place; a
 *   process that dies without cleaning up (SIGKILL, power loss) leaves one behind, and the next run into the same
 *   place removes it (its pid is no longer alive).
 * - A lock file `.<name>.lock` (created exclusively, holding the writer's pid) keeps a second run from writing the
 *   same folder while the first holds it; a lock whose process is gone is stale and taken over.
 * - Every committed folder carries `.purkinje-run.json` (what wrote it, when, whether it is complete). A folder that
 *   holds a complete run is replaced only with `overwrite`; a folder that holds something else (not made by
 *   purkinje, not empty) is never replaced (docs/DECISIONS.md 27).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { InputError, systemErrorLine } from '../../core/errors.ts';

/** The marker every committed output folder carries. */
export const RUN_MARKER = '.purkinje-run.json';

export interface RunMarker {
  readonly command: string;
  readonly complete: boolean;
  readonly finished: string;
  readonly scenario?: string;
}

export interface OutputDirOptions {
  /** Replace a folder that holds a complete earlier run (the CLI's --overwrite). */
  readonly overwrite?: boolean;
  /** The flag or field that named the folder, for errors (default '--out'). */
  readonly flag?: string;
  /** What writes the folder, recorded in its marker (default 'run'). */
  readonly command?: string;
}

/** What an existing path holds, as far as replacing it goes. */
export type Occupant =
  | { readonly kind: 'absent' | 'empty' }
  | { readonly kind: 'run'; readonly complete: boolean; readonly marker: Partial<RunMarker> }
  | { readonly kind: 'foreign'; readonly entries: number }
  | { readonly kind: 'file' };

/** Reads what a would-be output folder holds now. Folders written before markers existed count by summary.json. */
export function occupant(target: string): Occupant {
  let st;
  try {
    st = statSync(target);
  } catch {
    return { kind: 'absent' };
  }
  if (!st.isDirectory()) return { kind: 'file' };
  const entries = readdirSync(target);
  if (entries.length === 0) return { kind: 'empty' };
  const read = (f: string): Record<string, unknown> | null => {
    try {
      return JSON.parse(readFileSync(path.join(target, f), 'utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const marker = entries.includes(RUN_MARKER) ? read(RUN_MARKER) : null;
  if (marker) return { kind: 'run', complete: marker.complete === true, marker: marker as Partial<RunMarker> };
  const summary = entries.includes('summary.json') ? read('summary.json') : null;
  if (summary && typeof summary.scenario === 'string') return { kind: 'run', complete: summary.interrupted === false, marker: { scenario: summary.scenario } };
  return { kind: 'foreign', entries: entries.length };
}

/** Whether a process with this pid is alive (EPERM: alive, owned by someone else). */
function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file of an output folder: `.<name>.lock` beside it. */
function lockPath(target: string): string {
  const resolved = path.resolve(target);
  return path.join(path.dirname(resolved), `.${path.basename(resolved)}.lock`);
}

/** The pid of the live process that holds a lock file, or null (no lock, unreadable, or its process is gone). */
function liveHolder(lock: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  } catch {
    return null;
  }
  return alive(pid) ? pid : null;
}

/** Uncommitted folders of this process, removed if it exits without committing or discarding them. */
const open = new Set<OutputDir>();
let exitHook = false;

export class OutputDir {
  readonly tmp: string;
  private readonly lock: string;
  private readonly flag: string;
  private readonly command: string;
  private done = false;

  constructor(
    readonly target: string,
    opts: OutputDirOptions = {},
  ) {
    this.flag = opts.flag ?? '--out';
    this.command = opts.command ?? 'run';
    const resolved = path.resolve(target);
    const parent = path.dirname(resolved);
    const base = path.basename(resolved);
    if (occupant(target).kind === 'file') throw new InputError(this.flag, `a folder path, but ${target} is a file`);
    for (let up = parent; ; up = path.dirname(up)) {
      const o = occupant(up);
      if (o.kind === 'file') throw new InputError(this.flag, `a folder path, but ${up} (part of ${target}) is a file`);
      if (o.kind !== 'absent' || path.dirname(up) === up) break;
    }
    try {
      mkdirSync(parent, { recursive: true });
    } catch (e) {
      throw new InputError(this.flag, `a folder that can be created, ${target}: ${systemErrorLine(e) ?? String(e)}`);
    }
    this.lock = lockPath(target);
    this.acquire(target);
    try {
      const now = occupant(target);
      if (now.kind === 'foreign')
        throw new InputError(this.flag, `a new or empty folder, or one purkinje wrote: ${target} holds ${now.entries} other file(s) and is not replaced`);
      if (now.kind === 'run' && now.complete && opts.overwrite !== true)
        throw new InputError(
          this.flag,
          `a folder without a complete run, ${target} holds one${now.marker.scenario ? ` of '${now.marker.scenario}'` : ''}${now.marker.finished ? ` (${now.marker.finished})` : ''}: choose another --out, or pass --overwrite to replace it`,
        );
      this.removeStalePartials(parent, base); // this process's own earlier one too
      this.tmp = path.join(parent, `.${base}.partial-${process.pid}`);
      mkdirSync(this.tmp);
    } catch (e) {
      this.release();
      if (e instanceof InputError) throw e;
      throw new InputError(this.flag, `a folder that can be written, ${target}: ${systemErrorLine(e) ?? String(e)}`);
    }
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const d of open) d.discard();
      });
    }
  }

  /** Takes the lock file, or says which live process holds it. */
  private acquire(target: string): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = openSync(this.lock, 'wx');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new InputError(this.flag, `a folder that can be written, cannot create files in ${path.dirname(this.lock)}: ${systemErrorLine(Object.assign(e as Error, { path: undefined })) ?? String(e)}`);
        const holder = liveHolder(this.lock);
        // Held by a live process, this one included (another OutputDir on the same folder): refused.
        if (holder !== null) throw new InputError(this.flag, `a folder no other run is writing, ${target} is being written by process ${holder} (wait for it, or choose another --out)`);
        rmSync(this.lock, { force: true });
        continue;
      }
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    }
    throw new InputError(this.flag, `a folder no other run is writing, ${target} is locked by ${this.lock}`);
  }

  private release(): void {
    try {
      if (Number.parseInt(readFileSync(this.lock, 'utf8'), 10) === process.pid) rmSync(this.lock, { force: true });
    } catch {
      // already gone
    }
  }

  /** Removes temporary folders left by processes that died before committing. */
  private removeStalePartials(parent: string, base: string): void {
    const prefix = `.${base}.partial-`;
    for (const f of readdirSync(parent)) {
      if (!f.startsWith(prefix)) continue;
      const pid = Number.parseInt(f.slice(prefix.length), 10);
      if (!alive(pid) || pid === process.pid) rmSync(path.join(parent, f), { recursive: true, force: true });
    }
  }

  file(name: string): string {
    return path.join(this.tmp, name);
  }

  writeJson(name: string, data: unknown): void {
    writeFileSync(this.file(name), JSON.stringify(data, null, 2) + '\n');
  }

  /**
   * Moves the finished folder into place, replacing an earlier one. The folder is complete unless its summary.json
   * says the run was interrupted.
   */
  commit(): void {
    if (this.done) return;
    let scenario: string | undefined;
    let whole = true;
    try {
      const s = JSON.parse(readFileSync(this.file('summary.json'), 'utf8')) as { interrupted?: unknown; scenario?: unknown };
      whole = s.interrupted !== true;
      if (typeof s.scenario === 'string') scenario = s.scenario;
    } catch {
      // no summary: not a scenario run
    }
    const marker: RunMarker = { command: this.command, complete: whole, finished: new Date().toISOString(), ...(scenario ? { scenario } : {}) };
    this.writeJson(RUN_MARKER, marker);
    const old = `${this.tmp}.old`;
    if (existsSync(this.target)) renameSync(this.target, old);
    renameSync(this.tmp, this.target);
    rmSync(old, { recursive: true, force: true });
    this.done = true;
    open.delete(this);
    this.release();
  }

  /** Removes the temporary folder (the run failed). */
  discard(): void {
    if (this.done) return;
    rmSync(this.tmp, { recursive: true, force: true });
    this.done = true;
    open.delete(this);
    this.release();
  }
}

/**
 * The default output folder of a run: `out/<name>` unless that holds a complete earlier run (or another run is
 * writing it), then the first of `out/<name>-2`, `out/<name>-3`, ... that does not. The earlier run is kept.
 */
export function defaultOutDir(name: string, root = 'out'): string {
  for (let k = 1; ; k++) {
    const dir = path.join(root, k === 1 ? name : `${name}-${k}`);
    if (liveHolder(lockPath(dir)) !== null) continue;
    const o = occupant(dir);
    if (o.kind === 'absent' || o.kind === 'empty' || (o.kind === 'run' && !o.complete)) return dir;
  }
}
