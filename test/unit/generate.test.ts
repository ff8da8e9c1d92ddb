import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { GenerateInputError, generateImage } from '../../src/core/generate/generateImage';
import { LocalGenerator, LOCAL_MODEL } from '../../src/core/generate/localGenerator';
import { saveGeneratedImage } from '../../src/core/generate/saveResult';
import type { GenerationResult } from '../../src/core/generate/types';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import type { LibraryPrompt } from '../../src/core/prompts/types';
import { copySampleData, makeTempDir, snapshot, writeActor } from './helpers/tempData';

const run = promisify(execFile);
const CARL = '0001_european_35_male';
const PROMPTS: LibraryPrompt[] = [
  {
    id: 'test_photo',
    label: 'Test photo',
    category: 'photorealistic',
    template: 'A low-angle shot of the {descriptor} looking away, off-centre.',
    source: 'builtin',
  },
  { id: 'test_ink', label: 'Test ink', category: 'bw_stylized', template: 'Pen and ink drawing of the {descriptor}.', source: 'builtin' },
  { id: 'test_comic', label: 'Test comic', category: 'color_stylized', template: 'Comic book panel of the {descriptor}.', source: 'builtin' },
];

async function chroma(bytes: Buffer): Promise<number> {
  const { data, info } = await sharp(bytes).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  let max = 0;
  for (let offset = 0; offset < data.length; offset += info.channels) {
    max = Math.max(max, Math.abs(data[offset] - data[offset + 1]), Math.abs(data[offset + 1] - data[offset + 2]));
  }
  return max;
}

