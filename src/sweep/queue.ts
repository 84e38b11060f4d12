/**
 * Sweeps past one machine: points travel as BullMQ jobs through Redis. The sweep enqueues each point with its key as
 * the job id (a point already queued, running or done is not added twice) and collects the summaries the workers
 * return; `purkinje worker` takes points from the queue and runs them in a pool of threads.
 *
 * A worker that dies in the middle of a point stops renewing the job's lock; after `lockMs` another worker's stalled
 * check puts the job back in the queue and it runs again (up to MAX_STALLS times, and ATTEMPTS times after errors).
 * The sweep keeps results by key, so a point delivered twice still gives one row. Completed jobs stay in Redis for a
 * day (a sweep interrupted and started again collects them without running them again).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import path from 'node:path';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { InputError } from '../core/errors.ts';
import { PURKINJE_VERSION } from '../core/version.ts';
import type { RunSummary } from '../scenarios/types.ts';
import type { PointJob } from './point.ts';
import { PointPool } from './pool.ts';

/** The queue's name in Redis unless --queue-name says otherwise. */
export const DEFAULT_QUEUE_NAME = 'purkinje-sweep';
/** Tries of a point that fails with an error (not bad input), 1 s apart. */
export const ATTEMPTS = 3;
/** A point whose worker died more than this many times fails (a point that kills its worker). */
export const MAX_STALLS = 3;
/** How long completed and failed jobs stay in Redis (seconds). */
const KEEP_S = 24 * 3600;

export interface QueueAddress {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
}

