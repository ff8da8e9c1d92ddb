import * as vscode from 'vscode';
import { generate, retryPendingUploads, type GenerateOptions } from '../core/app/generation';
import type { GeneratedImage } from '../core/generate/generateImage';
import type { Logger } from '../core/logger';
import type { StudioWorkspace } from './studioWorkspace';

/**
 * Generation in the editor: the core's use case (core/app/generation), plus what only the editor
 * does: a warning notification, the tree refreshed, and an event for panels and badges.
 */
export class GenerationController {
  private readonly generated = new vscode.EventEmitter<GeneratedImage>();
  /** Fires after an image was saved, so panels and badges update. */
  readonly onDidGenerate = this.generated.event;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly logger: Logger,
    private readonly refreshActor: (actorId: string) => Promise<void>,
  ) {}

  async generate(options: Omit<GenerateOptions, 'onWarning' | 'onPromptProblem'>): Promise<GeneratedImage> {
    const context = await this.workspace.context();
    try {
      const image = await generate(context, {
        ...options,
        onWarning: (message) => {
          this.logger.warn(message);
          void vscode.window.showWarningMessage(`Actor Studio: ${message}`);
        },
      });
      this.generated.fire(image);
      return image;
    } finally {
      await this.refreshActor(options.actorId);
    }
  }

  /** Uploads what waited while the object store was unreachable; undefined without a store. */
  async retryPendingUploads(signal?: AbortSignal) {
    if (!this.workspace.dataRoot) {
      return undefined;
    }
    const summary = await retryPendingUploads(await this.workspace.context(), signal);
    new Set(summary?.uploaded.map((upload) => upload.actorId)).forEach((actorId) => void this.refreshActor(actorId));
    return summary;
  }

  /** Which provider a generation would use now, for the panel's header. */
  async providerLabel(): Promise<string> {
    const { generator } = (await this.workspace.services()).setup();
    return generator.provider === 'local' ? 'local (offline)' : `Replicate ${generator.model}`;
  }

  dispose(): void {
    this.generated.dispose();
  }
}
