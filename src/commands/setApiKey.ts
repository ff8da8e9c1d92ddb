import * as vscode from 'vscode';
import type { Secrets, SecretName } from '../editor/secrets';

interface KeyChoice extends vscode.QuickPickItem {
  names: SecretName[];
  prompts: string[];
  remove?: boolean;
}

const SERVICES: { label: string; names: SecretName[]; prompts: string[]; detail: string }[] = [
  { label: 'Replicate API token', names: ['replicateToken'], prompts: ['Replicate API token (r8_...)'], detail: 'image generation with flux-kontext-pro' },
  { label: 'OpenAI API key', names: ['openaiKey'], prompts: ['OpenAI API key (sk-...)'], detail: 'the vision-model evaluator' },
  {
    label: 'AWS access key',
    names: ['awsAccessKeyId', 'awsSecretAccessKey'],
    prompts: ['AWS access key id', 'AWS secret access key'],
    detail: 'the S3 mirror (otherwise the AWS default credential chain is used)',
  },
];

/**
 * Stores (or removes) API credentials in VS Code's SecretStorage. They never go to settings,
 * files, logs or webviews; the CLI reads the environment instead.
 */
export function setApiKey(secrets: Secrets) {
  return async (): Promise<void> => {
    const items: KeyChoice[] = [];
    for (const service of SERVICES) {
      const stored = await Promise.all(service.names.map((name) => secrets.has(name)));
      const isSet = stored.every(Boolean);
      items.push({ label: service.label, description: isSet ? 'set' : 'not set', detail: service.detail, names: service.names, prompts: service.prompts });
      if (stored.some(Boolean)) {
        items.push({ label: `Remove ${service.label}`, names: service.names, prompts: [], remove: true });
      }
    }
    const choice = await vscode.window.showQuickPick(items, { placeHolder: 'Which credential?', title: 'Actor Studio: Set API Key' });
    if (!choice) {
      return;
    }
    if (choice.remove) {
      await Promise.all(choice.names.map((name) => secrets.delete(name)));
      void vscode.window.showInformationMessage(`Actor Studio: ${choice.label.replace(/^Remove /, '')} removed.`);
      return;
    }
    const values: string[] = [];
    for (const prompt of choice.prompts) {
      const value = await vscode.window.showInputBox({
        title: `Actor Studio: ${choice.label}`,
        prompt,
        password: true,
        ignoreFocusOut: true,
        validateInput: (text) =>
          text.trim() === '' ? 'Enter a value, or press Escape to cancel.' : /\s/.test(text.trim()) ? 'A key has no spaces.' : undefined,
      });
      if (value === undefined) {
        return;
      }
      values.push(value.trim());
    }
    await Promise.all(choice.names.map((name, position) => secrets.set(name, values[position])));
    void vscode.window.showInformationMessage(`Actor Studio: ${choice.label} saved in VS Code's secret storage.`);
  };
}
