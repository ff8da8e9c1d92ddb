/**
 * worker_thread for the face corpus benchmark: like src/core/evaluate/faceWorker.ts, plus the
 * candidates that are not shipped (`human`, `human-full`). Answers `{ id, analysis }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeInThread, type FaceAnalysis, type FacePipeline } from '../src/core/evaluate/faceCascade';

const { candidate, minConfidence } = workerData as { candidate: string; minConfidence: number };

async function analyze(file: string): Promise<FaceAnalysis> {
  if (candidate === 'human' || candidate === 'human-full') {
    const { analyzeWithHuman } = await import('./humanCandidate');
    return analyzeWithHuman(file, candidate === 'human' ? 'blazeface' : 'full-range');
  }
  return analyzeInThread(file, minConfidence, candidate as FacePipeline);
}

let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (request: { id: number; file: string }) => {
  queue = queue.then(async () => {
    try {
      const analysis = await analyze(request.file);
      parentPort?.postMessage({ id: request.id, analysis: { ...analysis, descriptor: analysis.descriptor ? Array.from(analysis.descriptor) : null } });
    } catch (error) {
      parentPort?.postMessage({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});
