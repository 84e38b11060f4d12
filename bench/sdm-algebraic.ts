/**
 * Throughput of the algebraic binary SDM at Kanerva's (1988) scale: n = 1000, r = 10^6, d = 451 (~1072 active).
 *
 *   npx tsx bench/sdm-algebraic.ts [--r 1000000] [--n 1000] [--d 451] [--w 1000] [--counter-bits 8]
 *                                  [--saturation C] [--seconds 4] [--kernel auto|js|wasm] [--seed 1]
 *                                  [--batches 8,16,32] [--pool-batches 32,64] [--threads <cores>]
 *                                  [--unroll 1] [--simd 0|1] [--step 0] [--limits 1]
 *
 * Builds the memory (seeded random addresses, in shared memory so that worker threads can read it), then writes
 * random heteroassociative (key, value) pairs for --seconds and reads at the stored keys for --seconds each: one
 * `read` at a time (unbatched), `readBatch` of B queries on this thread for each B of --batches, and
 * `SdmReadPool.readBatch` over --threads workers for each B of --pool-batches. Prints one JSON object: writes/s,
 * reads/s of each kind, mean active locations, the bit error of the reads, build time and memory (peak RSS sampled
 * after every operation, and the OS's maxRSS), and beside them this machine's limits measured by small wasm loops:
 * memory bandwidth (a streaming v128 sum over a 512 MB buffer, one thread and all threads) and the rate of 64-bit
 * popcounts (i64.popcnt of words in L1, eight independent sums, one thread and all threads), with the reads/s they
 * imply: bandwidth / address bytes for an unbatched read, popcount rate / (r ceil(n / 64)) popcounts for any read.
 * Default value width w = 1000 with Int8 counters saturating at +-127: 10^9 counters = 1 GB, plus 128 MB of addresses.
 */
import { uleb, wasmName, wasmSection } from '../src/core/wasm-bytes.ts';
import { CounterRng, streamId } from '../src/core/rng.ts';
import { BinarySdm, KANERVA_1988, type CounterBits } from '../src/models/memory/sdm/binary.ts';
import { hammingBits, randomBits } from '../src/models/memory/sdm/bits.ts';
import type { ScanKernel } from '../src/models/memory/sdm/scan.ts';
import { SdmReadPool } from '../src/backends/cpu/sdm/pool.ts';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const n = Number(arg('n', String(KANERVA_1988.n)));
const r = Number(arg('r', String(KANERVA_1988.r)));
const d = Number(arg('d', String(KANERVA_1988.d)));
const w = Number(arg('w', '1000'));
const counterBits = Number(arg('counter-bits', '8')) as CounterBits;
const saturationArg = arg('saturation', '');
const seconds = Number(arg('seconds', '4'));
const kernel = arg('kernel', 'auto') as ScanKernel;
const seed = Number(arg('seed', '1'));
const batches = arg('batches', '8,16,32').split(',').map(Number);
const poolBatches = arg('pool-batches', '32,64').split(',').map(Number);
const threads = Number(arg('threads', String(availableParallelism())));
const unroll = Number(arg('unroll', '1'));
const simd = arg('simd', '0') === '1';
const step = Number(arg('step', '0'));
const measureLimits = arg('limits', '1') === '1';

let peakRss = process.memoryUsage().rss;
const sample = (): void => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};
const mb = (bytes: number): number => Math.round(bytes / 1048576);

// ---- this machine's limits: tiny wasm loops (bytes built here, no file) on one thread and on every thread -------------

const wname = wasmName;
const wsection = wasmSection;

/**
 * Module importing a shared memory env.mem, exporting
 *   sum(ptr, bytes, reps) -> i64: reps passes of v128 loads over [ptr, ptr + bytes), 64 bytes a step, four i64x2 sums;
 *   pop(ptr, iters) -> i64: iters steps of eight i64.popcnt of words cycling through [ptr, ptr + 4096), eight sums.
 */
