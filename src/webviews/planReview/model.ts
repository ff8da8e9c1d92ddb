import type * as vscode from 'vscode';
import type { PlanLoad, ReviewItemView } from './protocol';

export type { PlanLoad, PlanView } from './protocol';

/**
 * What the Plan Review panel needs from the extension; the composition root implements it over
 * the workspace and the planning host (see loadPlanView in planView.ts for `loadPlan`). The
 * panel never reads files itself.
 */
export interface PlanReviewModel {
  /** The actor's plan as the page shows it (deletions carry `path`; the panel makes the thumbnails). */
  loadPlan(actorId: string): Promise<PlanLoad>;
  /** A small JPEG data URI of an image of the data folder (the data folder is not a webview resource root). */
  thumbnailDataUri(path: string): Promise<string>;
  /** Fires with an actor whose plan or images changed: its panel sends its state again. */
  readonly onDidChange: vscode.Event<string>;
  /** Opens data/action_plans/<actorId>_action_plan.json in an editor. */
  openPlanFile(actorId: string): Promise<void>;
  /** Plans the actor again (evaluation, then a new plan file); resolves when it is written. */
  replan(actorId: string): Promise<void>;
  /**
   * Runs the plan through the Execute Plan command; resolves when it ended, with false when the
   * user dismissed the mode pick or the confirmation (or there was nothing to do).
   */
  runExecution(actorId: string, mode: 'dry-run' | 'execute'): Promise<boolean>;
  /** The actor's images that need review now, with their `path` (the panel makes the thumbnails). */
  loadReview(actorId: string): Promise<ReviewItemView[]>;
  /** Keep Image (Reviewed) on one image; throws with the reason when it could not. */
  keepImage(actorId: string, filename: string): Promise<boolean>;
  /** Delete Image on one image (the modal confirmation, the trash); false when the user said no. */
  deleteImage(actorId: string, filename: string): Promise<boolean>;
}
