/**
 * Worker thread: computes complementary-learning-systems replay schedules (models/memory/cls/replay.ts) on request
 * and sends them back as transferable typed arrays. Messages: { id, params, seed, epochs } in, { id, data } or
 * { id, error } out.
 */
import { parentPort } from 'node:worker_threads';
import { computeReplaySchedule, type ClsParams } from '../../models/memory/cls/index.ts';

interface Job {
  readonly id: number;
  readonly params: ClsParams;
  readonly seed: number;
  readonly epochs: number;
}

const port = parentPort;
if (!port) throw new Error('replay-worker.ts runs only as a worker thread');
port.on('message', (job: Job) => {
  try {
    const data = computeReplaySchedule(job.params, job.seed, job.epochs).toData();
    const transfer = [data.outcome, data.memory, data.distance, data.active, data.kwtaCycles, data.thresholdCycles, data.unitStart, data.units].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ id: job.id, data }, transfer);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
