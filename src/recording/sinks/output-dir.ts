/**
 * An output directory that appears complete or not at all: files are written into a sibling temporary folder,
 * which replaces the target by rename when the run commits. A failed run removes its temporary folder and leaves
 * any earlier results in place.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../core/errors.ts';

export class OutputDir {
  readonly tmp: string;
  private done = false;

  constructor(readonly target: string) {
    const parent = path.dirname(path.resolve(target));
    if (existsSync(target) && !statSync(target).isDirectory()) throw new InputError('--out', `a directory path, but ${target} is a file`);
    try {
      mkdirSync(parent, { recursive: true });
      accessSync(parent, constants.W_OK);
    } catch {
      throw new InputError('--out', `a writable location, cannot write in ${parent}`);
    }
    this.tmp = path.join(parent, `.${path.basename(target)}.partial-${process.pid}`);
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp);
  }

  file(name: string): string {
    return path.join(this.tmp, name);
  }

  writeJson(name: string, data: unknown): void {
    writeFileSync(this.file(name), JSON.stringify(data, null, 2) + '\n');
  }

  /** Moves the finished folder into place, replacing an earlier one. */
  commit(): void {
    if (this.done) return;
    const old = `${this.tmp}.old`;
    if (existsSync(this.target)) renameSync(this.target, old);
    renameSync(this.tmp, this.target);
    rmSync(old, { recursive: true, force: true });
    this.done = true;
  }

  /** Removes the temporary folder (the run failed). */
  discard(): void {
    if (this.done) return;
    rmSync(this.tmp, { recursive: true, force: true });
    this.done = true;
  }
}
