import * as vscode from 'vscode';
import type { Credentials } from '../core/app/services';

/** The credentials Actor Studio keeps, by name; values live only in VS Code's SecretStorage. */
export const SECRET_NAMES = ['replicateToken', 'openaiKey', 'awsAccessKeyId', 'awsSecretAccessKey'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

const STORAGE_KEYS: Record<SecretName, string> = {
  replicateToken: 'actorStudio.replicate.apiToken',
  openaiKey: 'actorStudio.openai.apiKey',
  awsAccessKeyId: 'actorStudio.aws.accessKeyId',
  awsSecretAccessKey: 'actorStudio.aws.secretAccessKey',
};

/** A typed wrapper over SecretStorage: never settings, files, logs or webviews. */
export class Secrets {
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly storage: vscode.SecretStorage) {
    this.onDidChange = (listener, thisArgs, disposables) =>
      storage.onDidChange(
        (event) => {
          if (Object.values(STORAGE_KEYS).includes(event.key)) {
            listener.call(thisArgs);
          }
        },
        undefined,
        disposables,
      );
  }

  async get(name: SecretName): Promise<string | undefined> {
    return (await this.storage.get(STORAGE_KEYS[name])) || undefined;
  }

  async set(name: SecretName, value: string): Promise<void> {
    await this.storage.store(STORAGE_KEYS[name], value);
  }

  async delete(name: SecretName): Promise<void> {
    await this.storage.delete(STORAGE_KEYS[name]);
  }

  /** The keys as the services want them, read now (keys may change at any time). */
  async credentials(): Promise<Credentials> {
    const [replicateToken, openaiKey, accessKeyId, secretAccessKey] = await Promise.all(SECRET_NAMES.map((name) => this.get(name)));
    return { replicateToken, openaiKey, aws: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined };
  }

  async has(name: SecretName): Promise<boolean> {
    return (await this.get(name)) !== undefined;
  }
}
