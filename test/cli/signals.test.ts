/**
 * Signals: SIGINT and SIGTERM stop a run at its next chunk and leave a complete log of what was simulated, marked
 * interrupted, with no temporary folder or lock behind; `serve` stops on one Ctrl-C. No test here waits a fixed
 * time: each waits for a sign that the run is going (its start line on stderr, or rows arriving on stdout), so a
 * slow start-up on a loaded machine only makes the test slower, never wrong.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-signals-'));
const BIN = path.resolve('bin/purkinje.js');

function start(args: string[], stdout: 'pipe' | number = 'pipe'): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', stdout, 'pipe'] });
}

/** Resolves when `pred` holds for the text the stream has carried so far. */
function waitFor(stream: NodeJS.ReadableStream, pred: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (d: Buffer) => {
      text += d.toString();
      if (pred(text)) resolve(text);
    });
    stream.on('end', () => reject(new Error(`stream ended without the sign; it carried: ${text}`)));
  });
}

/** Resolves when the file has grown past `bytes` (checked whenever it changes, and every 50 ms). */
function waitForGrowth(file: string, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (statSync(file).size > bytes) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

/** What an interrupted run left in `out`: its summary, and the rows of its spike log. */
function interruptedRun(out: string, spikeRows: number) {
  const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  expect(s.interrupted).toBe(true);
  expect(s.biological_ms).toBeLessThan(60000);
  expect(spikeRows).toBe(s.populations.exc.spikes + s.populations.inh.spikes);
  // Nothing hidden left beside it: no temporary folder, no lock.
  expect(readdirSync(path.dirname(out)).filter((f) => f.startsWith(`.${path.basename(out)}.`))).toEqual([]);
  return s;
}

describe('Ctrl-C and SIGTERM', () => {
  it('SIGINT once the run has started: complete log of what was simulated, marked interrupted, exit 130', async () => {
    const out = path.join(dir, 'sigint');
    const child = start(['run', 'cuba', '--duration', '60000', '--out', out]);
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    await waitFor(child.stderr!, (t) => /purkinje: running cuba/.test(t));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    const rows = readFileSync(path.join(out, 'spikes.csv'), 'utf8').trim().split('\n').length - 1;
    interruptedRun(out, rows);
    expect(stdout).toMatch(/interrupted/);
  });

  it('SIGINT with --stream - into a file: the run stops (it used to run on to the end and exit 0)', async () => {
    const out = path.join(dir, 'stream');
    const log = path.join(dir, 'stream.csv');
    const fd = openSync(log, 'w');
    const child = start(['run', 'cuba', '--duration', '60000', '--stream', '-', '--out', out], fd);
    closeSync(fd);
    await waitForGrowth(log, 10_000);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    const rows = readFileSync(log, 'utf8').trim().split('\n').length - 1;
    const s = interruptedRun(out, rows);
    expect(s.biological_ms).toBeGreaterThan(0);
  });

  it('SIGTERM behaves like SIGINT (exit 143), with no hidden partial folder left behind', async () => {
    const out = path.join(dir, 'sigterm');
    const child = start(['run', 'cuba', '--duration', '60000', '--format', 'ndjson', '--out', out]);
    await waitFor(child.stderr!, (t) => /purkinje: running cuba/.test(t));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
    const rows = readFileSync(path.join(out, 'spikes.ndjson'), 'utf8').split('\n').filter(Boolean).length;
    interruptedRun(out, rows);
  });

  it('serve: one Ctrl-C stops the run and the process, exit 130', async () => {
    const child = start(['serve', 'cuba', '--duration', '600000', '--speed', '1']);
    await waitFor(child.stderr!, (t) => /serving cuba at http:\/\/127\.0\.0\.1:\d+\//.test(t));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
  });
});
