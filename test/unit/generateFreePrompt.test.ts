import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { listBaseImages } from '../../src/core/actors/baseImageChoices';
import { ActorIndex } from '../../src/core/actors/dataIndex';
import { GenerateInputError, generateImage } from '../../src/core/generate/generateImage';
import { LocalGenerator } from '../../src/core/generate/localGenerator';
import { adoptRecovered, listRecovered } from '../../src/core/generate/recovered';
import type { GenerationRequest, Generator } from '../../src/core/generate/types';
import { loadManifest } from '../../src/core/manifest/manifestStore';
import { loadPromptLibrary } from '../../src/core/prompts/library';
import { readGenerationLog } from '../../src/core/tracking/generationLog';
import { actorPaths } from '../../src/core/workspace/layout';
import { copySampleData, snapshot } from './helpers/tempData';

const CARL = '0001_european_35_male';
const TEXT = 'Black-and-white charcoal sketch of the man from the input image waiting at a bus stop in the rain.';

/** The local generator, recording what it was asked. */
class RecordingGenerator implements Generator {
  readonly provider = 'local' as const;
  readonly model = 'local/augment';
  readonly requests: GenerationRequest[] = [];
  private readonly local = new LocalGenerator();
  constructor(private readonly during?: () => Promise<void>) {}
  async generate(request: GenerationRequest) {
    this.requests.push(request);
    const result = await this.local.generate(request);
    await this.during?.();
    return result;
  }
}

describe('generation from a prompt of the user’s own', () => {
  let sample: Awaited<ReturnType<typeof copySampleData>>;
  let prompts: Awaited<ReturnType<typeof loadPromptLibrary>>['prompts'];
  beforeEach(async () => {
    sample = await copySampleData();
    prompts = (await loadPromptLibrary(sample.dataRoot)).prompts;
  });
  afterEach(() => sample.cleanup());
  const manifestFile = () => actorPaths(sample.dataRoot, CARL).manifest;
  const generate = (request: Partial<Parameters<typeof generateImage>[0]>, generator: Generator = new RecordingGenerator()) =>
    generateImage({ dataRoot: sample.dataRoot, actorId: CARL, prompts, generator, ...request });

  it('records the text with no library id, the category from its words, and logs it the same way', async () => {
    const generator = new RecordingGenerator();
    const image = await generate({ promptText: `  ${TEXT.replace(/ /g, '\n ')} ` }, generator);
    assert.deepEqual(image.prompt, { id: null, label: 'Custom prompt', category: 'bw_stylized', text: TEXT });
    assert.equal(generator.requests[0].prompt, TEXT, 'the model gets the text, whitespace tidied');
    assert.match(generator.requests[0].promptId, /^custom:[0-9a-f]{12}$/, 'the offline generator is seeded by the stable custom id');
    const entry = (await loadManifest(manifestFile())).images.find((each) => each.filename === image.filename)!;
    assert.equal(entry.prompt_id, null);
    assert.equal(entry.prompt, TEXT);
    assert.equal(entry.category, 'bw_stylized');
    assert.equal(entry.base_image, undefined, 'the actor’s own base image is not named');
    const [success] = (await readGenerationLog(sample.dataRoot)).successes;
    assert.equal(success.prompt_id, null);
    assert.equal(success.prompt, TEXT);
    assert.equal(success.category, 'bw_stylized');
  });

  it('a chosen category wins over the words', async () => {
    const image = await generate({ promptText: TEXT, category: 'color_stylized' });
    assert.equal(image.prompt.category, 'color_stylized');
  });

  it('another base image of the actor: the model gets it, the entry names it', async () => {
    const baseDir = actorPaths(sample.dataRoot, CARL).baseImageDir;
    const canonical = path.join(baseDir, `${CARL}_base.png`);
    await sharp(canonical).negate().png().toFile(path.join(baseDir, 'second_angle.png'));
    await fs.writeFile(path.join(baseDir, 'notes.txt'), 'not an image');
    const actor = new ActorIndex(sample.dataRoot).actor(CARL);
    assert.deepEqual(
      listBaseImages(sample.dataRoot, actor).map(({ filename, canonical: own }) => [filename, own]),
      [
        [`${CARL}_base.png`, true],
        ['second_angle.png', false],
      ],
    );
    const generator = new RecordingGenerator();
    const own = await generate({ promptText: TEXT, seed: 7 }, generator);
    const other = await generate({ promptText: TEXT, seed: 7, baseImage: 'second_angle.png' }, generator);
    assert.deepEqual(
      generator.requests.map((request) => path.basename(request.baseImagePath)),
      [`${CARL}_base.png`, 'second_angle.png'],
    );
    assert.notEqual(other.entry.sha256, own.entry.sha256, 'made from the other image');
    const entry = (await loadManifest(manifestFile())).images.find((each) => each.filename === other.filename)!;
    assert.equal(entry.base_image, 'second_angle.png');
    const library = await generate({ promptId: 'bw_woodcut', baseImage: 'second_angle.png' });
    assert.equal(library.entry.base_image, 'second_angle.png', 'library prompts take a base image too');
  });

  describe('checked before anything runs or is written', () => {
    async function refused(request: Partial<Parameters<typeof generateImage>[0]>, message: RegExp) {
      const before = await snapshot(sample.dir);
      const generator = new RecordingGenerator();
      await assert.rejects(generate(request, generator), (error: Error) => error instanceof GenerateInputError && message.test(error.message));
      assert.equal(generator.requests.length, 0, 'nothing was paid for');
      assert.deepEqual(await snapshot(sample.dir), before, 'nothing written');
    }

    it('a text whose words name no category, without a chosen one', () =>
      refused({ promptText: 'The man from the input image by a door.' }, /choose one \(--category/));
    it('a blank text', () => refused({ promptText: ' \n ... ' }, /the prompt text is empty/));
    it('a prompt id and a text', () => refused({ promptId: 'bw_woodcut', promptText: TEXT }, /not both/));
    it('a base image the actor does not have, or a path', async () => {
      await refused({ promptText: TEXT, baseImage: 'nope.png' }, new RegExp(`has no base image "nope\\.png" in base_image/ \\(it has: ${CARL}_base\\.png\\)`));
      await refused({ promptText: TEXT, baseImage: '../training_data/manifest.json' }, /has no base image "\.\.\/training_data\/manifest\.json"/);
    });
    it('a text that is far too long', () => refused({ promptText: `Photo of the man ${'and more '.repeat(600)}` }, /characters long; at most 4000/));
  });

  it('a save that fails after the model answered keeps the image in data/recovered; adopting it keeps the text and no id', async () => {
    const good = await fs.readFile(manifestFile(), 'utf8');
    // While the model works, another tool breaks the manifest: the save fails after payment.
    const generator = new RecordingGenerator(() => fs.writeFile(manifestFile(), '{"images": [ {"filename": 7} ]}'));
    await assert.rejects(generate({ promptText: TEXT, category: 'bw_stylized' }, generator), /kept as .*recovered.*reconcile --fix/);
    const [kept] = await listRecovered(sample.dataRoot, CARL);
    assert.ok(kept, 'the paid image is in data/recovered');
    await fs.writeFile(manifestFile(), good);
    const adopted = await adoptRecovered(sample.dataRoot, CARL, kept);
    assert.equal(adopted.entry.prompt_id, null);
    assert.equal(adopted.entry.prompt, TEXT);
    assert.equal(adopted.entry.category, 'bw_stylized');
  });
});
