import * as vscode from 'vscode';
import { CommandContext } from './commands/commandContext';
import { CommandIds } from './commands/commandIds';
import { loadedHeavyModules } from './core/lazyModules';
import { registerCommands, type RegisteredCommands } from './commands/registerCommands';
import { ExecutionController } from './editor/executionController';
import { GenerationController } from './editor/generationController';
import { StudioGeneratorModel } from './webviews/generator/studioGeneratorModel';
import { IntegrityController } from './editor/integrityController';
import { createLogger } from './editor/logger';
import { PlanningController } from './editor/planningController';
import { Secrets } from './editor/secrets';
import { StudioWorkspace } from './editor/studioWorkspace';
import { ACTORS_VIEW_ID, ActorsTreeProvider } from './providers/actorsTree/actorsTreeProvider';
import { ActorsDecorationProvider } from './providers/actorsTree/decorations';
import { DataDiagnostics } from './providers/dataDiagnostics';
import { DataFileValidator } from './providers/jsonDiagnostics';
import { RefreshManager } from './providers/refreshManager';
import { UrlObjectQuickFix } from './providers/urlQuickFix';
import { GeneratorPanel, GeneratorPanelProbe } from './webviews/generator/generatorPanel';
import { PlanReviewPanel, PlanReviewPanelProbe } from './webviews/planReview/planReviewPanel';
import { StudioPlanReviewModel } from './webviews/planReview/studioPlanReviewModel';
import { AnalyticsPanel, AnalyticsPanelProbe } from './webviews/analytics/analyticsPanel';
import { StudioAnalyticsModel } from './webviews/analytics/studioAnalyticsModel';
import { ImageViewerPanel, ImageViewerPanelProbe } from './webviews/imageViewer/imageViewerPanel';
import { WebviewHost } from './webviews/webviewHost';
import { StudioImageViewerModel } from './webviews/imageViewer/studioImageViewerModel';
import { GalleryPanel, GalleryPanelProbe } from './webviews/gallery/galleryPanel';
import { StudioGalleryModel } from './webviews/gallery/studioGalleryModel';

/** Set by the bundle's first and last lines (esbuild banner and footer), to time loading it. */
declare const __actorStudioBundleStart: number | undefined;
declare const __actorStudioBundleEnd: number | undefined;

/** What activate() returns to other extensions: how long activation took. */
export interface ActorStudioApi {
  /** How long activate() took, in milliseconds. */
  readonly activationMs: number;
  /** How long evaluating the bundle took before activate() was called. */
  readonly bundleLoadMs?: number;
}

/**
 * What activate() adds only when VS Code runs the extension for tests (ExtensionMode.Test): the
 * services and the panels at their protocol boundary, for the integration tests and benchmark.
 */
export interface ActorStudioTestApi extends ActorStudioApi {
  readonly tree: ActorsTreeProvider;
  readonly workspace: StudioWorkspace;
  readonly generation: GenerationController;
  readonly planning: PlanningController;
  readonly execution: ExecutionController;
  /** The keys in SecretStorage, so a test can set one without the input box. */
  readonly secrets: Secrets;
  /** Badges in the Actors tree (problems, drift, untracked images). */
  readonly decorations: ActorsDecorationProvider;
  /** Validates open data files; `validate(document)` resolves once its problems are published. */
  readonly dataFiles: DataFileValidator;
  /** Heavy modules loaded so far (sharp, SDKs): none at activation (the benchmark checks). */
  readonly loadedHeavyModules: () => string[];
  readonly generatorPanel: () => GeneratorPanelProbe | undefined;
  /** The Plan Review panel opened or focused last. */
  readonly planReviewPanel: () => PlanReviewPanelProbe | undefined;
  readonly analyticsPanel: () => AnalyticsPanelProbe | undefined;
  readonly imageViewerPanel: () => ImageViewerPanelProbe | undefined;
  /** The gallery opened or focused last. */
  readonly galleryPanel: () => GalleryPanelProbe | undefined;
}

/**
 * The composition root: builds each service once, wires them, and hands every disposable to
 * VS Code. Nothing here reads the data folder; the tree does that when it is first shown.
 */
