import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveLocalCheckThresholds } from '../../core/evaluate/thresholds';
import { FileHasher } from '../../core/fs/files';
import type { Thumbnail, ThumbnailCache } from '../../core/image/thumbnailCache';
import { isTrainingCategory, type TrainingCategory } from '../../core/manifest/categories';
import { linkedOutsideReason } from '../../core/workspace/guards';
import { PLAIN_NAME } from '../../core/workspace/layout';
import { LazyActorFilesWatch } from '../../editor/dataFolderWatcher';
import type { GenerationController } from '../../editor/generationController';
import type { StudioWorkspace } from '../../editor/studioWorkspace';
import type { ActorsTreeProvider } from '../../providers/actorsTree/actorsTreeProvider';
import { buildGalleryView, NO_PLAN, type PlanMarks } from './galleryView';
import type { GalleryAction, GalleryModel, ThumbnailRequest } from './model';
import type { GalleryView } from './protocol';

/** Grid tiles are at most 160 px wide; 256 keeps them sharp at 1.5x. */
const GRID_SIZE = 256;
/** The side-by-side view shows two images across the panel. */
const LARGE_SIZE = 768;

/** The editor commands the gallery runs, by action (ids from the composition root: panels do not import commands). */
export type GalleryCommandIds = Record<Exclude<GalleryAction['kind'], 'clearRating' | 'editCaptions'> | 'editCaption' | 'editCaptions', string>;

/**
 * The Actor Gallery's view of the extension: actors from the workspace index, plan marks from the
 * latest plan file, thumbnails from a cache in the extension's global storage, and every change
 * through the editor's image commands with `{ actorId, filename }` targets (the same flows as the
 * tree: confirmations, locks, the log, the tree refresh).
 */
