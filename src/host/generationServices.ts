import type { Generator } from '../core/generate/types';
import type { ObjectStore } from '../core/storage/types';
import type { Secrets } from './secrets';
import type { Settings } from './settings';

// Generation and execution build the same services from the same settings and secrets, on each
// request (keys and settings may change at any time). The code behind them loads on first use.

/** Replicate when a token is set (or the setting asks for it), else the offline local generator. */
export async function createStudioGenerator(settings: Settings, secrets: Secrets): Promise<Generator> {
  const { createGenerator } = await import('../core/generate/providerConfig');
  return createGenerator({ ...settings.generator, replicateToken: await secrets.get('replicateToken') });
}

/** The store the settings name, with credentials from SecretStorage (else the AWS default chain). */
export async function createStudioObjectStore(settings: Settings, secrets: Secrets): Promise<ObjectStore> {
  const { createObjectStore } = await import('../core/storage/createStore');
  const accessKeyId = await secrets.get('awsAccessKeyId');
  const secretAccessKey = await secrets.get('awsSecretAccessKey');
  return createObjectStore(settings.s3, accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined);
}
