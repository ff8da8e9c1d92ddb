/**
 * worker_thread entry for face identity: receives `{ id, file }`, answers `{ id, descriptor }`
 * (an array of 128 numbers, or null when there is no face) or `{ id, error }`. Started by
 * createFaceIdentity({ worker: true }) so inference never blocks the extension host.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeInThread } from './faceIdentity';

const minConfidence: number = (workerData as { minConfidence?: number } | null)?.minConfidence ?? 0.5;

// Requests run one after another (the engine is single-threaded anyway).
let queue: Promise<void> = Promise.resolve();

parentPort?.on('message', (request: { id: number; file: string }) => {
  queue = queue.then(async () => {
    try {
      const descriptor = await describeInThread(request.file, minConfidence);
      parentPort?.postMessage({ id: request.id, descriptor: descriptor ? Array.from(descriptor) : null });
    } catch (error) {
      parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
