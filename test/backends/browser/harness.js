/* global window, document, atob, btoa, performance */
/**
 * Browser side of test/backends/gpujs-browser.test.ts. Builds purkinje's gpu.js kernels from the source text the
 * test sends (the real functions of src/backends/gpujs/kernels.ts, as vitest transpiled them) with the settings of
 * src/backends/gpujs/index.ts, and steps a population tick by tick, recording every tick's five state rows.
 * On 'webgpu' it takes index.ts's resident path (pipeline + immutable, spike flags read through spikeRowKernel, the
 * state read with toArray); on 'webgl2' the synchronous path (output arrays fed back as the next state).
 * Float arrays travel as base64 of little-endian float32 bytes.
 */
'use strict';
(function () {
  const G = window.GPU.GPU || window.GPU;

  function decode(b64) {
    const s = atob(b64);
    const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return new Float32Array(u8.buffer);
  }

  function encode(f32) {
    const u8 = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  }

  async function probe() {
    const gl = document.createElement('canvas').getContext('webgl2');
    let webgpu;
    try {
      webgpu = await G.isWebGPUAvailable();
    } catch {
      webgpu = false;
    }
    return {
      secureContext: window.isSecureContext,
      webgl2: G.isWebGL2Supported,
      colorBufferFloat: Boolean(gl && gl.getExtension('EXT_color_buffer_float')),
      webgpu,
    };
  }

  /** job: { mode, source, spikeSource, constants, n, ticks, init (5 n), inE, inI, iext (ticks n each) }. */
  async function run(job) {
    const { mode, n, ticks } = job;
    const gpu = new G({ mode });
    const resident = mode === 'webgpu';
    const update = gpu.createKernel(job.source, {
      output: [n, 5],
      constants: job.constants,
      precision: 'single',
      tactic: 'precision',
      pipeline: resident,
      immutable: resident,
    });
    const readSpikes = resident ? gpu.createKernel(job.spikeSource, { output: [n], precision: 'single' }) : null;
    const init = decode(job.init);
    const inE = decode(job.inE);
    const inI = decode(job.inI);
    const iext = decode(job.iext);
    const traj = new Float32Array((ticks + 1) * 5 * n);
    traj.set(init, 0);
    const flags = new Float32Array(ticks * n);
    let current = Array.from({ length: 5 }, (_, q) => init.slice(q * n, (q + 1) * n));
    const t0 = performance.now();
    for (let t = 0; t < ticks; t++) {
      const a = inE.slice(t * n, (t + 1) * n);
      const b = inI.slice(t * n, (t + 1) * n);
      const c = iext.slice(t * n, (t + 1) * n);
      let rows;
      if (resident) {
        const out = await update(current, a, b, c);
        if (t > 0 && current && typeof current.delete === 'function') current.delete();
        current = out;
        flags.set(await readSpikes(out), t * n);
        rows = await out.toArray();
      } else {
        rows = update(current, a, b, c);
        current = rows;
        flags.set(rows[4], t * n);
      }
      for (let q = 0; q < 5; q++) traj.set(rows[q], ((t + 1) * 5 + q) * n);
    }
    const ms = performance.now() - t0;
    const kernel = update.kernel || update;
    const ran = kernel.constructor && kernel.constructor.mode;
    if (update.destroy) update.destroy();
    if (readSpikes && readSpikes.destroy) readSpikes.destroy();
    return { ran, gpuMode: gpu.mode, ms, traj: encode(traj), flags: encode(flags) };
  }

  window.purkinje = { probe, run };
})();
