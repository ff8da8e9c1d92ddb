import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FAILURE_REASONS, GenerationError } from '../../src/core/generate/types';
import { CATEGORY_LABELS, TRAINING_CATEGORIES } from '../../src/core/manifest/categories';
import { usageBadge as coreUsageBadge } from '../../src/core/prompts/usage';
import { contentSecurityPolicy, createNonce, escapeHtml, renderPage } from '../../src/webviews/html';
import { describeFailure, isPlainName } from '../../src/webviews/generator/failures';
import { choosePrompt, groupPrompts, optionLabel, reasonLabel, toPromptChoice, usageBadge, usagePill } from '../../src/webviews/generator/prompts';
import { ERROR_REASONS, PROMPT_CATEGORIES, PROMPT_CATEGORY_LABELS, PromptCategory, PromptChoice } from '../../src/webviews/generator/protocol';
import { isMessage } from '../../src/webviews/webviewProtocol';
import { REPO_ROOT } from './helpers/tempData';

function prompt(id: string, category: PromptCategory, usedByActor = 0, usedTotal = usedByActor): PromptChoice {
  return toPromptChoice({ id, label: `Label ${id}`, category, text: `text of ${id}` }, usedByActor, usedTotal);
}

async function filesBelow(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('Generator panel: usage badges', () => {
  it('says [unused] or [Nx used] in the dropdown, as the old tool did and as the core does', () => {
    assert.equal(usageBadge(0), '[unused]');
    assert.equal(usageBadge(1), '[1x used]');
    assert.equal(usageBadge(3), '[3x used]');
    for (const count of [0, 1, 2, 17]) {
      assert.equal(usageBadge(count), coreUsageBadge(count));
    }
  });

  it('gives the preview a green "Unused" or a blue "Used Nx" pill', () => {
    assert.deepEqual(usagePill(0), { text: 'Unused', tone: 'unused' });
    assert.deepEqual(usagePill(3), { text: 'Used 3x', tone: 'used' });
  });

  it('labels an option with its badge after the label', () => {
    assert.equal(optionLabel(prompt('a', 'photorealistic', 3)), 'Label a [3x used]');
    assert.equal(optionLabel(prompt('b', 'bw_stylized')), 'Label b [unused]');
  });

  it('builds a complete PromptChoice from a library prompt and its counts', () => {
    assert.deepEqual(toPromptChoice({ id: 'bw_x', label: 'Pen', category: 'bw_stylized', text: 'The man...' }, 2, 5), {
      id: 'bw_x',
      label: 'Pen',
      category: 'bw_stylized',
      categoryLabel: 'B&W stylized',
      text: 'The man...',
      usedByActor: 2,
      usedTotal: 5,
      badge: '[2x used]',
    });
  });

  it('names the categories as the Actors tree does, in the same order', () => {
    assert.deepEqual([...PROMPT_CATEGORIES], [...TRAINING_CATEGORIES]);
    for (const category of PROMPT_CATEGORIES) {
      assert.equal(PROMPT_CATEGORY_LABELS[category], CATEGORY_LABELS[category]);
    }
  });
});

describe('Generator panel: grouping and the default prompt', () => {
  it('groups by category in the fixed order, keeping list order inside a group, leaving out empty groups', () => {
    const prompts = [prompt('c1', 'color_stylized'), prompt('p1', 'photorealistic'), prompt('c2', 'color_stylized'), prompt('p2', 'photorealistic')];
    assert.deepEqual(
      groupPrompts(prompts).map((group) => [group.label, group.prompts.map((each) => each.id)]),
      [
        ['Photorealistic', ['p1', 'p2']],
        ['Colour stylized', ['c1', 'c2']],
      ],
    );
    assert.deepEqual(groupPrompts([]), []);
  });

  it('keeps a prompt of an unknown category in a group of its own at the end', () => {
    const odd = { ...prompt('x', 'photorealistic'), category: 'sepia' as PromptCategory, categoryLabel: 'Sepia' };
    assert.deepEqual(
      groupPrompts([odd, prompt('b', 'bw_stylized')]).map((group) => group.label),
      ['B&W stylized', 'Sepia'],
    );
  });

  it('keeps the chosen prompt, else the remembered one, else the least used for this actor in list order', () => {
    const prompts = [prompt('c1', 'color_stylized', 0), prompt('p1', 'photorealistic', 2), prompt('p2', 'photorealistic', 1), prompt('b1', 'bw_stylized', 1)];
    assert.equal(choosePrompt(prompts, 'p1', 'b1'), 'p1');
    assert.equal(choosePrompt(prompts, 'gone', 'b1'), 'b1');
    // Least used: c1 (0); among equals the displayed order (photorealistic first) decides.
    assert.equal(choosePrompt(prompts, 'gone', 'also-gone'), 'c1');
    assert.equal(choosePrompt([prompt('c1', 'color_stylized', 1), prompt('p2', 'photorealistic', 1)]), 'p2');
    assert.equal(choosePrompt([]), undefined);
  });
});

describe('Generator panel: failures', () => {
  it('offers every failure reason of the core, plus "input"', () => {
    assert.deepEqual([...ERROR_REASONS], [...FAILURE_REASONS, 'input']);
    for (const reason of ERROR_REASONS) {
      assert.ok(reasonLabel(reason).length > 0, reason);
    }
  });

  it('keeps a GenerationError reason and message as given', () => {
    assert.deepEqual(describeFailure(new GenerationError('429 Too Many Requests', 'rate_limit'), false), {
      reason: 'rate_limit',
      message: '429 Too Many Requests',
    });
    assert.deepEqual(describeFailure(new GenerationError('stopped', 'cancelled'), true), { reason: 'cancelled', message: 'stopped' });
  });

  it('calls any other error "input" with its message', () => {
    assert.deepEqual(describeFailure(new Error('unknown prompt id "x"'), false), { reason: 'input', message: 'unknown prompt id "x"' });
    assert.deepEqual(describeFailure('plain text', false), { reason: 'input', message: 'plain text' });
    assert.deepEqual(describeFailure({ reason: 'made_up', message: 'odd' }, false), { reason: 'input', message: 'odd' });
  });

  it('calls an untranslated abort "cancelled"', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    assert.deepEqual(describeFailure(abort, true), { reason: 'cancelled', message: 'cancelled' });
  });

  it('accepts only plain names for actors and files', () => {
    for (const good of ['0001_european_35_male', '0001_european_35_male_7.jpg', 'a b.png']) {
      assert.ok(isPlainName(good), good);
    }
    for (const bad of ['', '.', '..', '../x.jpg', 'a/b.jpg', 'a\\b.jpg', '/etc/passwd', 'x\0.jpg', 7, undefined, 'x'.repeat(256)]) {
      assert.ok(!isPlainName(bad), String(bad));
    }
  });
});