/** Parses `redis://[user:password@]host[:port][/db]` (rediss:// for TLS). */
export function parseQueueUrl(text: string, flag = '--queue'): QueueAddress {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new InputError(flag, `a Redis URL such as redis://HOST:6379, got '${text}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new InputError(flag, `a Redis URL such as redis://HOST:6379 (redis:// or rediss://), got '${text}'`);
  if (!u.hostname) throw new InputError(flag, `a Redis URL with a host, such as redis://HOST:6379, got '${text}'`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new InputError(flag, `a Redis URL whose path is a database number (redis://HOST:6379/0), got '${text}'`);
  return {
    url: `${u.protocol}//${u.hostname}:${u.port || 6379}${db ? `/${db}` : ''}`,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    tls: u.protocol === 'rediss:',
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}

function connection(a: QueueAddress): ConnectionOptions {
  return {
    host: a.host,
    port: a.port,
    maxRetriesPerRequest: null,
    ...(a.tls ? { tls: {} } : {}),
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(a.db !== undefined ? { db: a.db } : {}),
  };
}

/** A RESP command. */
const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * Checks that a Redis server answers at the address (AUTH if the URL has a password, then PING) within `timeoutMs`;
 * otherwise an InputError in one line. Done before anything is queued or written.
 */
export async function checkQueue(a: QueueAddress, flag = '--queue', timeoutMs = 3000): Promise<void> {
  const problem = await new Promise<string | null>((resolve) => {
    let text = '';
    const done = (p: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(p);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    const onConnect = () => {
      const auth = a.password !== undefined ? resp('AUTH', ...(a.username !== undefined ? [a.username] : []), a.password) : '';
      socket.write(auth + resp('PING'));
    };
    const socket: Socket = a.tls ? tlsConnect({ host: a.host, port: a.port, servername: a.host }, onConnect) : netConnect({ host: a.host, port: a.port }, onConnect);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const lines = text.split('\r\n');
      const replies = lines.slice(0, -1);
      const bad = replies.find((l) => l.startsWith('-'));
      if (bad) done(`the server refused: ${bad.slice(1)}`);
      else if (replies.some((l) => l === '+PONG')) done(null);
      else if (replies.length >= 2 || (replies.length === 1 && a.password === undefined)) done(`not a Redis server (it answered '${replies[0]}')`);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? `no such host (${e.code})` : `${e.message}${e.code ? ` (${e.code})` : ''}`));
    socket.on('close', () => done('the server closed the connection'));
  });
  if (problem !== null) throw new InputError(flag, `a reachable Redis server at ${a.url}: ${problem}`);
}

/** What the sweep hears from the queue. */
export interface QueueCollector {
  /** Resolves when every job has completed or failed, or `signal` aborts. */
  readonly done: Promise<void>;
  /** Workers connected to the queue now. */
  workers(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Enqueues the points (job id = key) and calls `onResult` once per key: with the summary a worker returned, or the
 * error of a point that failed for good. Points already completed in Redis are collected at once; ones that failed
 * earlier are tried again.
 */
export async function enqueuePoints(
  a: QueueAddress,
  name: string,
  jobs: readonly PointJob[],
  onResult: (key: string, r: { summary: RunSummary } | { error: string }) => void,
  signal: AbortSignal,
): Promise<QueueCollector> {
  const queue = new Queue<PointJob, RunSummary>(name, { connection: connection(a) });
  const events = new QueueEvents(name, { connection: connection(a) });
  const pending = new Set(jobs.map((j) => j.key));
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const settle = (key: string, r: { summary: RunSummary } | { error: string }) => {
    if (!pending.delete(key)) return; // a second delivery of a key changes nothing
    onResult(key, r);
    if (pending.size === 0) finish();
  };
  /** Looks at a job and settles it if it is finished. */
  const check = async (key: string) => {
    if (!pending.has(key)) return; // another sweep's job on the same queue, or one already collected
    const job = await Job.fromId<PointJob, RunSummary>(queue, key);
    if (!job) return;
    const state = await job.getState();
    if (state === 'completed') settle(key, { summary: job.returnvalue });
    else if (state === 'failed') settle(key, { error: job.failedReason || 'the point failed' });
  };
  events.on('completed', ({ jobId }) => void check(jobId).catch(() => undefined));
  events.on('failed', ({ jobId }) => void check(jobId).catch(() => undefined));
  await events.waitUntilReady();
  await queue.waitUntilReady();
  // Points that failed for good in an earlier sweep are tried again; the others are added (or found already there).
  for (const j of jobs) {
    const old = await Job.fromId(queue, j.key);
    if (old && (await old.getState()) === 'failed') await old.retry('failed');
  }
  await queue.addBulk(
    jobs.map((j) => ({
      name: 'point',
      data: j,
      opts: { jobId: j.key, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } },
    })),
  );
  for (const j of jobs) await check(j.key);
  // Events can be missed (a reconnect); look at what is still pending every few seconds.
  const timer = setInterval(() => {
    for (const key of [...pending]) void check(key).catch(() => undefined);
  }, 3000);
  const onAbort = () => finish();
  signal.addEventListener('abort', onAbort, { once: true });
  if (pending.size === 0) finish();
  return {
    done,
    workers: async () => (await queue.getWorkers()).length,
    close: async () => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      await events.close();
      await queue.close();
    },
  };
}

export interface WorkerOptions {
  readonly queue: QueueAddress;
  readonly name: string;
  /** Points run at once (threads). */
  readonly concurrency: number;
  /** A job's lock: renewed every lockMs / 2 while its point runs; another worker takes the point over lockMs after its worker died. */
  readonly lockMs: number;
  /** Where the run folders go (<outDir>/<key>); none when absent (the summary travels through Redis either way). */
  readonly outDir?: string;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

/** Runs points from the queue until `signal` aborts; then finishes the points it is running and returns. */
export async function runQueueWorker(o: WorkerOptions): Promise<{ ran: number; failed: number }> {
  const pool = new PointPool(o.concurrency);
  let ran = 0;
  let failed = 0;
  const worker = new Worker<PointJob, RunSummary>(
    o.name,
    async (job) => {
      const p = job.data;
      if (p.version !== PURKINJE_VERSION) {
        // Another version could compute other values under the same key: refuse, for good, on every worker like this one.
        const why = `point ${p.key} was planned by purkinje ${String(p.version)}, this worker runs ${PURKINJE_VERSION}: run workers of the sweep's version`;
        o.log(`refused ${p.key}: ${why}`);
        throw new UnrecoverableError(why);
      }
      o.log(`running ${p.key} (${p.label}), try ${job.attemptsMade + 1}`);
      const outcome = await pool.run(p, o.outDir !== undefined ? path.join(o.outDir, p.key) : null);
      if ('error' in outcome) {
        failed++;
        o.log(`failed ${p.key}: ${outcome.error}`);
        // Bad input fails on every machine: no retry.
        throw outcome.input ? new UnrecoverableError(outcome.error) : new Error(outcome.error);
      }
      if (outcome.summary.interrupted) throw new Error('interrupted (the worker was stopped)');
      ran++;
      o.log(`done ${p.key}`);
      return outcome.summary;
    },
    { connection: connection(o.queue), concurrency: o.concurrency, lockDuration: o.lockMs, stalledInterval: o.lockMs, maxStalledCount: MAX_STALLS, autorun: false },
  );
  // ioredis reconnects by itself; say each distinct problem once, not at every try.
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message !== lastError) o.log(`queue error: ${e.message} (retrying)`);
    lastError = e.message;
  });
  worker.on('ready', () => (lastError = ''));
  await worker.waitUntilReady();
  o.log(`worker on ${o.queue.url} (queue '${o.name}'), ${o.concurrency} point(s) at a time; Ctrl-C finishes the running points and stops`);
  const running = worker.run();
  await new Promise<void>((resolve) => {
    if (o.signal.aborted) resolve();
    else o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  o.log('stopping: finishing the running points (Ctrl-C again stops at once; another worker then runs them)');
  // Nothing running: close at once (also when Redis has gone away); else let the running points finish.
  await worker.close(pool.running === 0);
  await running;
  await pool.close();
  return { ran, failed };
}
