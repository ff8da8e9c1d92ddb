/**
 * Curation quality on a labelled set: per person of the face corpus (fixtures/faceCorpus), a
 * training set shaped like the target (13 photorealistic, 4 black-and-white, 3 colour stylized
 * images from the offline generator, each labelled clean with its prompt's category) plus planted
 * defects (blurred, too dark, too light, low resolution, an exact copy, a copy saved again smaller,
 * motion blur, another person's photo).
 * The local evaluator with face identity judges every image; the planner's rule decides: a
 * deleting issue or a duplicate deletes, `unscorable` sends to review. Prints defect recall,
 * clean images deleted, clean images sent to review, and category accuracy for prompted images.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedFaceIdentity } from '../src/core/evaluate/createEvaluator';
import { LocalChecksEvaluator } from '../src/core/evaluate/localChecks';
import type { ImageEvaluation } from '../src/core/evaluate/types';
import { LocalGenerator } from '../src/core/generate/localGenerator';
import { loadSharp } from '../src/core/image/sharp';
import { TRAINING_CATEGORIES, type TrainingCategory } from '../src/core/manifest/categories';
import { DELETING_ISSUES } from '../src/core/manifest/issues';
import { BUILTIN_PROMPTS } from '../src/core/prompts/builtinPrompts';
import { CORPUS_DIR } from './faceCorpus';
import { line } from './indexBench';

type Label = { kind: 'clean'; category: TrainingCategory } | { kind: 'defect'; defect: string };

interface Labelled {
  filename: string;
  path: string;
  label: Label;
  /** The category of the prompt it was made from. */
  prompt: TrainingCategory;
}

const SHAPE: Record<TrainingCategory, number> = { photorealistic: 13, bw_stylized: 4, color_stylized: 3 };

/** The sources of the corpus: who, and the base photo. */
function people(): { id: string; file: string }[] {
  const sources = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'sources.json'), 'utf8')) as { sources: { id: string; file: string }[] };
  return sources.sources.map((source) => ({ id: source.id, file: path.resolve(CORPUS_DIR, source.file) }));
}

async function makeSet(dir: string, person: { id: string; file: string }, other: { id: string; file: string }): Promise<Labelled[]> {
  const sharp = await loadSharp();
  const generator = new LocalGenerator();
  const images: Labelled[] = [];
  let number = 1;
  for (const category of TRAINING_CATEGORIES) {
    const prompts = BUILTIN_PROMPTS.filter((prompt) => prompt.category === category);
    for (let i = 0; i < SHAPE[category]; i++, number++) {
      const prompt = prompts[i % prompts.length];
      const result = await generator.generate({
        actorId: person.id,
        baseImagePath: person.file,
        promptId: prompt.id,
        prompt: prompt.template,
        category,
        number,
      });
      const filename = `${person.id}_${number}.jpg`;
      fs.writeFileSync(path.join(dir, filename), result.bytes);
      images.push({ filename, path: path.join(dir, filename), label: { kind: 'clean', category }, prompt: category });
    }
  }
  const clean = images.slice();
  const defect = async (name: string, make: (input: string) => Promise<Buffer>, from: Labelled) => {
    const filename = `${person.id}_${name}.jpg`;
    fs.writeFileSync(path.join(dir, filename), await make(from.path));
    images.push({ filename, path: path.join(dir, filename), label: { kind: 'defect', defect: name }, prompt: from.prompt });
  };
  await defect('blurred', (input) => sharp(input).blur(8).jpeg().toBuffer(), clean[0]);
  await defect('dark', (input) => sharp(input).modulate({ brightness: 0.2 }).jpeg().toBuffer(), clean[1]);
  await defect('light', (input) => sharp(input).linear(0.15, 225).jpeg().toBuffer(), clean[2]);
  await defect('low_resolution', (input) => sharp(input).resize(160, 90).jpeg().toBuffer(), clean[3]);
  await defect('copy', async (input) => fs.readFileSync(input), clean[4]);
  // Saved again smaller, as a second download of the same generation would be.
  await defect('near_copy', (input) => sharp(input).resize(896).jpeg({ quality: 70 }).toBuffer(), clean[5]);
  // Camera shake: a horizontal smear (a box kernel 25 px wide), not the round blur above.
  const smear = [...new Array<number>(25).fill(0), ...new Array<number>(25).fill(1), ...new Array<number>(25).fill(0)];
  await defect('motion_blur', (input) => sharp(input).convolve({ width: 25, height: 3, kernel: smear }).jpeg().toBuffer(), clean[6]);
  const stranger = await generator.generate({
    actorId: other.id,
    baseImagePath: other.file,
    promptId: 'photo_other',
    prompt: 'a person',
    category: 'photorealistic',
    number: 7,
  });
  fs.writeFileSync(path.join(dir, 'stranger.jpg'), stranger.bytes);
  await defect('other_person', async (input) => fs.readFileSync(input), {
    filename: 'stranger.jpg',
    path: path.join(dir, 'stranger.jpg'),
    label: { kind: 'clean', category: 'photorealistic' },
    prompt: 'photorealistic',
  });
  fs.rmSync(path.join(dir, 'stranger.jpg'));
  return images;
}

