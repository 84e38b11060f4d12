/**
 * purkinje's compiled LIF loop (src/backends/cpu/jit.ts) against the C floor of the same loop on this machine
 * (bench/c/lif_loop.c, gcc -O3 -march=native, float64 and float32), at 4,000 and 256,000 neurons: updates per second
 * and the ratios, each the best of `REPEATS` runs (the machine is shared; the best run is the least disturbed). C is
 * skipped where gcc is missing. One JSON line.
 * Usage: tsx bench/lif-floor.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { lifLoopSource } from '../src/backends/cpu/jit.ts';
import { LIF, type LifDerived, type LifParams } from '../src/models/neurons/lif.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sizes = [4000, 256000];
const updates = 1e9;
const REPEATS = 3;
const best = (f: () => number) => Math.max(...Array.from({ length: REPEATS }, f));
const p: LifParams = { tau_m: 20, tau_e: 5, tau_i: 10, v_rest: -49, v_th: -50, v_reset: -60, t_ref: 5, i_bias: 0 };
const d = LIF.derive(p, 0.1) as LifDerived;

function js(n: number, ticks: number): { rate: number; spikes: number } {
  const v = Float64Array.from({ length: n }, (_, i) => -60 + (10 * (i % 1000)) / 1000);
  const ge = new Float64Array(n);
  const gi = new Float64Array(n);
  const refr = new Float64Array(n);
  const ringE = new Float64Array(2 * n);
  const ringI = new Float64Array(2 * n);
  const spikes = new Uint32Array(n);
  const loop = new Function('v', 'ge', 'gi', 'refr', 'ringE', 'ringI', 'spikes', lifLoopSource(n, p, d, false))(v, ge, gi, refr, ringE, ringI, spikes) as (off: number, ext: null) => number;
  for (let k = 0; k < 50; k++) loop((k % 2) * n, null); // warm-up: every branch runs before timing
  let total = 0;
  const t0 = performance.now();
  for (let k = 0; k < ticks; k++) total += loop((k % 2) * n, null);
  return { rate: (n * ticks) / ((performance.now() - t0) / 1000), spikes: total };
}

const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-cfloor-'));
const exe = (real: string) => {
  const out = path.join(dir, `lif_${real}`);
  execFileSync('gcc', ['-O3', '-march=native', `-DREAL=${real}`, '-o', out, path.join(here, 'c', 'lif_loop.c')]);
  return out;
};
const c64 = gcc ? exe('double') : null;
const c32 = gcc ? exe('float') : null;
const rows = sizes.map((n) => {
  const ticks = Math.round(updates / n);
  const mine = best(() => js(n, ticks).rate);
  const run = (bin: string | null) => (bin ? best(() => Number(execFileSync(bin, [String(n), String(ticks)], { encoding: 'utf8' }).split(' ')[0])) : null);
  const f64 = run(c64);
  const f32 = run(c32);
  return { neurons: n, ticks, repeats: REPEATS, js_float64_updates_per_s: mine, c_float64_updates_per_s: f64, c_float32_updates_per_s: f32, js_over_c_float64: f64 ? mine / f64 : null, js_over_c_float32: f32 ? mine / f32 : null };
});
console.log(JSON.stringify({ bench: 'lif-floor', compiler: gcc ? execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'gcc not found', flags: '-O3 -march=native', rows }));
