import * as path from 'node:path';
import * as vscode from 'vscode';
import { categoryTargets } from '../../core/actors/targets';
import { actorPaths } from '../../core/workspace/layout';
import { customPromptId } from '../../core/prompts/promptText';
import type { ActorsTreeProvider } from '../../providers/actorsTree/actorsTreeProvider';
import type { GeneratedImageInfo, GeneratorPanelModel, GeneratorRequest } from './model';
import { toCustomPromptChoice, toPromptChoice } from './prompts';
import type { ActorChoice, BaseImageOption, CustomPromptChoice, PromptChoice } from './protocol';
import type { GenerationController } from '../../editor/generationController';
import type { Secrets } from '../../editor/secrets';
import { affectsSettings } from '../../editor/settings';
import type { StudioWorkspace } from '../../editor/studioWorkspace';

/**
 * The Generator panel's view of the extension: actors from the workspace index, prompts with
 * usage from the library and the manifests, generation through the GenerationController.
 */
export class StudioGeneratorModel implements GeneratorPanelModel, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly generation: GenerationController,
    tree: ActorsTreeProvider,
    secrets: Secrets,
    /** The Fill to Target command's handler (the composition root wires it). */
    private readonly actions: { fillToTarget: (actorId: string) => Promise<boolean> },
  ) {
    const fire = () => this.changed.fire();
    this.subscriptions = [
      this.changed,
      generation.onDidGenerate(fire),
      tree.onDidIndex(fire),
      secrets.onDidChange(fire),
      vscode.workspace.onDidChangeConfiguration((event) => affectsSettings(event) && fire()),
    ];
  }

  async listActors(): Promise<ActorChoice[]> {
    const index = await this.workspace.index();
    const target = categoryTargets(this.workspace.settings.target);
    const goal = target.photorealistic + target.bw_stylized + target.color_stylized;
    return (index?.actors ?? []).map((actor) => ({
      id: actor.id,
      label: actor.id,
      description: [actor.info.displayName, `${actor.total}/${goal}`, actor.baseImage ? undefined : 'no base image'].filter(Boolean).join(' · '),
      hasBaseImage: Boolean(actor.baseImage),
    }));
  }

  async promptChoices(actorId: string): Promise<{ prompts: PromptChoice[]; customPrompts: CustomPromptChoice[] }> {
    const index = await this.workspace.index();
    const actor = index?.actors.find((candidate) => candidate.id === actorId);
    if (!index || !actor) {
      return { prompts: [], customPrompts: [] };
    }
    const [{ loadPromptLibrary, fillPrompt }, { countPromptUsage, customPrompts }] = await Promise.all([
      import('../../core/prompts/library'),
      import('../../core/prompts/usage'),
    ]);
    const library = await loadPromptLibrary(index.dataRoot);
    const counts = await countPromptUsage(index, library.prompts);
    const forActor = counts.byActor.get(actorId);
    const prompts = library.prompts.map((prompt) =>
      toPromptChoice(
        { id: prompt.id, label: prompt.label, category: prompt.category, text: fillPrompt(prompt.template, String(actor.info.descriptor)) },
        forActor?.get(prompt.id) ?? 0,
        counts.overall.get(prompt.id) ?? 0,
      ),
    );
    return { prompts, customPrompts: customPrompts(counts, actorId).map(toCustomPromptChoice) };
  }

  async baseImages(actorId: string): Promise<BaseImageOption[]> {
    const index = await this.workspace.index();
    const actor = index?.actors.find((candidate) => candidate.id === actorId);
    if (!index || !actor) {
      return [];
    }
    const { listBaseImages } = await import('../../core/actors/baseImageChoices');
    return listBaseImages(index.dataRoot, actor).map(({ filename, canonical }) => ({ filename, canonical }));
  }

  providerLabel(): Promise<string> {
    return this.generation.providerLabel();
  }

  async generate(request: GeneratorRequest): Promise<GeneratedImageInfo> {
    const image = await this.generation.generate(request);
    return {
      filename: image.filename,
      path: image.path,
      promptId: image.prompt.id ?? customPromptId(image.prompt.text),
      model: image.result.model,
      url: image.url,
      uploadQueued: image.uploadQueued,
    };
  }

  async thumbnailDataUri(file: string): Promise<string> {
    const { thumbnailDataUri } = await import('../../core/image/imageFiles');
    return thumbnailDataUri(file);
  }

  async openImage(actorId: string, filename: string): Promise<void> {
    const dataRoot = this.workspace.dataRoot;
    // Names come from the webview: only plain names, so nothing outside the data folder opens.
    if (dataRoot && path.basename(filename) === filename && path.basename(actorId) === actorId) {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path.join(actorPaths(dataRoot, actorId).trainingDir, filename)), {
        viewColumn: vscode.ViewColumn.Beside,
        preserveFocus: true,
      });
    }
  }

  fillToTarget(actorId: string): Promise<boolean> {
    return this.actions.fillToTarget(actorId);
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
