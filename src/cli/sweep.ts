/**
 * `purkinje sweep` and `purkinje worker` (src/sweep): a grid of scenario runs over worker threads or a Redis queue,
 * and the process that runs queued points on any machine that reaches Redis. Everything they check (the grid, the
 * queue) is checked before a run starts; bad input ends with one line and exit code 2.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../core/errors.ts';

interface Helpers {
  readonly intArg: (flag: string, min: number, max?: number) => (v: string) => number;
  /** Ends the command with an exit code. */
  readonly exit: (code: number) => never;
}

/** main.ts's Interrupt (declared here too, so that this file does not import main.ts, which imports it). */
interface Interrupt {
  readonly signal: AbortSignal;
  hold(): () => void;
  code(): number | null;
}

type Io = { stdout: (t: string) => void; stderr: (t: string) => void };

export function addSweepCommands(program: Command, io: Io, interrupt: Interrupt, h: Helpers): void {
  program
    .command('sweep')
    .description('run a scenario over a grid of values and seeds, in worker threads or on a Redis queue; one table of every run (resumable)')
    .argument('<scenario>', 'a scenario file, or the name of one in scenarios/')
    .option('--grid <path=values>', 'a dotted path into the scenario (circuit.<path> into its circuit) and its values, comma-separated; repeat for more axes', (v: string, all: string[] = []) => [...all, v])
    .option('--seeds <n>', "seeds per point: the scenario's seed, seed + 1, ... (default 1)", h.intArg('--seeds', 1, 100000))
    .option('--out <dir>', 'the sweep folder (default out/<scenario>-sweep); run again with the same folder to finish an interrupted sweep')
    .option('--workers <n>', "threads of a local sweep (default: this machine's cores)", h.intArg('--workers', 1, 256))
    .option('--queue <url>', 'run the points through this Redis (redis://HOST:PORT) on `purkinje worker` processes instead')
    .option('--queue-name <name>', 'the queue in Redis (default purkinje-sweep)')
    .option('--metric <column>', 'the table column the figure shows (default: the first scalar result that varies over the sweep, else the first rate)')
    .option('--json', 'print a JSON summary of the sweep on stdout')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  purkinje sweep cuba --grid duration_ms=500,1000 --seeds 3 --out out/cuba-sweep\n  purkinje sweep sdm-recall --grid protocol.patterns=10,20,40 --grid circuit.sdm.radius=100,110\n  purkinje sweep cuba --grid circuit.projections.0.weight=0.2,0.3 --queue redis://10.0.0.5:6379\n',
    )
    .action(async (ref: string, o: { grid?: string[]; seeds?: number; out?: string; workers?: number; queue?: string; queueName?: string; metric?: string; json?: boolean; quiet?: boolean }) => {
      const release = interrupt.hold();
      try {
        const [{ planSweep, runSweep }, { parseQueueUrl, checkQueue, DEFAULT_QUEUE_NAME }, { SingleBar, Presets }] = await Promise.all([
          import('../sweep/sweep.ts'),
          import('../sweep/queue.ts'),
          import('cli-progress'),
        ]);
        // Everything is checked before anything runs or is written: the grid and every point, then the queue.
        const queue = o.queue !== undefined ? { address: parseQueueUrl(o.queue), name: queueName(o.queueName ?? DEFAULT_QUEUE_NAME) } : undefined;
        const plan = planSweep(ref, o.grid ?? [], o.seeds ?? 1);
        if (queue) await checkQueue(queue.address);
        const outDir = o.out ?? path.join('out', `${plan.scenario}-sweep`);
        const bar = !o.quiet && !o.json && process.stderr.isTTY === true ? new SingleBar({ format: '  {bar} {value}/{total} runs | {failed} failed | ETA {eta_formatted}', hideCursor: true, stream: process.stderr }, Presets.shades_classic) : null;
        const say = (t: string) => {
          if (!o.quiet) io.stderr(`purkinje: ${t}\n`);
        };
        const result = await runSweep(plan, {
          outDir,
          workers: o.workers ?? availableParallelism(),
          ...(queue ? { queue } : {}),
          ...(o.metric !== undefined ? { metric: o.metric } : {}),
          signal: interrupt.signal,
          note: (t) => (bar ? undefined : say(t)),
          onProgress: (p) => {
            if (bar) {
              if (!bar.isActive) bar.start(p.total, p.done, { failed: p.failed });
              bar.update(p.done, { failed: p.failed });
            } else if (p.last === undefined) say(`sweep of ${plan.scenario} into ${outDir}: ${p.total} run(s), ${p.total - p.toRun} already done, ${p.toRun} to run${queue ? '' : ` in ${Math.min(o.workers ?? availableParallelism(), Math.max(1, p.toRun))} thread(s)`}`);
            else say(`${p.done}/${p.total} ${p.last}${p.lastStatus === 'done' ? '' : ` (${p.lastStatus})`}`);
          },
        });
        bar?.stop();
        if (o.metric !== undefined && result.figure !== o.metric) say(`--metric ${o.metric}: not a column of the table; the figure shows ${result.figure ?? 'nothing'}`);
        if (o.json) io.stdout(JSON.stringify(result) + '\n');
        else
          io.stdout(
            `${plan.scenario} sweep: ${result.runs} run(s), ${result.ran} ran, ${result.reused} already done, ${result.failed.length} failed${result.interrupted ? ', interrupted' : ''}\n  wrote ${path.join(outDir, 'sweep.csv')}, sweep.arrow, sweep.json${result.figure ? `, sweep.svg (${result.figure})` : ''}\n`,
          );
        for (const f of result.failed.slice(0, 5)) io.stderr(`purkinje: ${f.error.startsWith(f.label) ? f.error : `${f.label}: ${f.error}`}\n`);
        if (result.failed.length > 5) io.stderr(`purkinje: ... and ${result.failed.length - 5} more failed run(s) (sweep.json lists them)\n`);
        if (result.interrupted) {
          if (!o.quiet) io.stderr(`purkinje: interrupted; run the same command again to finish${queue ? ' (queued points stay queued)' : ''}\n`);
          h.exit(interrupt.code() ?? 130);
        }
        if (result.failed.length > 0) h.exit(1);
      } finally {
        release();
      }
    });

  program
    .command('worker')
    .description('run the points of sweeps from a Redis queue (purkinje sweep --queue), on any machine that reaches it')
    .requiredOption('--queue <url>', 'the Redis of the sweep, redis://HOST:PORT')
    .option('--concurrency <n>', "points at once, each in its own thread (default: this machine's cores)", h.intArg('--concurrency', 1, 256))
    .option('--queue-name <name>', 'the queue in Redis (default purkinje-sweep)')
    .option('--lock-ms <ms>', 'a point whose worker stops renewing its lock for this long is run by another worker (default 30000)', h.intArg('--lock-ms', 200))
    .option('--out <dir>', "also keep each run's folder here, as <dir>/<key> (the summary goes back to the sweep through Redis either way)")
    .option('--quiet', 'no line per point on stderr')
    .addHelpText('after', '\nExamples:\n  purkinje worker --queue redis://10.0.0.5:6379\n  purkinje worker --queue redis://10.0.0.5:6379 --concurrency 4 --out /scratch/runs\n')
    .action(async (o: { queue: string; concurrency?: number; queueName?: string; lockMs?: number; out?: string; quiet?: boolean }) => {
      const release = interrupt.hold();
      try {
        const { parseQueueUrl, checkQueue, runQueueWorker, DEFAULT_QUEUE_NAME } = await import('../sweep/queue.ts');
        const address = parseQueueUrl(o.queue);
        const name = queueName(o.queueName ?? DEFAULT_QUEUE_NAME);
        await checkQueue(address);
        const r = await runQueueWorker({
          queue: address,
          name,
          concurrency: o.concurrency ?? availableParallelism(),
          lockMs: o.lockMs ?? 30000,
          ...(o.out !== undefined ? { outDir: o.out } : {}),
          signal: interrupt.signal,
          log: (t) => {
            if (!o.quiet) io.stderr(`purkinje worker: ${t}\n`);
          },
        });
        if (!o.quiet) io.stderr(`purkinje worker: stopped after ${r.ran} point(s), ${r.failed} failed\n`);
        h.exit(interrupt.code() ?? 0);
      } finally {
        release();
      }
    });
}

function queueName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new InputError('--queue-name', `letters, digits, '.', '_' or '-', got '${name}'`);
  return name;
}