describe('Generator panel: page skeleton', () => {
  const page = renderPage({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'bm9uY2U+bm9uY2U=',
    title: 'Generator <1>',
    stylesheets: [{ href: 'https://x/codicon.css?a=1&b=2', id: 'vscode-codicon-stylesheet' }, { href: 'https://x/generator.css' }],
    script: 'https://x/generator.js',
  });

  it('puts a strict CSP first: nonce scripts, stylesheet files, data: images, nothing inline or eval', () => {
    const csp = contentSecurityPolicy('https://src', 'N0nce');
    assert.equal(
      csp,
      "default-src 'none'; script-src 'nonce-N0nce'; style-src https://src; img-src https://src data:; font-src https://src; base-uri 'none'; form-action 'none'",
    );
    assert.doesNotMatch(csp, /unsafe/);
    const head = page.slice(page.indexOf('<head>'), page.indexOf('</head>'));
    assert.ok(head.indexOf('Content-Security-Policy') < head.indexOf('<link'), 'the CSP comes before any resource');
  });

  it('loads one script, with the nonce, and escapes what goes into attributes and text', () => {
    assert.equal(page.match(/<script/g)?.length, 1);
    assert.match(page, /<script nonce="bm9uY2U\+bm9uY2U=" src="https:\/\/x\/generator.js"><\/script>/);
    assert.match(page, /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="https:\/\/x\/codicon.css\?a=1&amp;b=2">/);
    assert.match(page, /<title>Generator &lt;1&gt;<\/title>/);
    assert.equal(escapeHtml(`<a href="x">&</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('makes a new 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) {
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
    }
  });

  it('recognises messages by their type only', () => {
    assert.ok(isMessage({ type: 'ready' }));
    for (const bad of [null, undefined, 'ready', [], { type: 3 }, {}]) {
      assert.ok(!isMessage(bad), JSON.stringify(bad));
    }
  });
});

describe('Generator panel: source rules', () => {
  const webviews = path.join(REPO_ROOT, 'src', 'webviews');

  it('the pages never parse strings as HTML (no innerHTML, outerHTML, insertAdjacentHTML, document.write)', async () => {
    const offenders: string[] = [];
    for (const file of (await filesBelow(webviews)).filter((each) => each.split(path.sep).includes('ui'))) {
      const text = await fs.readFile(file, 'utf8');
      if (/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/.test(text)) {
        offenders.push(path.relative(REPO_ROOT, file));
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('what both sides compile (protocols, prompt helpers) imports neither vscode nor Node', async () => {
    for (const file of ['webviewProtocol.ts', 'generator/protocol.ts', 'generator/prompts.ts']) {
      const text = await fs.readFile(path.join(webviews, file), 'utf8');
      assert.doesNotMatch(text, /from\s+['"](vscode|node:[a-z/]+|fs|path|crypto)['"]/, file);
    }
  });
});
