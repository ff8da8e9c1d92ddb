/**
 * worker_thread entry for face identity: receives `{ id, file }`, answers `{ id, analysis }` (a
 * FaceAnalysisMessage: descriptor as an array of 128 numbers or null, detector score, face box and
 * its size, yaw, roll) or `{ id, error }`. Started by createFaceIdentity({ worker: true }) so
 * inference never blocks the extension host.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeInThread, type FacePipeline } from './faceCascade';

const data = (workerData ?? {}) as { minConfidence?: number; pipeline?: FacePipeline };
const minConfidence = data.minConfidence ?? 0.5;
const pipeline: FacePipeline = data.pipeline ?? 'cascade';

// Requests run one after another (the engine is single-threaded anyway).
let queue: Promise<void> = Promise.resolve();

parentPort?.on('message', (request: { id: number; file: string }) => {
  queue = queue.then(async () => {
    try {
      const analysis = await analyzeInThread(request.file, minConfidence, pipeline);
      parentPort?.postMessage({ id: request.id, analysis: { ...analysis, descriptor: analysis.descriptor ? Array.from(analysis.descriptor) : null } });
    } catch (error) {
      parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
