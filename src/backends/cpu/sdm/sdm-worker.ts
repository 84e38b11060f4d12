/**
 * Worker thread of `SdmReadPool`: attaches to a shared binary SDM (its addresses, query block, pairs and counters)
 * and answers block jobs over its own range of locations [from, to).
 *
 * Messages in: { type: 'init', state, from, to, slot } (answered { type: 'ready' }; slot: its accumulator slot in
 * the shared memory, scan-block.ts ACC_SLOTS), then { type: 'block', nq, d, sum }.
 * Answer to a block: { count, acc } — `count` pairs written from word 2 from of the shared pairs (scan.ts,
 * `withinBlock`) and, when `sum`, the partial sums of the block's queries over the range (nq * valueBits float64,
 * transferred), or { error }.
 */
import { parentPort } from 'node:worker_threads';
import { sumPairs } from '../../../models/memory/sdm/batch.ts';
import { countersView, type Counters, type SharedSdmState } from '../../../models/memory/sdm/binary.ts';
import { attachScanner, type HammingScanner } from '../../../models/memory/sdm/scan.ts';

type Message = { type: 'init'; state: SharedSdmState; from: number; to: number; slot: number } | { type: 'block'; nq: number; d: number; sum: boolean };

const INT32_MAX = 2147483647;

const port = parentPort;
if (!port) throw new Error('sdm-worker.ts runs only as a worker thread');
let scanner: HammingScanner | null = null;
let counters: Counters | null = null;
let w = 0;
let from = 0;
let to = 0;
let slot = 0;
let saturation = 0;
port.on('message', (msg: Message) => {
  try {
    if (msg.type === 'init') {
      const { state } = msg;
      scanner = attachScanner(state.scanner);
      w = state.valueBits;
      counters = countersView(state.counterBits, state.counters, state.scanner.r * w, state.countersOffset);
      saturation = state.saturation;
      from = msg.from;
      to = msg.to;
      slot = msg.slot;
      // a few short scans so that V8 tiers the block kernel up before the first real block (wasm code starts in the
      // baseline compiler and is not replaced in the middle of a running call). The pairs it may write fall in this
      // worker's own region, which every block overwrites.
      for (let k = 0; k < 3; k++) scanner.withinBlock(1, 0, from, Math.min(to, from + 20_000));
      port.postMessage({ type: 'ready' });
      return;
    }
    if (scanner === null || counters === null) throw new Error('sdm worker: block before init');
    const count = scanner.withinBlock(msg.nq, msg.d, from, to);
    if (!msg.sum) {
      port.postMessage({ count });
      return;
    }
    const acc = new Float64Array(msg.nq * w);
    if (scanner.counters !== null && count * saturation <= INT32_MAX) {
      // the wasm sum kernel into this thread's accumulator slot, copied out without its row padding
      const { acc: a, stride } = scanner.sumBlock(slot, msg.nq, from, count);
      for (let b = 0; b < msg.nq; b++) acc.set(a.subarray(b * stride, b * stride + w), b * w);
    } else sumPairs(counters, w, scanner.pairs, { start: 2 * from, count }, acc);
    port.postMessage({ count, acc }, [acc.buffer]);
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
