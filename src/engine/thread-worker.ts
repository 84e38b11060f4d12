/** A helper thread of the engine's thread team (threads.ts): builds its slices' kernels, then serves phases. */
import { parentPort, workerData } from 'node:worker_threads';
import { CpuBackend } from '../backends/cpu/index.ts';
import { serve, type TeamSetup, ThreadPart } from './threads.ts';

const { setup, thread } = workerData as { setup: TeamSetup; thread: number };
try {
  const part = await ThreadPart.create(setup, thread, new CpuBackend(setup.compiled, setup.wasmSimd, setup.precision, setup.skipRest));
  parentPort!.postMessage('ready');
  serve(setup, part);
  part.dispose();
} catch (e) {
  parentPort!.postMessage(e instanceof Error ? (e.stack ?? e.message) : String(e));
}