export function activate(context: vscode.ExtensionContext): ActorStudioApi | ActorStudioTestApi {
  const started = performance.now();
  const { logger, channel } = createLogger();
  const secrets = new Secrets(context.secrets);
  const workspace = new StudioWorkspace(logger, secrets);
  const planning = new PlanningController(workspace);
  const tree = new ActorsTreeProvider(workspace, logger, (actors, pass) => planning.planStates(actors, pass));
  const decorations = new ActorsDecorationProvider();
  const diagnostics = new DataDiagnostics();
  const dataFiles = new DataFileValidator(workspace, diagnostics, logger);
  const integrity = new IntegrityController(workspace, logger);
  const view = vscode.window.createTreeView(ACTORS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const generation = new GenerationController(workspace, logger, (actorId) => tree.refresh([actorId]));
  const generatorModel = new StudioGeneratorModel(workspace, generation, tree, secrets, {
    fillToTarget: async (actorId) => (await handlers().fillToTarget(actorId))?.summary !== undefined,
  });
  const execution = new ExecutionController(workspace, logger, (actorIds) => tree.refresh(actorIds), CommandIds.showLog);
  // Panels use the commands' own handlers (the same mode pick, confirmation and progress as the
  // palette); they exist once registerCommands() ran below, before any panel can call them.
  // eslint-disable-next-line prefer-const -- assigned once below; the closures above read it only after activation
  let commands: RegisteredCommands | undefined;
  const handlers = () => {
    if (!commands) throw new Error('Actor Studio is still activating');
    return commands;
  };
  const planReviewModel = new StudioPlanReviewModel(workspace, planning, generation, tree, {
    execute: async (actorId, mode) => {
      const result = await handlers().executePlan(actorId, undefined, mode === 'dry-run' ? { mode: 'dry_run' } : {});
      return result !== undefined && (mode === 'dry-run' || result.summary !== undefined);
    },
    keepImage: (image) => handlers().keepImage(image),
    deleteImage: async (image) => (await handlers().deleteImage(image)) !== undefined,
  });
  const analyticsModel = new StudioAnalyticsModel(workspace);
  const imageViewerModel = new StudioImageViewerModel(workspace, generation, tree, {
    deleteImage: async (image) => (await handlers().deleteImage(image)) !== undefined,
    keepImage: (image) => handlers().keepImage(image),
    rateImage: (image, options) => handlers().rateImage(image, undefined, options),
    editCaption: async (image, text) => vscode.commands.executeCommand<{ written: number } | undefined>(CommandIds.editCaption, image, undefined, { text }),
  });
  // Thumbnails live in the extension's global storage, never in the data folder.
  const galleryModel = new StudioGalleryModel(workspace, generation, tree, context.globalStorageUri, {
    rate: CommandIds.rateImage,
    setCategory: CommandIds.setCategory,
    delete: CommandIds.deleteImage,
    openViewer: CommandIds.openImageViewer,
    editCaption: CommandIds.editCaption,
    editCaptions: CommandIds.editCaptions,
  });
  const commandContext: CommandContext = {
    extensionUri: context.extensionUri,
    workspace,
    tree,
    logger,
    secrets,
    generation,
    generatorModel,
    planning,
    planReviewModel,
    execution,
    analyticsModel,
    imageViewerModel,
    galleryModel,
    showLog: () => channel.show(true),
    actorsSelection: () => view.selection,
  };

  commands = registerCommands(commandContext, integrity);
  context.subscriptions.push(
    channel,
    workspace,
    tree,
    view,
    decorations,
    diagnostics,
    dataFiles,
    integrity,
    integrity.onDidReconcile((report) => {
      decorations.showDrift(report);
      tree.showDrift(report);
    }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', language: 'json' }, new UrlObjectQuickFix((uri) => diagnostics.diagnosticsOf(uri)), {
      providedCodeActionKinds: UrlObjectQuickFix.providedCodeActionKinds,
    }),
    generation,
    generatorModel,
    planning,
    execution,
    planning.onDidChangeActors((actorIds) => void tree.refresh(actorIds)),
    // Registered synchronously in activate(), so a panel open before a reload comes back.
    GeneratorPanel.registerSerializer(context.extensionUri, generatorModel, logger),
    planReviewModel,
    PlanReviewPanel.registerSerializer(context.extensionUri, planReviewModel, logger),
    analyticsModel,
    AnalyticsPanel.registerSerializer(context.extensionUri, analyticsModel, logger),
    vscode.window.registerFileDecorationProvider(decorations),
    tree.onDidIndex((index) => {
      decorations.update(index);
      diagnostics.update(index);
    }),
    new RefreshManager(workspace, tree, logger),
    ...commands.disposables,
    imageViewerModel,
    ImageViewerPanel.registerSerializer(context.extensionUri, imageViewerModel, logger),
    galleryModel,
    GalleryPanel.registerSerializer(context.extensionUri, galleryModel, logger),
  );
  const finished = performance.now();
  const activationMs = finished - started;
  const bundleLoadMs =
    typeof __actorStudioBundleStart === 'number' && typeof __actorStudioBundleEnd === 'number' ? __actorStudioBundleEnd - __actorStudioBundleStart : undefined;
  logger.info(`activated in ${activationMs.toFixed(1)} ms; loading the bundle took ${bundleLoadMs?.toFixed(1) ?? '?'} ms`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) {
    return { activationMs, bundleLoadMs };
  }
  WebviewHost.enableProbes();
  return {
    activationMs,
    bundleLoadMs,
    tree,
    workspace,
    generation,
    planning,
    execution,
    secrets,
    decorations,
    dataFiles,
    loadedHeavyModules,
    generatorPanel: () => GeneratorPanel.current?.probe,
    planReviewPanel: () => PlanReviewPanel.current?.probe,
    analyticsPanel: () => AnalyticsPanel.current?.probe,
    imageViewerPanel: () => ImageViewerPanel.current?.probe,
    galleryPanel: () => GalleryPanel.current?.probe,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