function verdict(evaluation: ImageEvaluation, present: ReadonlySet<string>): 'delete' | 'review' | 'keep' {
  if (evaluation.issues.some((issue) => DELETING_ISSUES.has(issue)) || (evaluation.duplicateOf && present.has(evaluation.duplicateOf))) {
    return 'delete';
  }
  return evaluation.issues.includes('unscorable') ? 'review' : 'keep';
}

export async function runCurationBench(): Promise<void> {
  const root = path.join(__dirname, '..', '..', 'out', 'curationBench');
  fs.rmSync(root, { recursive: true, force: true });
  const faces = sharedFaceIdentity({ worker: path.join(__dirname, '..', '..', 'dist', 'faceWorker.js') });
  const all = people();
  let defects = 0;
  let caught = 0;
  let flagged = 0;
  let clean = 0;
  let cleanDeleted = 0;
  let cleanReview = 0;
  let prompted = 0;
  let categoryRight = 0;
  const missed: string[] = [];
  const wronglyDeleted: string[] = [];
  const reviewed: string[] = [];
  try {
    for (const [position, person] of all.entries()) {
      const dir = path.join(root, person.id);
      fs.mkdirSync(dir, { recursive: true });
      const images = await makeSet(dir, person, all[(position + 1) % all.length]);
      const evaluations = await new LocalChecksEvaluator({ faces: faces.get }).evaluate({
        actorId: person.id,
        baseImagePath: person.file,
        images: images.map((image) => ({
          filename: image.filename,
          path: image.path,
          sha256: createHash('sha256').update(fs.readFileSync(image.path)).digest('hex'),
          // Generated from a library prompt: its category is declared (defects keep their source's).
          declared: { category: image.prompt, source: 'prompt' as const },
        })),
      });
      const present = new Set(images.map((image) => image.filename));
      for (const image of images) {
        const evaluation = evaluations.find((each) => each.filename === image.filename)!;
        const decided = verdict(evaluation, present);
        if (image.label.kind === 'defect') {
          defects++;
          if (decided === 'delete') caught++;
          else missed.push(`${image.filename} (${decided}: ${evaluation.issues.join(', ') || 'no issue'})`);
          flagged += decided === 'review' ? 1 : 0;
          continue;
        }
        clean++;
        if (decided === 'delete') wronglyDeleted.push(`${image.filename} (${evaluation.reasons.join('; ')})`);
        cleanDeleted += decided === 'delete' ? 1 : 0;
        cleanReview += decided === 'review' ? 1 : 0;
        if (decided === 'review') {
          reviewed.push(`${image.filename} (${image.label.category}): ${evaluation.reasons.find((reason) => reason.startsWith('needs review')) ?? ''}`);
        }
        // Judged against its prompt's category (decideCategory): it counts there unless the pixels contradict it.
        prompted++;
        categoryRight += evaluation.category === image.label.category ? 1 : 0;
      }
    }
  } finally {
    await faces.close();
  }
  const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);
  console.log(line(`curation: defect recall (${caught}/${defects} planted defects deleted)`, percent(caught, defects), '%', '>= 95 %'));
  console.log(line(`curation: defects deleted or sent to review (${caught + flagged}/${defects})`, percent(caught + flagged, defects), '%', 'reference'));
  console.log(line(`curation: clean images the plan would delete (of ${clean})`, cleanDeleted, 'images', '0'));
  console.log(line(`curation: clean images sent to review (${cleanReview}/${clean})`, percent(cleanReview, clean), '%', '<= 10 %'));
  console.log(line(`curation: category accuracy, images with a prompt (${categoryRight}/${prompted})`, percent(categoryRight, prompted), '%', '>= 95 %'));
  missed.forEach((name) => console.log(`  missed defect: ${name}`));
  wronglyDeleted.forEach((name) => console.log(`  clean image deleted: ${name}`));
  reviewed.forEach((name) => console.log(`  clean image sent to review: ${name}`));
}

if (require.main === module) {
  runCurationBench().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
