/**
 * Output folders: one run at a time may write a folder; a complete earlier run is never replaced unless asked
 * (--overwrite); the default folder moves to out/<name>-2, -3, ... instead of replacing one; a folder purkinje did
 * not write is never replaced; operating-system errors give one line and exit 2.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-outdirs-'));
const BIN = path.resolve('bin/purkinje.js');

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

function oneLineError(r: { code: number; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^purkinje: /);
  expect(r.stderr).toMatch(pattern);
}

const summaryOf = (out: string) => JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));

describe('a complete run is not replaced unless asked', () => {
  it('a second run into the folder of a complete run is refused and the first is left as it was; --overwrite replaces it', async () => {
    const out = path.join(dir, 'keep');
    expect((await cli('run', 'cuba', '--duration', '50', '--seed', '1', '--out', out, '--quiet')).code).toBe(0);
    const before = readFileSync(path.join(out, 'spikes.csv'));
    const refused = await cli('run', 'cuba', '--duration', '20', '--seed', '2', '--out', out, '--quiet');
    oneLineError(refused, /--out: a folder without a complete run, .*keep holds one of 'cuba'.*pass --overwrite/);
    expect(readFileSync(path.join(out, 'spikes.csv')).equals(before)).toBe(true);
    expect(summaryOf(out).seed).toBe(1);
    expect((await cli('run', 'cuba', '--duration', '20', '--seed', '2', '--out', out, '--overwrite', '--quiet')).code).toBe(0);
    expect(summaryOf(out)).toMatchObject({ seed: 2, biological_ms: 20 });
  });

  it('an interrupted earlier run is replaced without asking (it is not complete)', async () => {
    const out = path.join(dir, 'partial-run');
    const r = spawnSync('bash', ['-c', `node ${BIN} run cuba --stream - --out ${out} | head -n 2 > /dev/null`]);
    expect(r.status).toBe(0);
    expect(summaryOf(out).interrupted).toBe(true);
    expect((await cli('run', 'cuba', '--duration', '20', '--out', out, '--quiet')).code).toBe(0);
    expect(summaryOf(out)).toMatchObject({ interrupted: false, biological_ms: 20 });
  });

  it('a folder purkinje did not write is never replaced, even with --overwrite', async () => {
    const out = path.join(dir, 'mine');
    mkdirSync(out);
    writeFileSync(path.join(out, 'thesis.tex'), 'precious');
    for (const extra of [[], ['--overwrite']]) {
      const r = await cli('run', 'cuba', '--duration', '10', '--out', out, '--quiet', ...extra);
      oneLineError(r, /--out: a new or empty folder, or one purkinje wrote: .*mine holds 1 other file/);
    }
    expect(readFileSync(path.join(out, 'thesis.tex'), 'utf8')).toBe('precious');
  });

  it("the README's examples in order keep the default run: the default folder moves to out/cuba-2, out/cuba-3", () => {
    const cwd = mkdtempSync(path.join(dir, 'readme-'));
    const run = (cmd: string) => spawnSync('bash', ['-c', cmd], { cwd, encoding: 'utf8' });
    expect(run(`node ${BIN} run cuba --duration 100`).status).toBe(0);
    const first = readFileSync(path.join(cwd, 'out/cuba/spikes.csv'));
    const piped = run(`node ${BIN} run cuba --stream - | head -n 3`);
    expect(piped.status).toBe(0);
    expect(piped.stdout.trim().split('\n')).toHaveLength(3);
    expect(piped.stderr).toMatch(/out\/cuba holds a complete earlier run and is kept; writing out\/cuba-2/);
    expect(summaryOf(path.join(cwd, 'out/cuba-2')).interrupted).toBe(true);
    expect(readFileSync(path.join(cwd, 'out/cuba/spikes.csv')).equals(first)).toBe(true);
    expect(summaryOf(path.join(cwd, 'out/cuba')).interrupted).toBe(false);
    // out/cuba-2 holds an interrupted run: the next default run completes there, and the one after goes to -3.
    expect(run(`node ${BIN} run cuba --duration 10`).status).toBe(0);
    expect(summaryOf(path.join(cwd, 'out/cuba-2'))).toMatchObject({ interrupted: false, biological_ms: 10 });
    expect(run(`node ${BIN} run cuba --duration 10`).status).toBe(0);
    expect(readdirSync(path.join(cwd, 'out')).sort()).toEqual(['cuba', 'cuba-2', 'cuba-3']);
  });
});

describe('one run at a time per folder', () => {
  it('a second run into a folder that another run is writing gets a clear error (exit 2) and the first finishes', async () => {
    const out = path.join(dir, 'shared');
    const first: ChildProcess = spawn(process.execPath, [BIN, 'run', 'cuba', '--duration', '60000', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => {
      let text = '';
      first.stderr!.on('data', (d) => {
        text += d;
        if (/purkinje: running cuba/.test(text)) resolve();
      });
    });
    const second = await cli('run', 'cuba', '--duration', '10', '--out', out, '--quiet');
    oneLineError(second, new RegExp(`--out: a folder no other run is writing, .*shared is being written by process ${first.pid}`));
    first.kill('SIGINT');
    expect(await new Promise((r) => first.on('exit', r))).toBe(130);
    expect(summaryOf(out).interrupted).toBe(true);
  });

  it('two writers of one folder in the same process: the second is refused until the first lets go', async () => {
    const { OutputDir } = await import('../../src/recording/sinks/output-dir.ts');
    const out = path.join(dir, 'same-process');
    const first = new OutputDir(out);
    writeFileSync(first.file('a.txt'), 'first');
    expect(() => new OutputDir(out)).toThrow(new RegExp(`being written by process ${process.pid}`));
    expect(readFileSync(first.file('a.txt'), 'utf8')).toBe('first');
    first.discard();
    const second = new OutputDir(out);
    second.commit();
    expect(readdirSync(out)).toEqual(['.purkinje-run.json']);
  });

  it('a lock and a temporary folder left by a process that died (SIGKILL) are cleaned up by the next run', async () => {
    const out = path.join(dir, 'killed');
    const victim = spawn(process.execPath, [BIN, 'run', 'cuba', '--duration', '60000', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => victim.stderr!.on('data', (d) => /running cuba/.test(String(d)) && resolve()));
    victim.kill('SIGKILL');
    await new Promise((r) => victim.on('exit', r));
    const leftovers = () => readdirSync(dir).filter((f) => f.startsWith('.killed.'));
    expect(leftovers().sort()).toEqual(['.killed.lock', `.killed.partial-${victim.pid}`]);
    expect((await cli('run', 'cuba', '--duration', '10', '--out', out, '--quiet')).code).toBe(0);
    expect(leftovers()).toEqual([]);
    expect(summaryOf(out).interrupted).toBe(false);
  });
});

describe('operating-system errors: one line naming the path or port, exit 2, no stack trace', () => {
  it('an output folder that cannot be created', async () => {
    oneLineError(await cli('run', 'cuba', '--duration', '10', '--out', '/proc/purkinje-x'), /--out: a folder that can be written, cannot create files in \/proc: /);
    const file = path.join(dir, 'plainfile');
    writeFileSync(file, 'x');
    oneLineError(await cli('run', 'cuba', '--duration', '10', '--out', path.join(file, 'sub')), /--out: a folder path, but .*plainfile \(part of .*plainfile\/sub\) is a file/);
    oneLineError(await cli('attention', '--n', '16', '--d', '4', '--out', '/proc/purkinje-y'), /--out: a folder that can be written/);
  });

  it('serve on a port out of range, and on a port in use', async () => {
    oneLineError(await cli('serve', 'cuba', '--port', '99999'), /--port: expected an integer from 0 to 65535, got '99999'/);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      oneLineError(await cli('serve', 'cuba', '--port', String(port), '--duration', '10'), new RegExp(`--port: a free port on 127\\.0\\.0\\.1, ${port} is in use`));
    } finally {
      blocker.close();
    }
  });

  it('a spike stream into a full device (ENOSPC): one line, nothing half-written left', () => {
    const full = spawnSync('bash', ['-c', `node ${BIN} run cuba --duration 2000 --stream - --out ${path.join(dir, 'full')} > /dev/full`], { encoding: 'utf8' });
    expect(full.status).toBe(2);
    expect(full.stderr.trim().split('\n')).toEqual(['purkinje: stdout: no space left on the device (ENOSPC)']);
    expect(existsSync(path.join(dir, 'full'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.full.'))).toEqual([]);
  });
});
