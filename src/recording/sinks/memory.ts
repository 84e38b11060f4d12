import type { SpikeSink } from './types.ts';

/** Keeps every spike in memory as (tick, population, neuron) columns. For tests and small runs. */
export class MemorySink implements SpikeSink {
  readonly ticks: number[] = [];
  readonly populations: string[] = [];
  readonly neurons: number[] = [];
  get rows(): number {
    return this.ticks.length;
  }
  write(tick: number, population: string, indices: Uint32Array): void {
    for (const i of indices) {
      this.ticks.push(tick);
      this.populations.push(population);
      this.neurons.push(i);
    }
  }
  /** Spike ticks of one neuron, in order. */
  train(population: string, neuron: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.ticks.length; r++) if (this.neurons[r] === neuron && this.populations[r] === population) out.push(this.ticks[r]!);
    return out;
  }
  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}
