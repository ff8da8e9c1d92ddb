import * as vscode from 'vscode';
import type { GeneratedImage } from '../core/generate/generateImage';
import type { Logger } from '../core/logger';
import { createStudioGenerator, createStudioObjectStore } from './generationServices';
import type { StudioWorkspace } from './studioWorkspace';
import type { Secrets } from './secrets';

export interface GenerateOptions {
  actorId: string;
  promptId: string;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/**
 * Generation in the editor: builds the generator and the object store from settings and secrets
 * for each request (keys and settings may change at any time), runs the core service, and
 * refreshes the actor. The generation code (SDKs, sharp) loads on the first generation.
 */
export class GenerationHost {
  private readonly generated = new vscode.EventEmitter<GeneratedImage>();
  /** Fires after an image was saved, so panels and badges update. */
  readonly onDidGenerate = this.generated.event;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly secrets: Secrets,
    private readonly logger: Logger,
    private readonly refreshActor: (actorId: string) => Promise<void>,
  ) {}

  async generate(options: GenerateOptions): Promise<GeneratedImage> {
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      throw new Error('open a folder with a data folder first');
    }
    const { generator, upload } = await this.services(dataRoot);
    const { loadPromptLibrary } = await import('../core/prompts/library');
    const { generateImage } = await import('../core/generate/generateImage');
    const library = await loadPromptLibrary(dataRoot);
    this.logger.info(`generating ${options.actorId} / ${options.promptId} with ${generator.model}`);
    try {
      const warn = (message: string) => {
        this.logger.warn(message);
        void vscode.window.showWarningMessage(`Actor Studio: ${message}`);
      };
      const image = await generateImage({ dataRoot, prompts: library.prompts, generator, upload, onWarning: warn, ...options });
      if (image.logWarning) {
        warn(image.logWarning);
      }
      this.logger.info(`saved ${image.filename}${image.url ? ` (${image.url})` : image.uploadQueued ? ` (upload queued: ${image.uploadQueued})` : ''}`);
      this.generated.fire(image);
      return image;
    } finally {
      await this.refreshActor(options.actorId);
    }
  }

  /** Uploads what waited while the object store was unreachable; undefined without a store. */
  async retryPendingUploads(signal?: AbortSignal) {
    const dataRoot = this.workspace.dataRoot;
    const store = dataRoot ? await this.objectStore() : undefined;
    if (!dataRoot || !store || store.kind === 'none') {
      return undefined;
    }
    const { drainPendingUploads } = await import('../core/generate/uploader');
    const summary = await drainPendingUploads(store, dataRoot, signal);
    this.logger.info(`pending uploads: ${summary.uploaded.length} uploaded, ${summary.failed.length} failed, ${summary.remaining} waiting`);
    new Set(summary.uploaded.map((upload) => upload.actorId)).forEach((actorId) => void this.refreshActor(actorId));
    return summary;
  }

  /** Which provider a generation would use now, for the panel's header. */
  async providerLabel(): Promise<string> {
    const { resolveProvider } = await import('../core/generate/providerConfig');
    const { generator } = this.workspace.settings;
    const provider = resolveProvider({ provider: generator.provider, replicateToken: await this.secrets.get('replicateToken') });
    return provider === 'local' ? 'local (offline)' : `Replicate ${generator.model}`;
  }

  dispose(): void {
    this.generated.dispose();
  }

  private async services(dataRoot: string) {
    const generator = await createStudioGenerator(this.workspace.settings, this.secrets);
    const { uploaderFor } = await import('../core/generate/uploader');
    return { generator, upload: uploaderFor(await this.objectStore(), dataRoot) };
  }

  private objectStore() {
    return createStudioObjectStore(this.workspace.settings, this.secrets);
  }
}
