import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { CATEGORY_LABELS, TRAINING_CATEGORIES } from '../../src/core/manifest/categories';
import { BUILTIN_PROMPTS } from '../../src/core/prompts/builtinPrompts';
import { fillPrompt } from '../../src/core/prompts/library';
import { copySampleData, REPO_ROOT, SAMPLE_DATA, snapshot } from './helpers/tempData';

async function cli(args: string[], cwd = REPO_ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), cwd, isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Images per prompt id in one sample manifest. */
async function manifestCounts(actorId: string): Promise<Map<string, number>> {
  const file = path.join(SAMPLE_DATA, 'actors', actorId, 'training_data', 'manifest.json');
  const counts = new Map<string, number>();
  for (const image of JSON.parse(await fs.readFile(file, 'utf8')).images) {
    if (image.prompt_id) {
      counts.set(image.prompt_id, (counts.get(image.prompt_id) ?? 0) + 1);
    }
  }
  return counts;
}

const ACTOR = '0000_european_45_female';
const OTHER_ACTOR = '0001_european_35_male';

interface JsonPrompt {
  id: string;
  used: number;
  total: number;
  badge: string;
  template: string;
  prompt: string | null;
  source: string;
}

function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(allKeys);
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
  }
  return [];
}

describe('CLI: prompts', () => {
  it('a table of every prompt with usage across actors, then least-used picks per category', async () => {
    const { code, stdout, stderr } = await cli(['prompts', '--data', SAMPLE_DATA]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^ID\s+CATEGORY\s+LABEL\s+USED\s+TOTAL\s+USAGE$/m);
    // TOTAL is the sum of every actor's USED.
    const actors = await fs.readdir(path.join(SAMPLE_DATA, 'actors'));
    const perActor = await Promise.all(
      actors.map(
        async (actorId) => JSON.parse((await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', actorId, '--json'])).stdout).prompts as JsonPrompt[],
      ),
    );
    for (const [position, prompt] of BUILTIN_PROMPTS.entries()) {
      const count = perActor.reduce((sum, prompts) => sum + prompts[position].used, 0);
      assert.equal(perActor[0][position].total, count, prompt.id);
      const badge = count === 0 ? '\\[unused\\]' : `\\[${count}x used\\]`;
      const label = prompt.label.replace(/[()]/g, '\\$&');
      assert.match(stdout, new RegExp(`^${prompt.id}\\s+${CATEGORY_LABELS[prompt.category]}\\s+${label}\\s+${count}\\s+${count}\\s+${badge}$`, 'm'));
    }
    assert.match(stdout, /^Least used overall:$/m);
    for (const category of TRAINING_CATEGORIES) {
      const firstUnused = BUILTIN_PROMPTS.find((prompt, position) => prompt.category === category && perActor.every((prompts) => prompts[position].used === 0));
      assert.match(stdout, new RegExp(`^\\s+${CATEGORY_LABELS[category]}\\s+${firstUnused!.id}, `, 'm'));
    }
  });

  it('--actor-id: USED is that actor’s, TOTAL is everyone’s; picks are prompts the actor has not used', async () => {
    const [mine, theirs] = await Promise.all([manifestCounts(ACTOR), manifestCounts(OTHER_ACTOR)]);
    const usedByBoth = [...mine.keys()].find((id) => theirs.has(id))!;
    const { code, stdout } = await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', ACTOR]);
    assert.equal(code, 0);
    const row = new RegExp(
      `^${usedByBoth}\\s.*\\s${mine.get(usedByBoth)}\\s+${mine.get(usedByBoth)! + theirs.get(usedByBoth)!}\\s+\\[${mine.get(usedByBoth)}x used\\]$`,
      'm',
    );
    assert.match(stdout, row);
    assert.match(stdout, new RegExp(`^Least used for ${ACTOR}:$`, 'm'));
    const json = JSON.parse((await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', ACTOR, '--json'])).stdout);
    for (const category of TRAINING_CATEGORIES) {
      const picks: string[] = json.least_used[category];
      assert.equal(picks.length, 3, category);
      for (const id of picks) {
        assert.equal(mine.has(id), false, `${id} is unused by ${ACTOR}`);
      }
    }
  });

  it('--json: snake_case, every prompt with its counts, badge and the filled prompt for the actor', async () => {
    const mine = await manifestCounts(OTHER_ACTOR);
    const { code, stdout } = await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', OTHER_ACTOR, '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout);
    for (const key of allKeys({ ...parsed, prompts: parsed.prompts.slice(0, 1), least_used: {}, unlisted_prompt_ids: {} })) {
      assert.match(key, /^[a-z]+(_[a-z]+)*$/, key);
    }
    assert.equal(parsed.actor_id, OTHER_ACTOR);
    assert.equal(parsed.descriptor, 'man');
    assert.deepEqual(
      parsed.prompts.map((prompt: JsonPrompt) => prompt.id),
      BUILTIN_PROMPTS.map((prompt) => prompt.id),
    );
    for (const prompt of parsed.prompts as JsonPrompt[]) {
      assert.equal(prompt.used, mine.get(prompt.id) ?? 0, prompt.id);
      assert.equal(prompt.badge, prompt.used === 0 ? '[unused]' : `[${prompt.used}x used]`);
      assert.equal(prompt.prompt, fillPrompt(prompt.template, 'man'));
    }
    assert.deepEqual(Object.keys(parsed.least_used), [...TRAINING_CATEGORIES]);
    assert.deepEqual(parsed.problems, []);
  });

  it('exit code 2 for an unknown actor id or a missing data folder', async () => {
    const unknown = await cli(['prompts', '--data', SAMPLE_DATA, '--actor-id', '9999_nobody_1_male']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown actor id "9999_nobody_1_male"/);
    assert.equal(unknown.stdout, '');
    const missing = await cli(['prompts', '--data', '/nonexistent/data']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /data folder not found: \/nonexistent\/data/);
  });

  it('a broken prompts.json: file:line:col errors and exit 1, the built-ins still listed, nothing written', async () => {
    const temp = await copySampleData();
    try {
      const text = '{\n  "prompts": [\n    {"id": "bw_manga", "category": "sepia"}\n  ]\n}\n';
      await fs.writeFile(path.join(temp.dataRoot, 'prompts.json'), text);
      const before = await snapshot(temp.dir);
      const { code, stdout, stderr } = await cli(['prompts', '--data', temp.dataRoot], temp.dir);
      assert.equal(code, 1);
      const line = text.split('\n').findIndex((each) => each.includes('sepia')) + 1;
      const column = text.split('\n')[line - 1].indexOf('"sepia"') + 1;
      assert.match(stderr, new RegExp(`prompts\\.json:${line}:${column}: error: prompts\\[0\\]\\.category: `));
      for (const prompt of BUILTIN_PROMPTS) {
        assert.match(stdout, new RegExp(`^${prompt.id}\\s`, 'm'));
      }
      assert.deepEqual(await snapshot(temp.dir), before);
    } finally {
      await temp.cleanup();
    }
  });

  it('user prompts appear with the built-ins; their text is printed exactly as written', async () => {
    const temp = await copySampleData();
    try {
      const template = '<script>alert(1)</script> the {descriptor} & co';
      const library = {
        prompts: [
          { id: 'color_user', label: 'User <b>', category: 'color_stylized', template },
          { id: 'bw_manga', disabled: true },
        ],
      };
      await fs.writeFile(path.join(temp.dataRoot, 'prompts.json'), JSON.stringify(library));
      const { code, stdout } = await cli(['prompts', '--data', temp.dataRoot, '--actor-id', ACTOR, '--json'], temp.dir);
      assert.equal(code, 0);
      const prompts: JsonPrompt[] = JSON.parse(stdout).prompts;
      assert.equal(prompts.length, BUILTIN_PROMPTS.length);
      assert.ok(!prompts.some((prompt) => prompt.id === 'bw_manga'));
      const user = prompts.at(-1)!;
      assert.deepEqual([user.id, user.source, user.template, user.prompt], ['color_user', 'user', template, template.replace('{descriptor}', 'woman')]);
      const table = (await cli(['prompts', '--data', temp.dataRoot], temp.dir)).stdout;
      assert.match(table, /^color_user\s+Colour stylized\s+User <b>\s+0\s+0\s+\[unused\]$/m);
      assert.match(table, /35 prompt\(s\), 1 from prompts\.json/);
    } finally {
      await temp.cleanup();
    }
  });
});