function limitsModule(): Uint8Array {
  const I32 = 0x7f, I64 = 0x7e, V128 = 0x7b, GET = 0x20, SET = 0x21, LOOP = 0x03, END = 0x0b, BR_IF = 0x0d, SIMD = 0xfd;
  const vload = (off: number): number[] => [SIMD, 0, 4, ...uleb(off)];
  const i64x2add = [SIMD, 0xce, 0x01];
  // sum: params 0 ptr, 1 bytes, 2 reps; locals 3 p, 4 end (i32), 5..8 a0..a3 (v128)
  const sum = [
    2, 2, I32, 4, V128,
    LOOP, 0x40,
    /**/ GET, 0, SET, 3, GET, 0, GET, 1, 0x6a, SET, 4,
    /**/ LOOP, 0x40,
    /*    */ ...[0, 1, 2, 3].flatMap((u) => [GET, 5 + u, GET, 3, ...vload(16 * u), ...i64x2add, SET, 5 + u]),
    /*    */ GET, 3, 0x41, 0xc0, 0x00, 0x6a, SET, 3, // p += 64
    /*    */ GET, 3, GET, 4, 0x49, BR_IF, 0, // p < end (u)
    /**/ END,
    /**/ GET, 2, 0x41, 1, 0x6b, SET, 2, GET, 2, BR_IF, 0, // reps--, loop while != 0
    END,
    GET, 5, GET, 6, ...i64x2add, GET, 7, ...i64x2add, GET, 8, ...i64x2add, SIMD, 0x1d, 0,
    END,
  ];
  // pop: params 0 ptr, 1 iters; locals 2 o, 3 q (i32), 4..11 s0..s7 (i64)
  const pop = [
    2, 2, I32, 8, I64,
    LOOP, 0x40,
    /**/ GET, 0, GET, 2, 0x6a, SET, 3,
    /**/ ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((u) => [GET, 4 + u, GET, 3, 0x29, 3, ...uleb(8 * u), 0x7b, 0x7c, SET, 4 + u]),
    /**/ GET, 2, 0x41, 0xc0, 0x00, 0x6a, 0x41, 0xff, 0x1f, 0x71, SET, 2, // o = (o + 64) & 4095
    /**/ GET, 1, 0x41, 1, 0x6b, SET, 1, GET, 1, BR_IF, 0,
    END,
    ...[5, 6, 7, 8, 9, 10, 11].flatMap((l) => [GET, l, 0x7c]).reduce<number[]>((a, x) => [...a, x], [GET, 4]),
    END,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...wsection(1, [2, 0x60, 3, I32, I32, I32, 1, I64, 0x60, 2, I32, I32, 1, I64]),
    ...wsection(2, [1, ...wname('env'), ...wname('mem'), 0x02, 0x03, 0x00, ...uleb(65536)]),
    ...wsection(3, [2, 0, 1]),
    ...wsection(7, [2, ...wname('sum'), 0x00, 0, ...wname('pop'), 0x00, 1]),
    ...wsection(10, [2, ...uleb(sum.length), ...sum, ...uleb(pop.length), ...pop]),
  ]);
}

interface WasmLike {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer };
  Module: new (b: Uint8Array) => object;
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => bigint> };
}

