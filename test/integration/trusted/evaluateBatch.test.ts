// Evaluate All Actors with the Batch API in the real extension host: the key from SecretStorage,
// the local OpenAI-protocol server as the endpoint (actorStudio.openai.baseUrl), the modal with
// the estimate skipped through the command's programmatic option (`confirm: false`).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchEvaluationResult } from '../../../src/core/app/batchEvaluation';
import { FAKE_OPENAI_KEY, FakeOpenAIServer } from '../../fakes/openaiServer';
import { preserveDataFolder } from '../support/files';
import { children, studio, waitFor, workspaceRoot } from '../support/studio';

const CARL = '0001_european_35_male';
const dataDir = () => path.join(workspaceRoot(), 'data');

describe('Evaluate All Actors with the Batch API in the editor', function () {
  this.timeout(120_000);
  let data: Awaited<ReturnType<typeof preserveDataFolder>> | undefined;
  const server = new FakeOpenAIServer();

  before(async () => {
    data = await preserveDataFolder(dataDir());
    await server.start();
    await (await studio()).secrets.set('openaiKey', FAKE_OPENAI_KEY);
    await vscode.workspace.getConfiguration('actorStudio').update('openai.baseUrl', server.baseURL, vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('actorStudio').update('openai.baseUrl', undefined, vscode.ConfigurationTarget.Workspace);
    await (await studio()).secrets.delete('openaiKey');
    await server.close();
    await data?.restore();
  });

  it('submits one batch, merges its answers into the manifests, and the tree shows the vision model', async () => {
    const api = await studio();
    const result = await vscode.commands.executeCommand<BatchEvaluationResult | undefined>('actorStudio.evaluateAllBatch', undefined, undefined, {
      confirm: false,
      pollIntervalMs: 50,
    });
    assert.ok(result, 'the command ran');
    assert.equal(result.outcome, 'merged');
    assert.deepEqual(
      server.batches.calls.filter((call) => call.startsWith('POST')),
      ['POST /v1/files', 'POST /v1/batches'],
    );
    assert.equal(result.batches[0]?.status, 'completed');
    assert.ok(result.estimate && result.estimate.batchCostUsd === result.estimate.syncCostUsd! / 2);
    assert.ok(result.usage && result.usage.requests === result.estimate.requests);
    const manifest = JSON.parse(await fs.readFile(path.join(dataDir(), 'actors', CARL, 'training_data', 'manifest.json'), 'utf8'));
    assert.ok(
      manifest.images.every((entry: { evaluation?: { vision?: { model: string } } }) => entry.evaluation?.vision?.model === 'gpt-4o'),
      'every tracked image of Carl has the batch answer',
    );
    await fs.access(path.join(dataDir(), 'action_plans', 'vision_batch.json')).then(
      () => assert.fail('the saved batch is removed once merged'),
      () => undefined,
    );
    const carl = async () => (await children(api)).find((actor) => actor.label === CARL)!;
    const image = await waitFor('Carl evaluated by the vision model in the tree', async () => {
      const groups = await children(api, (await carl()).node);
      for (const group of groups) {
        for (const item of await children(api, group.node)) {
          const tooltip = api.tree.resolveTreeItem(item.item, item.node as never).tooltip as vscode.MarkdownString | undefined;
          if (/openai:gpt\\-4o/.test(tooltip?.value ?? '')) return item; // the tooltip escapes Markdown
        }
      }
      return undefined;
    });
    assert.ok(image);
  });
});
