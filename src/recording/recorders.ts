/** Recorders decide what is recorded and hand it to sinks. */
import type { Population } from '../network/network.ts';
import { IsiAccumulator } from '../analysis/spikes.ts';
import type { SpikeSink } from './sinks/types.ts';

/** Forwards the spikes of the selected populations (all when `populations` is null) to a sink. */
export function spikeRecorder(sink: SpikeSink, populations: ReadonlySet<string> | null) {
  return (tick: number, pop: Population, indices: Uint32Array): void => {
    if (populations === null || populations.has(pop.name)) sink.write(tick, pop.name, indices);
  };
}

/** ISI statistics per population, O(neurons) memory. */
export function isiRecorder(pops: readonly Population[]) {
  const acc = new Map(pops.map((p) => [p.name, new IsiAccumulator(p.size)]));
  return {
    listener: (tick: number, pop: Population, indices: Uint32Array): void => acc.get(pop.name)?.add(tick, indices),
    meanCv: (name: string) => acc.get(name)?.meanCv() ?? { cv: NaN, neurons: 0 },
  };
}
