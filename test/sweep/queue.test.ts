/**
 * A sweep through a real Redis (Debian's redis-server, started here on a free loopback port) with two
 * `purkinje worker` processes, one of which is killed (SIGKILL) as soon as it has taken the slow point: the other
 * takes the point over when its lock expires, every point is in the table exactly once, and the table equals a local
 * sweep's, byte for byte. Skipped, with the reason printed, where redis-server is not installed (apt-get install
 * redis-server; .ci/run installs it). No test waits a fixed time: each waits for a line from a process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { main } from '../../src/cli/main.ts';
import { PURKINJE_VERSION } from '../../src/core/version.ts';

const BIN = path.resolve('bin/purkinje.js');

function findRedis(): string | null {
  for (const p of [process.env.REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (p && existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
const REDIS = findRedis();
if (!REDIS) console.warn('[sweep queue] skipped: no redis-server found (apt-get install redis-server, or set REDIS_SERVER)');

const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-sweep-queue-'));
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Collects a process's stderr and resolves `waitFor` promises when a pattern appears in it. */
function watch(child: ChildProcess): { text: () => string; waitFor: (re: RegExp) => Promise<RegExpMatchArray> } {
  let text = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    text: () => text,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const m = text.match(re);
        if (m) return resolve(m);
        waiters.push({ re, resolve });
        child.on('exit', () => reject(new Error(`process exited before ${re}; its stderr: ${text}`)));
      }),
  };
}

function start(args: string[], stdio: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', stdio, 'pipe'] });
  children.push(c);
  return c;
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code) => r(code))));

describe.skipIf(!REDIS)('sweep through a Redis queue with two workers, one killed mid-point', () => {
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    const redis = spawn(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(redis);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      redis.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/.test(out)) resolve();
      });
      redis.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    url = `redis://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const c of children.reverse()) if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await exited(c);
    }
  });

  it('every point exactly once, the killed point run again by the other worker, the table equal to a local sweep', async () => {
    // The 3000 ms point runs long enough to be killed in; the others are short.
    const grid = ['--grid', 'duration_ms=100,3000,200'];
    const workerArgs = ['worker', '--queue', url, '--queue-name', 'test', '--concurrency', '1', '--lock-ms', '1500'];
    const workers = [start(workerArgs), start(workerArgs)];
    const logs = workers.map(watch);
    await Promise.all(logs.map((l) => l.waitFor(/worker on redis/)));

    const sweep = start(['sweep', 'cuba', ...grid, '--queue', url, '--queue-name', 'test', '--out', path.join(dir, 'queue'), '--json']);
    let stdout = '';
    sweep.stdout!.on('data', (d: Buffer) => void (stdout += d.toString()));
    const sweepLog = watch(sweep);

    // Kill whichever worker takes the slow point, as soon as it has it.
    const slow = /running (\w+) \(cuba duration_ms=3000 seed 1\), try 1/;
    const victim = await Promise.race(logs.map((l, i) => l.waitFor(slow).then((m) => ({ i, key: m[1]! }))));
    workers[victim.i]!.kill('SIGKILL');
    const survivor = logs[1 - victim.i]!;
    await survivor.waitFor(new RegExp(`done ${victim.key}`));

    expect(await exited(sweep)).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ runs: 3, ran: 3, reused: 0, failed: [], interrupted: false });
    // Counted after the jobs are queued, by when the victim may already be dead: 1 or 2.
    expect(sweepLog.text()).toMatch(/[12] worker\(s\) connected/);
    // The killed worker never finished it; the survivor took it over (a later try: the stall does not count as one).
    expect(logs[victim.i]!.text()).not.toContain(`done ${victim.key}`);
    expect(survivor.text()).toMatch(new RegExp(`running ${victim.key} \\(cuba duration_ms=3000 seed 1\\)`));

    // The table: each point once, in grid order; equal, byte for byte, to a local sweep of the same grid.
    const csv = readFileSync(path.join(dir, 'queue', 'sweep.csv'), 'utf8');
    const lines = csv.trim().split('\n').slice(1);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['100', '3000', '200']);
    expect(new Set(lines.map((l) => l.split(',')[2])).size).toBe(3);
    const local = await main(['sweep', 'cuba', ...grid, '--workers', '2', '--out', path.join(dir, 'local'), '--quiet'], { stdout: () => undefined, stderr: () => undefined });
    expect(local).toBe(0);
    expect(csv).toBe(readFileSync(path.join(dir, 'local', 'sweep.csv'), 'utf8'));
    expect(readFileSync(path.join(dir, 'queue', 'sweep.arrow'))).toEqual(readFileSync(path.join(dir, 'local', 'sweep.arrow')));

    // A point delivered again (the same sweep into a new folder: the jobs are still in Redis, completed) is collected
    // once per key, without running it again.
    const before = logs[1 - victim.i]!.text().match(/running /g)!.length;
    const again = start(['sweep', 'cuba', ...grid, '--queue', url, '--queue-name', 'test', '--out', path.join(dir, 'queue-again'), '--json']);
    let againOut = '';
    again.stdout!.on('data', (d: Buffer) => void (againOut += d.toString()));
    expect(await exited(again)).toBe(0);
    expect(JSON.parse(againOut)).toMatchObject({ runs: 3, failed: [] });
    expect(readFileSync(path.join(dir, 'queue-again', 'sweep.csv'), 'utf8')).toBe(csv);
    expect(survivor.text().match(/running /g)!.length).toBe(before);
  }, 240_000); // several processes start and run on 2 shared cores; nothing here is timed

  it('a worker refuses, for good, a point planned by another purkinje version (its key would name other values)', async () => {
    const port = Number(new URL(url).port);
    const connection = { host: '127.0.0.1', port };
    const queue = new Queue('test-version', { connection });
    const events = new QueueEvents('test-version', { connection });
    await events.waitUntilReady();
    const worker = start(['worker', '--queue', url, '--queue-name', 'test-version', '--concurrency', '1']);
    const log = watch(worker);
    await log.waitFor(/worker on redis/);
    const other = `${PURKINJE_VERSION}-other`;
    const job = await queue.add('point', { key: 'k-other-version', version: other, label: 'cuba (other version)', scenario: {}, circuit: null }, { jobId: 'k-other-version', attempts: 3 });
    const failed = await new Promise<string>((resolve) => {
      events.on('failed', ({ jobId, failedReason }) => {
        if (jobId === job.id) resolve(failedReason);
      });
    });
    expect(failed).toContain(`planned by purkinje ${other}, this worker runs ${PURKINJE_VERSION}`);
    const after = await queue.getJob('k-other-version');
    expect(after!.attemptsMade).toBe(1); // not retried: every worker of this version would refuse it
    expect(log.text()).not.toMatch(/running k-other-version/);
    await events.close();
    await queue.close();
    worker.kill('SIGTERM');
    await exited(worker);
  }, 120_000);
});
