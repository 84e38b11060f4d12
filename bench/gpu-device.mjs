// The GPU check of issue 14, for a machine with an NVIDIA GPU: CUBA-like networks of 4k, 256k and 10^6 neurons on
// the cpu backend (float64 and float32, every core) and on gpujs (the best device gpu.js finds there), same machine,
// same script; one JSON line per run. Plain JavaScript on the compiled build (dist/), so that it runs where only node
// and a few runtime packages can be brought (no npm registry on the lent machines):
//   npm run build; then on the GPU machine, with node, dist/ and node_modules holding gpu.js, acorn, gpu-mock.js,
//   webgpu (its linux dawn.node, and a Vulkan loader libvulkan.so.1 beside it when the machine has none), yaml, zod:
//   node bench/gpu-device.mjs            (ONLY=gpujs,gpujs-pop,cpu,cpu-f32 picks backends; BATCH=32 the resident
//                                          path's read-back interval)
// gpujs is the device-resident network (backends/gpujs/resident.ts), gpujs-pop the per-population kernels with delivery
// on the host. `early` hashes every spike of the first 20 ms: the resident path and cpu-f32 should print the same.
import os from 'node:os';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { CpuBackend } from '../dist/backends/cpu/index.js';
import { GpuJsBackend, probeGpuDevice } from '../dist/backends/gpujs/index.js';
import { loadCircuit } from '../dist/circuits/loader.js';
import { Simulator } from '../dist/engine/simulator.js';
import { buildNetwork } from '../dist/network/network.js';

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
let device = 'none';
try { device = await probeGpuDevice(); } catch (e) { out({ probe_error: String(e) }); }
out({ host: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version, gpujs_device: device });
const base = loadCircuit('cuba').spec;
function spec(n) {
  if (n === 4000) return base;
  const ne = Math.round(0.8 * n);
  const k = 80;
  return {
    ...base,
    populations: base.populations.map((p) => ({ ...p, size: p.name === 'exc' ? ne : n - ne })),
    projections: base.projections.map((p) => ({ ...p, connectivity: { rule: 'fixed_indegree', indegree: p.source === 'exc' ? Math.round(0.8 * k) : k - Math.round(0.8 * k) } })),
  };
}
const plan = [[4000, 10000], [256000, 500], [1000000, 200]];
for (const [n, ticks] of plan) {
  for (const which of (process.env.ONLY ? process.env.ONLY.split(',') : ['cpu', 'cpu-f32', 'gpujs', 'gpujs-pop'])) {
    if (which.startsWith('gpujs') && device !== 'webgpu' && n > 4000) continue;
    if (which === 'gpujs-pop' && n > 4000) continue;
    try {
      const t0 = performance.now();
      const net = buildNetwork(spec(n), 1, 0.1);
      const batchTicks = Number(process.env.BATCH ?? 32);
      const backend = which.startsWith('gpujs')
        ? await GpuJsBackend.create(device, { resident: which === 'gpujs', batchTicks })
        : new CpuBackend(true, undefined, which === 'cpu-f32' ? 32 : 64);
      const sim = await Simulator.create(net, { seed: 1, backend, threads: which.startsWith('gpujs') ? 1 : os.availableParallelism() });
      const build = performance.now() - t0;
      let spikes = 0;
      let early = 0;
      sim.onSpikes((t, p, idx) => {
        spikes += idx.length;
        if (t <= 200) for (const i of idx) early = (Math.imul(early, 31) + t * 7 + p.index * 1000003 + i) | 0;
      });
      const t1 = performance.now();
      await sim.run(ticks);
      const wall = performance.now() - t1;
      out({ neurons: n, backend: which, device: backend.device, kernels: sim.kernelImplementations, threads: sim.threads, shared_ticks: sim.sharedTicks, ticks, build_s: build / 1000, wall_s: wall / 1000, real_time_factor: (ticks * 0.1) / wall, rate_hz: spikes / n / (ticks * 1e-4), synapses: net.synapses, early });
      sim.dispose();
      backend.dispose();
    } catch (e) {
      out({ neurons: n, backend: which, error: String(e && e.stack || e).slice(0, 400) });
    }
  }
}
