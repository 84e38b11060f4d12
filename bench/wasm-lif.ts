/**
 * The WebAssembly SIMD LIF kernels (src/backends/cpu/wasm) against the compiled JS loop (src/backends/cpu/jit.ts) and
 * the C floor of the same loop (bench/c/lif_loop.c, gcc -O3 -march=native, float64 and float32; skipped without
 * gcc), at 4,000 and 256,000 neurons. The tick loop is bench/lif-floor.ts's: CUBA parameters with v_rest above
 * threshold (every cell fires every 53 ms, refractory 5 ms of them), two ring slots, no input. Updates per second,
 * each the best of `REPEATS` runs of `--updates` updates (default 10^9), and the ratios. The wasm kernels run with
 * constants hoisted into locals (the default) and inline (`v128.const` at each use), and float64 also on a shared
 * memory. One JSON line.
 * Usage: tsx bench/wasm-lif.ts [--updates N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { lifLoopSource } from '../src/backends/cpu/jit.ts';
import { wasm, WASM_PAGE_BYTES } from '../src/backends/cpu/wasm/api.ts';
import { createLifWasm, type LifWasmPrecision, lifWasmViews, packLifWasmLayout } from '../src/backends/cpu/wasm/lif.ts';
import { LIF, type LifDerived, type LifParams } from '../src/models/neurons/lif.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const updatesArg = args.indexOf('--updates');
const updates = updatesArg >= 0 ? Number(args[updatesArg + 1]) : 1e9;
const sizes = [4000, 256000];
const REPEATS = 3;
const SLOTS = 2;
const p: LifParams = { tau_m: 20, tau_e: 5, tau_i: 10, v_rest: -49, v_th: -50, v_reset: -60, t_ref: 5, i_bias: 0 };
const d = LIF.derive(p, 0.1) as LifDerived;
const v0 = (i: number) => -60 + (10 * (i % 1000)) / 1000;

interface Run {
  rate: number;
  spikes: number;
}
const best = (f: () => Run): Run => Array.from({ length: REPEATS }, f).reduce((a, b) => (b.rate > a.rate ? b : a));

/** Times `ticks` calls of a tick function after 50 warm-up ticks (every branch runs before timing). */
function time(n: number, ticks: number, tick: (k: number) => number): Run {
  for (let k = 0; k < 50; k++) tick(k);
  let spikes = 0;
  const t0 = performance.now();
  for (let k = 0; k < ticks; k++) spikes += tick(k);
  return { rate: (n * ticks) / ((performance.now() - t0) / 1000), spikes };
}

/** The compiled JS loop, exactly as bench/lif-floor.ts runs it. */
function js(n: number, ticks: number): Run {
  const v = Float64Array.from({ length: n }, (_, i) => v0(i));
  const ge = new Float64Array(n);
  const gi = new Float64Array(n);
  const refr = new Float64Array(n);
  const ringE = new Float64Array(SLOTS * n);
  const ringI = new Float64Array(SLOTS * n);
  const spikes = new Uint32Array(n);
  const loop = new Function('v', 'ge', 'gi', 'refr', 'ringE', 'ringI', 'spikes', lifLoopSource(n, p, d, false))(v, ge, gi, refr, ringE, ringI, spikes) as (off: number, ext: null) => number;
  return time(n, ticks, (k) => loop((k % SLOTS) * n, null));
}

/** A wasm kernel on a fresh memory with the same initial state (the ring slot is cleared inside the kernel). */
function wasmRun(n: number, ticks: number, precision: LifWasmPrecision, constants: 'hoisted' | 'inline', shared: boolean): Run {
  const { layout, end } = packLifWasmLayout(n, SLOTS, precision);
  const pages = Math.ceil(end / WASM_PAGE_BYTES);
  const memory = new wasm.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
  const kernel = createLifWasm(memory, n, p, d, layout, { precision, constants });
  const views = lifWasmViews(memory, n, layout, precision);
  for (let i = 0; i < n; i++) views.v[i] = v0(i);
  const step = kernel.step;
  return time(n, ticks, (k) => step((k % SLOTS) * n, 0));
}

const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = gcc ? mkdtempSync(path.join(tmpdir(), 'purkinje-wasm-lif-')) : '';
const exe = (real: string) => {
  const out = path.join(dir, `lif_${real}`);
  execFileSync('gcc', ['-O3', '-march=native', `-DREAL=${real}`, '-o', out, path.join(here, 'c', 'lif_loop.c')]);
  return out;
};
const c64 = gcc ? exe('double') : null;
const c32 = gcc ? exe('float') : null;
const cRun = (bin: string | null, n: number, ticks: number): number | null =>
  bin ? Math.max(...Array.from({ length: REPEATS }, () => Number(execFileSync(bin, [String(n), String(ticks)], { encoding: 'utf8' }).split(' ')[0]))) : null;
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? Number((a / b).toFixed(3)) : null);

const rows = sizes.map((n) => {
  const ticks = Math.round(updates / n);
  const j = best(() => js(n, ticks));
  const w64 = best(() => wasmRun(n, ticks, 64, 'hoisted', false));
  const w64i = best(() => wasmRun(n, ticks, 64, 'inline', false));
  const w64s = best(() => wasmRun(n, ticks, 64, 'hoisted', true));
  const w32 = best(() => wasmRun(n, ticks, 32, 'hoisted', false));
  const w32i = best(() => wasmRun(n, ticks, 32, 'inline', false));
  const f64 = cRun(c64, n, ticks);
  const f32 = cRun(c32, n, ticks);
  return {
    neurons: n,
    ticks,
    repeats: REPEATS,
    js_float64_updates_per_s: j.rate,
    wasm_float64_updates_per_s: w64.rate,
    wasm_float64_inline_updates_per_s: w64i.rate,
    wasm_float64_shared_updates_per_s: w64s.rate,
    wasm_float32_updates_per_s: w32.rate,
    wasm_float32_inline_updates_per_s: w32i.rate,
    c_float64_updates_per_s: f64,
    c_float32_updates_per_s: f32,
    wasm_float64_over_js: ratio(w64.rate, j.rate),
    wasm_float32_over_js: ratio(w32.rate, j.rate),
    wasm_float64_over_c_float64: ratio(w64.rate, f64),
    wasm_float32_over_c_float32: ratio(w32.rate, f32),
    js_over_c_float64: ratio(j.rate, f64),
    inline_over_hoisted_float64: ratio(w64i.rate, w64.rate),
    inline_over_hoisted_float32: ratio(w32i.rate, w32.rate),
    shared_over_plain_float64: ratio(w64s.rate, w64.rate),
    // Same arithmetic, same input: the float64 kernels must count the same spikes as the JS loop.
    spikes_equal_float64: j.spikes === w64.spikes && j.spikes === w64i.spikes && j.spikes === w64s.spikes,
  };
});
console.log(
  JSON.stringify({
    bench: 'wasm-lif',
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    compiler: gcc ? execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'gcc not found',
    flags: '-O3 -march=native',
    updates_per_run: updates,
    rows,
  }),
);
