/**
 * `purkinje serve <scenario>`: runs a scenario and serves a page on 127.0.0.1 that draws the spike raster and the
 * population rates as the simulation streams (server-sent events), with pause and resume. The run is paced to
 * `speed` times real time so that it can be watched; events carry simulation time.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendChoice } from '../backends/select.ts';
import { InputError } from '../core/errors.ts';
import { type LoadedScenario, withCircuit } from '../scenarios/loader.ts';
import { runScenario, type RunSummary } from '../scenarios/runner.ts';
import { LIVE_PAGE } from './live-page.ts';

export interface LiveServer {
  readonly url: string;
  readonly server: Server;
  /** Resolves with the summary when the run ends. */
  readonly done: Promise<RunSummary>;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly port?: number;
  readonly backend?: BackendChoice;
  /** Engine threads (default 1). */
  readonly threads?: number;
  readonly seed?: number;
  readonly durationMs?: number;
  /** Simulation ms per wall-clock ms (default 1: real time); Infinity runs as fast as possible. */
  readonly speed?: number;
  /** Neurons per population shown in the raster (default 100). */
  readonly rasterRows?: number;
  readonly outDir?: string;
  /** Stops the run at its next chunk (also while paused). */
  readonly signal?: AbortSignal;
}

export async function serveScenario(loaded: LoadedScenario, opts: ServeOptions = {}): Promise<LiveServer> {
  const clients = new Set<ServerResponse>();
  const rows = opts.rasterRows ?? 100;
  const speed = opts.speed ?? 1;
  let paused = false;
  let resume: (() => void) | null = null;
  let pending: Array<[number, string, number]> = [];
  const counts = new Map<string, number>();
  let finished: RunSummary | null = null;
  let lastTick = 0;
  const sizes: Record<string, number> = {};

  const send = (event: string, data: unknown) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(text);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(LIVE_PAGE.replaceAll('__TITLE__', loaded.scenario.name.replace(/[<>&"]/g, '')));
    } else if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(`event: hello\ndata: ${JSON.stringify({ scenario: loaded.scenario.name, sizes, paused, rows })}\n\n`);
      if (finished) res.write(`event: done\ndata: ${JSON.stringify({ tick: lastTick, summary: finished })}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else if (req.method === 'POST' && (url.pathname === '/pause' || url.pathname === '/resume')) {
      paused = url.pathname === '/pause';
      if (!paused) resume?.();
      send('state', { paused, tick: lastTick });
      res.writeHead(204).end();
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new InputError('--port', `a free port on 127.0.0.1, ${opts.port ?? 0} is in use`) : e.code === 'EACCES' ? new InputError('--port', `a port this user may open, ${opts.port ?? 0} needs privileges (use one above 1023)`) : e),
    );
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  // A stop request also releases a paused run, so that it reaches its next chunk and ends.
  opts.signal?.addEventListener('abort', () => resume?.(), { once: true });
  const port = (server.address() as AddressInfo).port;

  const t0 = Date.now();
  let pausedMs = 0;
  let dtNow = 0.1;
  const done = runScenario(loaded, {
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.durationMs !== undefined ? { durationMs: opts.durationMs } : {}),
    ...(opts.outDir !== undefined ? { outDir: opts.outDir } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    chunkTicks: 50,
    listeners: [
      (tick, pop, idx) => {
        counts.set(pop.name, (counts.get(pop.name) ?? 0) + idx.length);
        for (const i of idx) if (i < rows) pending.push([tick, pop.name, i]);
      },
    ],
    onProgress: (tick, _total, dtMs) => {
      dtNow = dtMs;
      if (tick === 0) return;
      const rates: Record<string, number> = {};
      for (const [name, c] of counts) rates[name] = c;
      send('chunk', { tick, t_ms: tick * dtMs, dt_ms: dtMs, spikes: pending, counts: rates });
      pending = [];
      counts.clear();
      lastTick = tick;
    },
    onChunk: async (tick) => {
      if (paused && !opts.signal?.aborted) {
        const since = Date.now();
        await new Promise<void>((r) => (resume = r));
        resume = null;
        pausedMs += Date.now() - since;
      }
      if (Number.isFinite(speed) && !opts.signal?.aborted) {
        const simMs = tick * dtNow;
        const ahead = simMs / speed - (Date.now() - t0 - pausedMs);
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      }
    },
  }).then((summary) => {
    finished = summary;
    send('done', { tick: lastTick, summary });
    return summary;
  });
  for (const p of withCircuit(loaded, 'the live view').circuit.spec.populations) sizes[p.name] = p.size;

  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    done,
    close: async () => {
      for (const c of clients) c.end();
      resume?.();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
