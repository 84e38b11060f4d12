/**
 * The simulator as rxjs Observables (RxJS's own idiom: values carry their time, one emission per tick and
 * population, never one per spike, no wall-clock operators).
 *
 *   run$(sim, 10_000).pipe(inPopulations('exc'), bin(100), rateHz(sim)).subscribe(console.log)
 *
 * `run$` is cold: subscribing starts the run and unsubscribing stops it at the next chunk; `spikes$` is hot and
 * only forwards what a run started elsewhere produces.
 */
import { Observable, type MonoTypeOperatorFunction, type OperatorFunction, filter } from 'rxjs';
import type { MemoryEvent, RunOptions, Simulator } from '../engine/simulator.ts';
import { type ClsEvent, type ClsParams, type Regime, type RunOptions as ClsRunOptions, runCls } from '../models/memory/cls/index.ts';

export interface SpikeBatch {
  readonly tick: number;
  readonly t_ms: number;
  readonly population: string;
  /** Neuron indices that spiked in this tick (a copy, safe to keep). */
  readonly indices: Uint32Array;
}

/** Hot stream of spike batches from whatever runs `sim`. */
export function spikes$(sim: Simulator): Observable<SpikeBatch> {
  return new Observable<SpikeBatch>((subscriber) =>
    sim.onSpikes((tick, pop, idx) => subscriber.next({ tick, t_ms: tick * sim.dtMs, population: pop.name, indices: Uint32Array.from(idx) })),
  );
}

/** Hot stream of memory-model events (SDM writes, reads and recalls; replays; consolidation stops). */
export function events$(sim: Simulator): Observable<MemoryEvent & { t_ms: number }> {
  return new Observable<MemoryEvent & { t_ms: number }>((subscriber) => sim.onEvent((e) => subscriber.next({ ...e, t_ms: e.tick * sim.dtMs })));
}

/** Cold stream: runs `sim` for `ticks` ticks on subscription, emits its spike batches, completes at the end. */
export function run$(sim: Simulator, ticks: number, options: Omit<RunOptions, 'signal'> = {}): Observable<SpikeBatch> {
  return new Observable<SpikeBatch>((subscriber) => {
    const controller = new AbortController();
    const sub = spikes$(sim).subscribe(subscriber);
    // Start on the next microtask, so that subscribe() has returned (and can be unsubscribed) before the first batch.
    Promise.resolve()
      .then(() => (controller.signal.aborted ? undefined : sim.run(ticks, { ...options, signal: controller.signal })))
      .then(() => subscriber.complete(), (e: unknown) => subscriber.error(e))
      .finally(() => sub.unsubscribe());
    return () => {
      controller.abort();
      sub.unsubscribe();
    };
  });
}

/** Keeps the batches of the named populations. */
export function inPopulations(...names: string[]): MonoTypeOperatorFunction<SpikeBatch> {
  const set = new Set(names);
  return filter((b) => set.has(b.population));
}

/** Keeps only the given neurons of each batch (batches left empty are dropped). */
export function selectNeurons(population: string, neurons: Iterable<number>): MonoTypeOperatorFunction<SpikeBatch> {
  const keep = new Set(neurons);
  return (source) =>
    new Observable<SpikeBatch>((subscriber) =>
      source.subscribe({
        next: (b) => {
          if (b.population !== population) return;
          const idx = Uint32Array.from([...b.indices].filter((i) => keep.has(i)));
          if (idx.length) subscriber.next({ ...b, indices: idx });
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

export interface SpikeCountBin {
  /** First tick of the bin (inclusive) and the tick after it. */
  readonly startTick: number;
  readonly endTick: number;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Spike counts per population in bins of `binTicks` of simulation time. A bin is emitted when the first batch of a
 * later bin arrives (simulation time has passed it), and the last one on completion; empty bins in between are
 * emitted with zero counts, so the output is a regular time series.
 */
export function bin(binTicks: number): OperatorFunction<SpikeBatch, SpikeCountBin> {
  return (source) =>
    new Observable<SpikeCountBin>((subscriber) => {
      let current = -1;
      let counts: Record<string, number> = {};
      const flushUntil = (k: number) => {
        while (current < k) {
          if (current >= 0) subscriber.next({ startTick: current * binTicks, endTick: (current + 1) * binTicks, counts });
          counts = {};
          current++;
        }
      };
      return source.subscribe({
        next: (b) => {
          const k = Math.floor(b.tick / binTicks);
          if (current < 0) current = k;
          if (k > current) flushUntil(k);
          counts[b.population] = (counts[b.population] ?? 0) + b.indices.length;
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          if (current >= 0) subscriber.next({ startTick: current * binTicks, endTick: (current + 1) * binTicks, counts });
          subscriber.complete();
        },
      });
    });
}

export interface PopulationRate {
  readonly t_ms: number;
  readonly rates_hz: Readonly<Record<string, number>>;
}

/** Converts binned counts to population rates in Hz (spikes per neuron per second), at the bin's centre. */
export function rateHz(sim: Simulator): OperatorFunction<SpikeCountBin, PopulationRate> {
  const sizes = new Map(sim.network.populations.map((p) => [p.name, p.size]));
  return (source) =>
    new Observable<PopulationRate>((subscriber) =>
      source.subscribe({
        next: (b) => {
          const seconds = ((b.endTick - b.startTick) * sim.dtMs) / 1000;
          const rates: Record<string, number> = {};
          for (const [name, size] of sizes) rates[name] = (b.counts[name] ?? 0) / size / seconds;
          subscriber.next({ t_ms: ((b.startTick + b.endTick) / 2) * sim.dtMs, rates_hz: rates });
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * The complementary-learning-systems model's events (reactivation, replay, consolidation-stop, lesion, done) as a
 * cold stream: subscribing runs the model (synchronously, on the next microtask) and completes when it ends. Time
 * is the replay step (t_ms = step, as in the cls scenarios' logs).
 */
export function clsEvents$(params: ClsParams, seed: number, regime: Regime, options: ClsRunOptions = {}): Observable<ClsEvent & { t_ms: number }> {
  return new Observable<ClsEvent & { t_ms: number }>((subscriber) => {
    let cancelled = false;
    queueMicrotask(() => {
      if (cancelled) return;
      let step = 0;
      try {
        runCls(params, seed, regime, (e) => {
          if (e.kind === 'reactivation') step++;
          if (!cancelled) subscriber.next({ ...e, t_ms: step });
        }, options);
        subscriber.complete();
      } catch (e) {
        subscriber.error(e);
      }
    });
    return () => {
      cancelled = true;
    };
  });
}
