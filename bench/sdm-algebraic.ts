/**
 * Throughput of the algebraic binary SDM at Kanerva's (1988) scale: n = 1000, r = 10^6, d = 451 (~1072 active).
 *
 *   npx tsx bench/sdm-algebraic.ts [--r 1000000] [--n 1000] [--d 451] [--w 1000] [--counter-bits 8]
 *                                  [--saturation C] [--seconds 4] [--kernel auto|js|wasm] [--seed 1]
 *
 * Builds the memory (seeded random addresses), then writes random heteroassociative (key, value) pairs for --seconds
 * and reads at the stored keys for --seconds, and prints one JSON object: writes/s, reads/s, mean active locations,
 * the bit error of the reads, build time and memory (peak RSS sampled after every operation, and the OS's maxRSS).
 * Default value width w = 1000 with Int8 counters saturating at +-127: 10^9 counters = 1 GB, plus 128 MB of addresses.
 */
import { CounterRng, streamId } from '../src/core/rng.ts';
import { BinarySdm, KANERVA_1988, type CounterBits } from '../src/models/memory/sdm/binary.ts';
import { hammingBits, randomBits } from '../src/models/memory/sdm/bits.ts';
import type { ScanKernel } from '../src/models/memory/sdm/scan.ts';

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

let peakRss = process.memoryUsage().rss;
const sample = (): void => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};
const mb = (bytes: number): number => Math.round(bytes / 1048576);

const t0 = performance.now();
const sdm = new BinarySdm({
  n,
  r,
  d,
  valueBits: w,
  seed,
  counterBits,
  kernel,
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

const memoryBytes = { addresses: 4 * r * sdm.words, counters: (r * w * counterBits) / 8 };
console.log(
  JSON.stringify(
    {
      bench: 'sdm-algebraic',
      memory: String(sdm),
      node: process.version,
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
