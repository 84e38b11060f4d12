/**
 * Run by test/network/memory.test.ts in a child `node --expose-gc --import tsx` process: builds a circuit and its
 * simulator (one tick run, so every ring and recorder exists), collects garbage, and prints the array memory that
 * Node reports it holds (process.memoryUsage().arrayBuffers, after minus before) as JSON.
 */
import { CpuBackend } from '../../src/backends/cpu/index.ts';
import { loadCircuit } from '../../src/circuits/loader.ts';
import { Simulator } from '../../src/engine/simulator.ts';
import { buildNetwork } from '../../src/network/network.ts';

const gcOnce = (globalThis as { gc?: () => void }).gc!;
/**
 * Full collections with event-loop turns between them until the array memory stops falling three times running:
 * array buffers are swept concurrently after the collection, later on a loaded machine, never on a fixed schedule.
 */
const gc = async () => {
  let last = Infinity;
  for (let still = 0; still < 3; ) {
    gcOnce();
    await new Promise((r) => setImmediate(r));
    const now = process.memoryUsage().arrayBuffers;
    still = now < last ? 0 : still + 1;
    last = Math.min(last, now);
  }
};
const file = process.argv[2]!;
const { spec } = loadCircuit(file);
await gc();
const before = process.memoryUsage().arrayBuffers;
const net = buildNetwork(spec, 1, 0.1);
const sim = await Simulator.create(net, { seed: 1, backend: new CpuBackend(false) });
await sim.run(1);
await gc();
const after = process.memoryUsage().arrayBuffers;
process.stdout.write(JSON.stringify({ bytes: after - before, synapses: net.synapses }) + '\n');