export class StudioGalleryModel implements GalleryModel, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;
  /** The thumbnail cache: in the extension's global storage, never in the data folder. */
  private readonly cacheFolder: vscode.Uri;
  private readonly subscriptions: vscode.Disposable[];
  private readonly hasher = new FileHasher();
  private caches?: Promise<{ grid: ThumbnailCache; large: ThumbnailCache }>;
  private readonly files: LazyActorFilesWatch;

  constructor(
    private readonly workspace: StudioWorkspace,
    private readonly generation: GenerationController,
    tree: ActorsTreeProvider,
    globalStorage: vscode.Uri,
    private readonly commands: GalleryCommandIds,
  ) {
    this.cacheFolder = vscode.Uri.joinPath(globalStorage, 'thumbnails');
    this.subscriptions = [this.changed, tree.onDidIndex((index) => index.actors.forEach((actor) => this.changed.fire(actor.id)))];
    this.files = new LazyActorFilesWatch(workspace, (actorId) => this.changed.fire(actorId));
  }

  async loadView(actorId: string): Promise<GalleryView | undefined> {
    this.files.start(); // an open gallery follows files even when the Actors view reads nothing
    const dataRoot = this.workspace.dataRoot;
    if (!dataRoot) {
      throw new Error('open a folder with a data folder first');
    }
    const outside = PLAIN_NAME.test(actorId) ? linkedOutsideReason(dataRoot, actorId) : `"${actorId}" is not an actor id`;
    if (outside) {
      throw new Error(outside);
    }
    const record = (await this.workspace.actors())?.actor(actorId);
    if (!record) {
      return undefined;
    }
    const threshold = resolveLocalCheckThresholds(this.workspace.settings.evaluation.thresholds).identityDriftDistance;
    return buildGalleryView(record, this.workspace.targets, threshold, await this.planMarks(dataRoot, record));
  }

  private async planMarks(dataRoot: string, record: Parameters<typeof buildGalleryView>[0]): Promise<PlanMarks> {
    const { readActorPlan, planStaleness } = await import('../../core/plan/planFiles');
    const read = await readActorPlan(dataRoot, record.id);
    if (read.state === 'missing') {
      return NO_PLAN;
    }
    if (read.state !== 'ok') {
      return { state: 'invalid' };
    }
    const plan = read.value;
    const { stale } = await planStaleness(plan, record, this.hasher);
    return {
      state: stale ? 'stale' : 'planned',
      deletions: new Map(plan.deletions.map((deletion) => [deletion.filename, deletion.reason])),
      ...(plan.seen ? { seen: plan.seen } : {}),
    };
  }

  async thumbnail(request: ThumbnailRequest): Promise<Thumbnail> {
    const record = (await this.workspace.actors())?.actor(request.actorId);
    const file = request.base
      ? record?.baseImage?.filename === request.filename
        ? record.baseImage.path
        : undefined
      : record?.images.find((image) => image.filename === request.filename)?.path;
    if (!record || !file || path.basename(file) !== request.filename) {
      throw new Error(`${request.filename} is not an image of ${request.actorId}`);
    }
    const caches = await this.thumbnailCaches();
    return (request.large ? caches.large : caches.grid).thumbnail(file);
  }

  async readyThumbnails(actorId: string): Promise<{ images: Map<string, string>; base?: string }> {
    const record = (await this.workspace.actors())?.actor(actorId);
    const { grid } = await this.thumbnailCaches();
    const images = new Map<string, string>();
    await Promise.all(
      (record?.images ?? [])
        .filter((image) => !image.missing)
        .map(async (image) => {
          const file = await grid.cached(image.path);
          if (file) {
            images.set(image.filename, file);
          }
        }),
    );
    const base = record?.baseImage && (await grid.cached(record.baseImage.path));
    return { images, base };
  }

  private thumbnailCaches(): Promise<{ grid: ThumbnailCache; large: ThumbnailCache }> {
    this.caches ??= import('../../core/image/thumbnailCache').then(({ ThumbnailCache }) => ({
      grid: new ThumbnailCache(this.cacheFolder.fsPath, { size: GRID_SIZE, hasher: this.hasher }),
      large: new ThumbnailCache(this.cacheFolder.fsPath, { size: LARGE_SIZE, hasher: this.hasher, concurrency: 1 }),
    }));
    return this.caches;
  }

  async run(action: GalleryAction, actorId: string, filenames: readonly string[]): Promise<void> {
    const targets = filenames.map((filename) => ({ actorId, filename }));
    if (targets.length === 0) {
      throw new Error('select an image first');
    }
    const execute = (id: string, options?: object) => vscode.commands.executeCommand(id, targets[0], targets, options);
    switch (action.kind) {
      case 'rate':
        await execute(this.commands.rate, { stars: action.stars });
        return;
      case 'clearRating':
        await execute(this.commands.rate, { clear: true });
        return;
      case 'setCategory':
        await execute(this.commands.setCategory);
        return;
      case 'delete':
        await execute(this.commands.delete);
        return;
      case 'openViewer':
        await vscode.commands.executeCommand(this.commands.openViewer, targets[0]);
        return;
      case 'editCaptions':
        // One image: its caption in an input box; several: a bulk edit with a preview.
        await execute(targets.length === 1 ? this.commands.editCaption : this.commands.editCaptions);
        return;
    }
  }

  async regenerate(actorId: string, filenames: readonly string[], anotherPrompt: boolean): Promise<string[]> {
    const record = (await this.workspace.actors())?.actor(actorId);
    const images = filenames.map((filename) => record?.images.find((image) => image.filename === filename));
    const sources = images.map(
      (image) => image?.entry && { promptId: image.entry.prompt_id ?? undefined, prompt: image.entry.prompt ?? undefined, category: image.category },
    );
    let chosen: { promptId: string } | undefined;
    if (anotherPrompt) {
      const category = sources.map((source) => source?.category).find(isTrainingCategory);
      chosen = await this.pickPrompt(actorId, category, new Set(sources.map((source) => source?.promptId).filter((id): id is string => !!id)));
      if (!chosen) {
        return [];
      }
    } else if (sources.some((source) => !source?.promptId && !source?.prompt)) {
      throw new Error('an image without a recorded prompt cannot be generated again with the same prompt: Shift+R picks another');
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Actor Studio: generating for ${actorId}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        const generated: string[] = [];
        try {
          for (const [position, source] of sources.entries()) {
            const from = chosen ?? (source!.promptId ? { promptId: source!.promptId } : { promptText: source!.prompt!, ...categoryOf(source!.category) });
            progress.report({ message: `${position + 1} of ${sources.length}` });
            const image = await this.generation.generate({ actorId, ...from, signal: controller.signal });
            generated.push(image.filename);
          }
        } finally {
          cancel.dispose();
        }
        return generated;
      },
    );
  }

  /** The library's prompts of the category, least used by this actor first, the images' own prompts left out. */
  private async pickPrompt(actorId: string, category: TrainingCategory | undefined, exclude: ReadonlySet<string>): Promise<{ promptId: string } | undefined> {
    const dataRoot = this.workspace.dataRoot;
    const index = await this.workspace.index();
    if (!dataRoot || !index) {
      return undefined;
    }
    const [{ loadPromptLibrary }, { countPromptUsage, usageForPrompts, leastUsed, usageBadge }] = await Promise.all([
      import('../../core/prompts/library'),
      import('../../core/prompts/usage'),
    ]);
    const library = await loadPromptLibrary(dataRoot);
    const usage = usageForPrompts(library.prompts, await countPromptUsage(index, library.prompts), actorId);
    const used = new Map(usage.map((row) => [row.promptId, row.actorCount]));
    const candidates = leastUsed(library.prompts, usage, category, library.prompts.length).filter((prompt) => !exclude.has(prompt.id));
    const picked = await vscode.window.showQuickPick(
      candidates.map((prompt) => ({ label: prompt.label, description: `${prompt.id} ${usageBadge(used.get(prompt.id) ?? 0)}`, promptId: prompt.id })),
      { title: `Generate again for ${actorId} with another prompt`, placeHolder: 'Least used by this actor first' },
    );
    return picked && { promptId: picked.promptId };
  }

  dispose(): void {
    this.files.dispose();
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function categoryOf(category: string): { category?: TrainingCategory } {
  return isTrainingCategory(category) ? { category } : {};
}