describe('generation', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  beforeEach(async () => {
    sample = await copySampleData();
  });
  afterEach(() => sample.cleanup());

  const base = () => path.join(sample.dataRoot, 'actors', CARL, 'base_image', `${CARL}_base.png`);

  describe('local generator', () => {
    it('derives a 16:9 JPEG from the base image, the same every time for the same actor and prompt', async () => {
      const generator = new LocalGenerator();
      const request = { actorId: CARL, baseImagePath: base(), promptId: 'test_photo', prompt: 'x', category: 'photorealistic' as const };
      const first = await generator.generate(request);
      const second = await generator.generate(request);
      assert.equal(first.model, LOCAL_MODEL);
      assert.deepEqual(first.bytes, second.bytes);
      const metadata = await sharp(first.bytes).metadata();
      assert.deepEqual([metadata.format, metadata.width, metadata.height], ['jpeg', 1024, 576]);
      const other = await generator.generate({ ...request, promptId: 'another' });
      assert.notDeepEqual(other.bytes, first.bytes, 'another prompt gives another framing');
    });

    it('gives each category its look: grey ink for black-and-white, colour for the others', async () => {
      const generator = new LocalGenerator();
      const eileen = path.join(sample.dataRoot, 'actors', '0000_european_45_female', 'base_image', '0000_european_45_female_base.png');
      const request = { actorId: 'a', baseImagePath: eileen, promptId: 'p', prompt: 'x' };
      assert.equal(await chroma((await generator.generate({ ...request, category: 'bw_stylized' })).bytes), 0);
      assert.ok((await chroma((await generator.generate({ ...request, category: 'color_stylized' })).bytes)) > 60);
    });

    it('says clearly when the base image cannot be decoded', async () => {
      await fs.writeFile(base(), 'not an image');
      await assert.rejects(
        new LocalGenerator().generate({ actorId: CARL, baseImagePath: base(), promptId: 'p', prompt: 'x', category: 'photorealistic' }),
        (error: Error & { reason?: string }) => error.reason === 'invalid_input' && /is not a readable image/.test(error.message),
      );
    });
  });

  describe('saving a result', () => {
    const result = (bytes: Buffer): GenerationResult => ({
      bytes,
      extension: 'jpg',
      model: 'test/model',
      parameters: { aspect_ratio: '16:9' },
      seed: 7,
      durationMs: 12,
    });
    const jpeg = () =>
      sharp({ create: { width: 32, height: 18, channels: 3, background: '#336699' } })
        .jpeg()
        .toBuffer();

    it('numbers past every number ever seen: files, manifest, highest_index and the trash', async () => {
      const trash = path.join(sample.dataRoot, '.trash', 'run-1', 'actors', CARL, 'training_data');
      await fs.mkdir(trash, { recursive: true });
      await fs.writeFile(path.join(trash, `${CARL}_17.jpg`), 'x');
      const saved = await saveGeneratedImage({
        dataRoot: sample.dataRoot,
        actorId: CARL,
        promptId: 'test_photo',
        prompt: 'A prompt',
        category: 'photorealistic',
        result: result(await jpeg()),
      });
      assert.equal(saved.index, 18);
      assert.equal(saved.filename, `${CARL}_18.jpg`);
      await fs.rm(path.join(trash, `${CARL}_17.jpg`));
      await fs.rm(saved.path);
      const again = await saveGeneratedImage({
        dataRoot: sample.dataRoot,
        actorId: CARL,
        promptId: 'test_photo',
        prompt: 'A prompt',
        category: 'photorealistic',
        result: result(await jpeg()),
      });
      assert.equal(again.index, 19, 'highest_index remembers 18 although its file is gone');
    });

    it('writes the file, the full manifest entry and the prompt metadata entry; keeps unknown fields', async () => {
      const manifestFile = path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'manifest.json');
      const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
      manifest.my_notes = 'kept';
      await fs.writeFile(manifestFile, JSON.stringify(manifest, null, 2));
      const bytes = await jpeg();
      const prompt = 'P'.repeat(150);
      const saved = await saveGeneratedImage({
        dataRoot: sample.dataRoot,
        actorId: CARL,
        promptId: 'test_ink',
        prompt,
        category: 'bw_stylized',
        result: result(bytes),
      });
      assert.deepEqual(await fs.readFile(saved.path), bytes);
      const written = await loadManifest(manifestFile);
      const entry = written.images.find((image) => image.filename === saved.filename)!;
      assert.equal(entry.prompt_id, 'test_ink');
      assert.equal(entry.prompt, prompt);
      assert.equal(entry.category, 'bw_stylized');
      assert.equal(entry.model, 'test/model');
      assert.deepEqual(entry.parameters, { aspect_ratio: '16:9' });
      assert.equal(entry.seed, 7);
      assert.equal(entry.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(entry.size, bytes.length);
      assert.deepEqual([entry.width, entry.height], [32, 18]);
      assert.match(entry.created_at!, /^\d{4}-\d\d-\d\dT/);
      assert.equal((written as Record<string, unknown>).my_notes, 'kept');
      assert.equal(written.highest_index, saved.index);
      const metadata = JSON.parse(await fs.readFile(path.join(path.dirname(manifestFile), 'prompt_metadata.json'), 'utf8'));
      const record = metadata.images[saved.filename];
      assert.equal(record.prompt, prompt);
      assert.equal(record.prompt_preview, 'P'.repeat(100));
      assert.equal(record.index, saved.index);
      assert.equal(record.s3_url, '');
      assert.ok(metadata.images[`${CARL}_0.jpg`], 'existing entries kept');
    });

    it('never gives one number twice to concurrent savers, in one process or several', async () => {
      const inProcess = await Promise.all(
        Array.from({ length: 5 }, async () =>
          saveGeneratedImage({
            dataRoot: sample.dataRoot,
            actorId: CARL,
            promptId: 'test_photo',
            prompt: 'p',
            category: 'photorealistic',
            result: result(await jpeg()),
          }),
        ),
      );
      const worker = path.join(__dirname, 'helpers', 'saveWorker.js');
      await Promise.all([1, 2, 3].map(() => run(process.execPath, [worker, sample.dataRoot, CARL, '4'])));
      const manifest = await loadManifest(path.join(sample.dataRoot, 'actors', CARL, 'training_data', 'manifest.json'));
      const numbers = manifest.images.map((image) => image.index);
      assert.equal(numbers.length, 6 + 5 + 12);
      assert.equal(new Set(numbers).size, numbers.length, 'no number used twice');
      assert.deepEqual(
        inProcess.map((saved) => saved.index).sort((a, b) => a - b),
        [6, 7, 8, 9, 10],
      );
      for (const image of manifest.images) {
        await fs.access(path.join(sample.dataRoot, 'actors', CARL, 'training_data', image.filename));
      }
    });
  });

  describe('generate one image', () => {
    it('generates with the local generator and records it', async () => {
      const image = await generateImage({
        dataRoot: sample.dataRoot,
        actorId: CARL,
        promptId: 'test_comic',
        prompts: PROMPTS,
        generator: new LocalGenerator(),
      });
      assert.equal(image.filename, `${CARL}_6.jpg`);
      assert.equal(image.entry.prompt, 'Comic book panel of the man.');
      assert.equal(image.entry.category, 'color_stylized');
      assert.equal(image.url, undefined);
    });

    describe('bad input: a clear message, nothing written, nothing run', () => {
      async function rejectsWithoutWriting(request: Partial<Parameters<typeof generateImage>[0]>, message: RegExp) {
        const before = await snapshot(sample.dir);
        let ran = false;
        const generator = { provider: 'local' as const, model: 'spy', generate: async () => ((ran = true), Promise.reject(new Error('must not run'))) };
        await assert.rejects(
          generateImage({ dataRoot: sample.dataRoot, actorId: CARL, promptId: 'test_photo', prompts: PROMPTS, generator, ...request }),
          (error: Error) => error instanceof GenerateInputError && message.test(error.message),
        );
        assert.equal(ran, false, 'the generator was not called');
        assert.deepEqual(await snapshot(sample.dir), before, 'nothing written');
      }

      it('missing base image', async () => {
        await fs.rm(path.join(sample.dataRoot, 'actors', CARL, 'base_image', `${CARL}_base.png`));
        await rejectsWithoutWriting({}, /0001_european_35_male has no base image: add 0001_european_35_male_base\.png/);
      });

      it('unreadable or non-image base image', async () => {
        await fs.writeFile(path.join(sample.dataRoot, 'actors', CARL, 'base_image', `${CARL}_base.png`), '<html>not an image</html>');
        await rejectsWithoutWriting({}, /base image of 0001_european_35_male cannot be used: .*_base\.png is not a readable image/);
      });

      it('unknown prompt id', async () => {
        await rejectsWithoutWriting({ promptId: 'no_such_prompt' }, /unknown prompt id "no_such_prompt"/);
      });

      it('unknown actor', async () => {
        await rejectsWithoutWriting({ actorId: '9999_nobody_1_male' }, /no actor "9999_nobody_1_male"/);
      });
    });
  });
});

describe('generation outside a sample', () => {
  it('an actor folder without base_image/ says what to add', async () => {
    const temp = await makeTempDir();
    try {
      await writeActor(temp.dir, '0003_european_20_female', { base: false });
      await assert.rejects(
        generateImage({ dataRoot: temp.dir, actorId: '0003_european_20_female', promptId: 'test_photo', prompts: PROMPTS, generator: new LocalGenerator() }),
        /has no base image/,
      );
    } finally {
      await temp.cleanup();
    }
  });
});
