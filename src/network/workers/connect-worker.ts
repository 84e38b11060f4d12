/**
 * A worker of the network-build pool (network/parallel.ts): for every job it is sent, it takes chunks from the job's
 * shared counter and runs them until none is left. It keeps nothing between jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type PoolMessage, type PoolWorkerData, workOn } from '../parallel.ts';

const port = parentPort;
if (!port) throw new Error('connect-worker.ts runs only as a worker thread');
port.on('message', (message: PoolMessage) => workOn(message));
const { online } = workerData as PoolWorkerData;
Atomics.add(online, 0, 1);
Atomics.notify(online, 0);
