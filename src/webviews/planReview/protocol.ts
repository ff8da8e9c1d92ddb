// The Plan Review panel's messages, shared by the host (planReviewPanel.ts) and the UI (ui/main.ts).
// No `vscode` import and no DOM types: both bundles compile this file.
import type { CostEstimate } from '../../core/plan/cost';
import type { TrainingCategory } from '../../core/manifest/categories';
import type { BaseUiMessage, ReplyMessage } from '../webviewProtocol';

export const PANEL_VIEW_TYPE = 'actorStudio.planReview';

/** Why the planner chose a deletion; `manual` for a row without a rule (added by hand). */
export type DeletionRuleKey = 'failed_checks' | 'duplicate' | 'over_quota' | 'manual';

export interface DeletionView {
  filename: string;
  /** The planner's reason as written in the plan, e.g. "failed checks: blurry". */
  reason: string;
  rule: DeletionRuleKey;
  /** The rule in words, e.g. "Failed a quality check". */
  ruleText: string;
  /** Absolute path of the image (host side only: the host swaps it for `thumbnail` before posting). */
  path?: string;
  /** A small JPEG data URI ('' when there is none: the file is gone or unreadable). */
  thumbnail?: string;
}

/** An image of the actor that needs a person's review (its face could not be scored): Keep or Delete. */
export interface ReviewItemView {
  filename: string;
  /** Why, in words (e.g. "no face found; identity not scored"). */
  reason: string;
  /** Absolute path of the image (host side only: the host swaps it for `thumbnail` before posting). */
  path?: string;
  /** A small JPEG data URI ('' when there is none). */
  thumbnail?: string;
}

export interface GenerationView {
  promptId: string;
  /** The prompt's label from the library, or the id when the library has no such prompt. */
  label: string;
  /** The full prompt text as planned. */
  text: string;
}

export interface CategoryView {
  category: TrainingCategory;
  label: string;
  /** Images kept after the deletions. */
  kept: number;
  target: number;
  generations: GenerationView[];
  /** Generations needed but with no unused prompt left. */
  unfilled: number;
}

export interface StaleView {
  stale: boolean;
  added: string[];
  removed: string[];
  changed: string[];
}

/** What the page shows of one actor's plan. */
export interface PlanView {
  actorId: string;
  /** ISO timestamp of planning, when the plan records it. */
  createdAt?: string;
  evaluator?: string;
  seed?: number;
  stale: StaleView;
  deletions: DeletionView[];
  categories: CategoryView[];
  unclassified: string[];
  /** Total generations of the plan. */
  generationCount: number;
  /** The first is the model a generation would use now; others for comparison. */
  cost: CostEstimate[];
  /** What evaluating for this plan paid (vision model), as one sentence; absent when nothing was paid. */
  evaluationSpend?: string;
}

/** An actor's plan as loaded: the view, no plan yet, or a plan file that does not pass its schema. */
export type PlanLoad = PlanView | { missing: true } | { invalid: string };

export function isPlanView(load: PlanLoad | undefined): load is PlanView {
  return typeof load === 'object' && load !== null && typeof (load as PlanView).actorId === 'string' && Array.isArray((load as PlanView).deletions);
}

// ---- host -> UI

export interface StateMessage {
  type: 'state';
  actorId: string;
  load: PlanLoad;
  /** Why writing actions are off (Restricted Mode), when they are. */
  blocked?: string;
  /** What the host is doing for this panel right now ("re-planning", "dry run"), if anything. */
  busy?: string;
  /** Why the plan could not be read at all. */
  problem?: string;
  /** The actor's images that need review now (from its manifest, plan or no plan). */
  review?: ReviewItemView[];
}

export type PlanReviewHostMessage = StateMessage | ReplyMessage;

// ---- UI -> host

export type PlanReviewAction = 'openPlanFile' | 'replan' | 'dryRun' | 'execute';

/** Requests with a reply; each resolves when the action is done (or says why it could not run). */
export type PlanReviewRequests = {
  openPlanFile: { params: null; result: null };
  replan: { params: null; result: null };
  /**
   * Runs the Execute Plan command on this actor (Dry Run: its report opens in an editor; Execute:
   * the mode pick, the confirmation and the progress notification). `ran: false` when the user
   * dismissed the pick or the confirmation, or there was nothing to execute.
   */
  runExecution: { params: { mode: 'dry-run' | 'execute' }; result: { ran: boolean } };
  /** Keeps an image that needs review (Keep Image (Reviewed)). */
  keepImage: { params: { filename: string }; result: { kept: boolean } };
  /** Moves an image to the trash (Delete Image: the modal confirmation, undoable); `deleted: false` when the user said no. */
  deleteImage: { params: { filename: string }; result: { deleted: boolean } };
};

export type PlanReviewUiMessage = BaseUiMessage<PlanReviewRequests>;

/** What the page keeps across reloads (vscode.setState); the serializer reopens the panel on this actor. */
export interface PlanReviewUiState {
  actorId?: string;
  /** Prompt ids whose full text is expanded. */
  expanded?: string[];
}
