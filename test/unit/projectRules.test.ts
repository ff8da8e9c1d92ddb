import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CommandIds } from '../../src/commands/commandIds';
import { defaultSettings, SETTING_DEFINITIONS } from '../../src/core/config/studioSettings';
import { DEFAULT_LOCAL_CHECK_THRESHOLDS } from '../../src/core/evaluate/thresholds';
import { DEFAULT_VISION_MODEL } from '../../src/core/evaluate/types';
import { DATA_FILE_KINDS, jsonSchemaFor } from '../../src/core/manifest/dataFileSchemas';
import { DEFAULT_TARGET } from '../../src/core/actors/targets';
import { REPO_ROOT } from './helpers/tempData';

async function filesBelow(dir: string, extension: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(extension)).map((entry) => path.join(entry.parentPath, entry.name));
}

const packageJson = require(path.join(REPO_ROOT, 'package.json'));

describe('project rules', () => {
  it('src/core never imports vscode (core stays plain Node)', async () => {
    const offenders: string[] = [];
    for (const file of await filesBelow(path.join(REPO_ROOT, 'src', 'core'), '.ts')) {
      const text = await fs.readFile(file, 'utf8');
      if (/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/.test(text)) {
        offenders.push(path.relative(REPO_ROOT, file));
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('src/cli uses core only, never vscode', async () => {
    for (const file of await filesBelow(path.join(REPO_ROOT, 'src', 'cli'), '.ts')) {
      assert.doesNotMatch(await fs.readFile(file, 'utf8'), /['"]vscode['"]/, file);
    }
  });

  it('imports follow the layers: core below everything, and inside core each folder imports only folders below it', async () => {
    // Lowest first; a folder may import itself and the folders of earlier rows (same row: not each other).
    const coreLayers = [
      ['errors.ts', 'logger.ts', 'lazyModules.ts'],
      ['util'],
      ['fs'],
      ['workspace'],
      ['manifest'],
      ['image'],
      ['storage'],
      ['tracking'],
      ['actors'],
      ['prompts'],
      ['evaluate'],
      ['generate'],
      ['plan'],
      ['execute'],
      ['captions'],
      ['reconcile', 'migrate', 'export', 'analytics'],
      ['config'],
      ['app'],
    ];
    // What each front end may import (folders of src/); core imports none of them.
    const frontEnds: Record<string, string[]> = {
      cli: ['core', 'cli'],
      editor: ['core', 'editor'],
      providers: ['core', 'editor', 'providers'],
      webviews: ['core', 'editor', 'providers', 'webviews'],
      commands: ['core', 'editor', 'providers', 'webviews', 'commands'],
      'extension.ts': ['core', 'editor', 'providers', 'webviews', 'commands'],
    };
    const rank = new Map(coreLayers.flatMap((row, index) => row.map((name) => [name, index] as const)));
    const src = path.join(REPO_ROOT, 'src');
    const violations: string[] = [];
    for (const file of await filesBelow(src, '.ts')) {
      const [top, second] = path.relative(src, file).split(path.sep);
      const text = await fs.readFile(file, 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\()\s*'(\.[^']+)'/g)) {
        const target = path.relative(src, path.resolve(path.dirname(file), match[1])).split(path.sep);
        const where = `${path.relative(src, file)} imports ${match[1]}`;
        if (top === 'core') {
          if (target[0] !== 'core') {
            violations.push(`${where}: core never imports a front end`);
            continue;
          }
          // A file directly in core (errors.ts) is its own unit; any other path counts by its folder.
          const unit = target.length === 2 ? `${target[1]}.ts` : target[1];
          const from = rank.get(second);
          const to = rank.get(unit);
          if (from === undefined || to === undefined) {
            violations.push(`${where}: ${from === undefined ? second : target[1]} is not in the layer list`);
          } else if (second !== unit && !(to < from)) {
            violations.push(`${where}: ${second} (layer ${from}) may not import ${unit} (layer ${to})`);
          }
        } else if (frontEnds[top] && !frontEnds[top].includes(target[0])) {
          violations.push(`${where}: ${top} may import only ${frontEnds[top].join(', ')}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('package.json declares exactly the commands the code registers', () => {
    const declared = packageJson.contributes.commands.map((command: { command: string }) => command.command).sort();
    assert.deepEqual(declared, Object.values(CommandIds).sort());
    for (const command of packageJson.contributes.commands) {
      assert.equal(command.category, 'Actor Studio', command.command);
    }
  });

  it('the walkthrough: every step has a command button, a completion event and media that ships', async () => {
    const known = new Set([...Object.values(CommandIds), 'vscode.openFolder']);
    const [walkthrough] = packageJson.contributes.walkthroughs;
    assert.deepEqual(
      walkthrough.steps.map((step: { id: string }) => step.id),
      ['dataFolder', 'keys', 'plan', 'execute', 'curate', 'export'],
    );
    for (const step of walkthrough.steps) {
      const buttons = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((match) => match[1]);
      assert.ok(buttons.length > 0, `${step.id} has a command button`);
      buttons.forEach((command) => assert.ok(known.has(command), `${step.id}: ${command} is a declared command`));
      assert.ok(step.completionEvents.length > 0, `${step.id} has a completion event`);
      for (const event of step.completionEvents as string[]) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        assert.ok(command ? known.has(command) : /^onContext:actorStudio\./.test(event), `${step.id}: ${event}`);
      }
      const media = step.media.image ?? step.media.markdown;
      await fs.access(path.join(REPO_ROOT, media));
      assert.ok(step.media.markdown || step.media.altText?.length > 20, `${step.id}: an image says what it shows (altText)`);
    }
  });

  it('package.json jsonValidation covers every data file kind with its generated schema', () => {
    const expected = DATA_FILE_KINDS.flatMap((kind) => kind.fileMatch.map((fileMatch) => ({ fileMatch, url: `./dist/schemas/${kind.id}.schema.json` })));
    assert.deepEqual(packageJson.contributes.jsonValidation, expected);
  });

  it('the built JSON schemas are the ones the zod schemas give (no drift)', async () => {
    for (const kind of DATA_FILE_KINDS) {
      const file = path.join(REPO_ROOT, 'dist', 'schemas', `${kind.id}.schema.json`);
      const built = JSON.parse(await fs.readFile(file, 'utf8'));
      assert.deepEqual(built, JSON.parse(JSON.stringify(jsonSchemaFor(kind))), `${kind.id}: run npm run build`);
    }
  });

  it('targets VS Code 1.100 at most, with matching @types/vscode', () => {
    assert.equal(packageJson.engines.vscode, '^1.100.0');
    assert.match(packageJson.devDependencies['@types/vscode'], /^1\.(\d|[1-9]\d|100)\.\d+$/);
    assert.ok(Number(packageJson.devDependencies['@types/vscode'].split('.')[1]) <= 100);
  });

  it('activates on its view and on a workspace with data/actors', () => {
    assert.ok(packageJson.activationEvents.includes('onView:actorStudio.actors'));
    assert.ok(packageJson.activationEvents.includes('workspaceContains:data/actors'));
  });

  it("declares a setting for every local-check threshold, with the code's default", () => {
    const properties = packageJson.contributes.configuration.properties as Record<string, { default: unknown }>;
    const declared = Object.keys(properties).filter((key) => key.startsWith('actorStudio.checks.') && key !== 'actorStudio.checks.faceIdentity');
    assert.deepEqual(declared.map((key) => key.slice('actorStudio.checks.'.length)).sort(), Object.keys(DEFAULT_LOCAL_CHECK_THRESHOLDS).sort());
    for (const key of declared) {
      assert.equal(
        properties[key].default,
        DEFAULT_LOCAL_CHECK_THRESHOLDS[key.slice('actorStudio.checks.'.length) as keyof typeof DEFAULT_LOCAL_CHECK_THRESHOLDS],
        key,
      );
    }
  });

  it('core/config defines exactly the settings package.json declares, with the same type, default and bounds', () => {
    const properties = packageJson.contributes.configuration.properties as Record<
      string,
      { type: string | string[]; default: unknown; minimum?: number; maximum?: number; enum?: string[] }
    >;
    const declared = Object.keys(properties).map((key) => key.slice('actorStudio.'.length));
    assert.deepEqual(declared.sort(), Object.keys(SETTING_DEFINITIONS).sort());
    const types: Record<string, string | string[]> = {
      string: 'string',
      number: 'number',
      integer: 'integer',
      boolean: 'boolean',
      shares: 'object',
      integerOrAuto: ['integer', 'string'],
    };
    for (const [key, definition] of Object.entries(SETTING_DEFINITIONS)) {
      const property = properties[`actorStudio.${key}`];
      assert.deepEqual(property.type, types[definition.kind], key);
      assert.deepEqual(property.default, definition.default, key);
      assert.equal(property.minimum, definition.minimum, key);
      assert.equal(property.maximum, definition.maximum, key);
      assert.deepEqual(property.enum, definition.values, key);
    }
    assert.equal(defaultSettings().evaluation.visionModel, DEFAULT_VISION_MODEL);
    assert.deepEqual(defaultSettings().target, DEFAULT_TARGET);
  });
});