/** Runs exports[fn](...args) repeatedly for `ms`; returns calls per second. */
const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, memory, fn, args, ms } = workerData;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
inst.exports[fn](...args);
parentPort.once('message', () => {
  const t = performance.now(); let n = 0;
  while (performance.now() - t < ms) { inst.exports[fn](...args); n++; }
  parentPort.postMessage(n * 1000 / (performance.now() - t));
});
parentPort.postMessage('ready');
`;

async function machineLimits(opts: { threads: number; seconds: number }): Promise<{ bandwidthGBs: { oneThread: number; allThreads: number }; popcountsPerSec: { oneThread: number; allThreads: number }; bufferMB: number }> {
  const api = (globalThis as unknown as { WebAssembly: WasmLike }).WebAssembly;
  const bytes = limitsModule();
  const BUF = 512 * 1048576;
  const memory = new api.Memory({ initial: BUF / 65536 + 1, maximum: BUF / 65536 + 1, shared: true });
  new Uint8Array(memory.buffer, 0, BUF).fill(1); // touch every page: untouched pages would read the shared zero page
  const inst = new api.Instance(new api.Module(bytes), { env: { mem: memory } });
  const ms = opts.seconds * 1000;
  const POP_ITERS = 1_000_000;
  const rate = (fn: string, args: number[]): number => {
    inst.exports[fn]!(...args);
    const t = performance.now();
    let calls = 0;
    while (performance.now() - t < ms) {
      inst.exports[fn]!(...args);
      calls++;
    }
    return (calls * 1000) / (performance.now() - t);
  };
  const parallel = async (fn: string, argsOf: (k: number) => number[]): Promise<number[]> => {
    const workers = Array.from({ length: opts.threads }, (_, k) => new Worker(WORKER_SRC, { eval: true, workerData: { bytes, memory, fn, args: argsOf(k), ms } }));
    await Promise.all(workers.map((wk) => new Promise((res) => wk.once('message', res))));
    const rates = Promise.all(workers.map((wk) => new Promise<number>((res) => wk.once('message', res))));
    for (const wk of workers) wk.postMessage('go');
    const out = await rates;
    await Promise.all(workers.map((wk) => wk.terminate()));
    return out;
  };
  const gb = (callsPerSec: number, b: number): number => +((callsPerSec * b) / 1e9).toFixed(2);
  const bw1 = gb(rate('sum', [0, BUF, 1]), BUF);
  const part = Math.floor(BUF / opts.threads / 64) * 64;
  const bwAll = +(await parallel('sum', (k) => [k * part, part, 1])).reduce((a, x) => a + gb(x, part), 0).toFixed(2);
  const pop1 = rate('pop', [0, POP_ITERS]) * 8 * POP_ITERS;
  const popAll = (await parallel('pop', (k) => [k * 8192, POP_ITERS])).reduce((a, x) => a + x * 8 * POP_ITERS, 0);
  return { bandwidthGBs: { oneThread: bw1, allThreads: bwAll }, popcountsPerSec: { oneThread: +pop1.toExponential(3), allThreads: +popAll.toExponential(3) }, bufferMB: BUF / 1048576 };
}

const loadStart = loadavg()[0]!;
const t0 = performance.now();
const sdm = new BinarySdm({
  n,
  r,
  d,
  valueBits: w,
  seed,
  counterBits,
  kernel,
  shared: true,
  blockScan: { unroll, simd, step },
  ...(saturationArg === '' ? {} : { saturation: Number(saturationArg) }),
});
const buildMs = performance.now() - t0;
sample();

// A pool of random (key, value) pairs, drawn before timing.
const POOL = 512;
const rng = new CounterRng(seed + 1);
const keyStream = streamId('bench:keys');
const valueStream = streamId('bench:values');
const keys: Uint8Array[] = [];
const values: Uint8Array[] = [];
for (let p = 0; p < POOL; p++) {
  keys.push(randomBits(rng, n, keyStream, p));
  values.push(randomBits(rng, w, valueStream, p));
}

let writes = 0;
let writeActive = 0;
const tw = performance.now();
while (performance.now() - tw < seconds * 1000) {
  writeActive += sdm.write(keys[writes % POOL]!, values[writes % POOL]!);
  writes++;
  sample();
}
const writeMs = performance.now() - tw;
const stored = Math.min(writes, POOL);

let reads = 0;
let readActive = 0;
let bitErrors = 0;
const tr = performance.now();
while (performance.now() - tr < seconds * 1000) {
  const p = reads % stored;
  const res = sdm.read(keys[p]!);
  readActive += res.active;
  bitErrors += hammingBits(res.bits, values[p]!);
  reads++;
  sample();
}
const readMs = performance.now() - tr;

/** Reads in batches of `b` stored keys for --seconds with `readBatch`; reads/s and the bit error rate. */
async function timeBatches(b: number, readBatch: (xs: Uint8Array[]) => Promise<{ bits: Uint8Array }[]> | { bits: Uint8Array }[]): Promise<{ batch: number; readsPerSec: number; readBitErrorRate: number }> {
  let done = 0;
  let errors = 0;
  const t = performance.now();
  while (performance.now() - t < seconds * 1000) {
    const idx = Array.from({ length: b }, (_, k) => (done + k) % stored);
    const res = await readBatch(idx.map((p) => keys[p]!));
    res.forEach((x, k) => (errors += hammingBits(x.bits, values[idx[k]!]!)));
    done += b;
    sample();
  }
  const ms = performance.now() - t;
  return { batch: b, readsPerSec: +((done * 1000) / ms).toFixed(1), readBitErrorRate: +(errors / Math.max(1, done * w)).toExponential(3) };
}

const batched1: Awaited<ReturnType<typeof timeBatches>>[] = [];
for (const b of batches) batched1.push(await timeBatches(b, (xs) => sdm.readBatch(xs)));
const pool = await SdmReadPool.create(sdm, threads);
const batchedAll: Awaited<ReturnType<typeof timeBatches>>[] = [];
for (const b of poolBatches) batchedAll.push(await timeBatches(b, (xs) => pool.readBatch(xs)));
await pool.close();
const best = (xs: typeof batched1): (typeof batched1)[number] => xs.reduce((a, x) => (x.readsPerSec > a.readsPerSec ? x : a));

const limits = measureLimits ? await machineLimits({ threads, seconds: Math.min(2, seconds) }) : null;
const addressBytes = 4 * r * sdm.words;
const popcountsPerRead = r * Math.ceil(n / 64);

const memoryBytes = { addresses: 4 * r * sdm.words, counters: (r * w * counterBits) / 8 };
console.log(
  JSON.stringify(
    {
      bench: 'sdm-algebraic',
      memory: String(sdm),
      node: process.version,
      // the machine is shared: the 1-minute load average before and after (above 0 while another job runs)
      loadAverage1m: { start: +loadStart.toFixed(2), end: +loadavg()[0]!.toFixed(2) },
      n,
      r,
      d,
      valueBits: w,
      counterBits,
      saturation: sdm.saturation,
      kernel: sdm.kernel,
      buildSeconds: +(buildMs / 1000).toFixed(3),
      writes,
      writesPerSec: +((writes * 1000) / writeMs).toFixed(1),
      reads,
      readsPerSec: +((reads * 1000) / readMs).toFixed(1),
      batched1Thread: { best: best(batched1), all: batched1 },
      batchedAllThreads: { threads, best: best(batchedAll), all: batchedAll },
      blockScan: { unroll, simd, step },
      sumKernel: sdm.sumKernel,
      limits:
        limits === null
          ? null
          : {
              ...limits,
              impliedReadsPerSec: {
                unbatchedByBandwidth1Thread: +((limits.bandwidthGBs.oneThread * 1e9) / addressBytes).toFixed(1),
                unbatchedByBandwidthAllThreads: +((limits.bandwidthGBs.allThreads * 1e9) / addressBytes).toFixed(1),
                byPopcount1Thread: +(limits.popcountsPerSec.oneThread / popcountsPerRead).toFixed(1),
                byPopcountAllThreads: +(limits.popcountsPerSec.allThreads / popcountsPerRead).toFixed(1),
              },
            },
      meanActiveWrite: +(writeActive / Math.max(1, writes)).toFixed(1),
      meanActiveRead: +(readActive / Math.max(1, reads)).toFixed(1),
      patternsStored: stored,
      readBitErrorRate: +(bitErrors / Math.max(1, reads * w)).toExponential(3),
      arraysMB: { addresses: mb(memoryBytes.addresses), counters: mb(memoryBytes.counters) },
      peakRssMB: mb(peakRss),
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    null,
    0,
  ),
);
