import * as vscode from 'vscode';
import { Category, CATEGORIES, CATEGORY_LABELS } from '../../core/manifest/categories';
import type { CategoryTargets } from '../../core/actors/targets';
import type { DriftKind } from '../../core/reconcile/types';
import type { ActorImage, ActorRecord } from '../../core/actors/types';
import type { DataProblem } from '../../core/workspace/problems';
import type { PlanState } from '../../core/plan/planFiles';
import { stars } from '../../core/tracking/ratings';
import { needsReview, reviewReason } from '../../core/tracking/review';
import { actorDescription, countsTable, escapeMarkdown, faceDistances, reviewCount } from './format';
import { actorUri } from './uris';

/** The one command an actor's tooltip links to (providers do not import commands). */
const OPEN_GALLERY = 'actorStudio.openGallery';

/** Every node of the Actors tree: a stable id, its item, its children, an optional rich tooltip. */
export interface StudioNode {
  readonly id: string;
  getTreeItem(): vscode.TreeItem;
  getChildren(): StudioNode[];
  resolveTooltip?(): vscode.MarkdownString | undefined;
}

export class ActorNode implements StudioNode {
  readonly id: string;
  private children?: StudioNode[];

  /** `record` is undefined until the actor has been read (the tree shows "loading…"). */
  /** The actor's plan: `-2 +5`, or stale; set when known (read in the background). */
  planState?: PlanState;
  /** Drift findings per kind from the last Reconcile Data of this actor; undefined when none. */
  drift?: Partial<Record<DriftKind, number>>;

  constructor(
    readonly actorId: string,
    public record: ActorRecord | undefined,
    public targets: CategoryTargets,
  ) {
    this.id = `actor:${actorId}`;
  }

  /**
   * Takes a re-read record; children are rebuilt on the next expand. True when the row may look
   * different (its text changed, or its children were shown and are now rebuilt).
   */
  update(record: ActorRecord, targets: CategoryTargets): boolean {
    const before = this.rowText();
    const childrenShown = this.children !== undefined;
    this.record = record;
    this.targets = targets;
    this.children = undefined;
    return childrenShown || this.rowText() !== before;
  }

  private rowText(): string | undefined {
    return this.record && `${this.record.manifestState} ${actorDescription(this.record, this.targets, this.planState)}`;
  }

  getTreeItem(): vscode.TreeItem {
    const { record } = this;
    const item = new vscode.TreeItem(this.actorId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.resourceUri = actorUri(this.actorId);
    if (!record) {
      item.description = 'loading…';
      item.contextValue = 'actor';
      item.iconPath = new vscode.ThemeIcon('person');
      return item;
    }
    item.description = actorDescription(record, this.targets, this.planState);
    item.contextValue = record.manifestState === 'invalid' ? 'actor.invalid' : 'actor';
    item.iconPath =
      record.manifestState === 'invalid' ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')) : new vscode.ThemeIcon('person');
    return item;
  }

  getChildren(): StudioNode[] {
    const { record } = this;
    if (!record) {
      return [];
    }
    if (!this.children) {
      const errors = record.problems.filter((problem) => problem.severity === 'error');
      const children: StudioNode[] = errors.map((problem, position) => new ProblemNode(this.id, position, problem));
      children.push(new BaseImageNode(record));
      if (record.manifestState !== 'invalid') {
        for (const category of CATEGORIES) {
          const images = record.images.filter((image) => image.category === category);
          if (category !== 'unknown' || images.length > 0) {
            children.push(new CategoryNode(record, category, images, category === 'unknown' ? undefined : this.targets[category]));
          }
        }
      }
      this.children = children;
    }
    return this.children;
  }

  resolveTooltip(): vscode.MarkdownString | undefined {
    const { record } = this;
    if (!record) {
      return undefined;
    }
    const info = record.info;
    const who = [info.displayName, info.sex, info.age !== undefined ? `${info.age}` : undefined, info.ethnicity]
      .filter(Boolean)
      .map((part) => escapeMarkdown(String(part)))
      .join(' · ');
    const lines = [`**${escapeMarkdown(record.id)}**${who ? `  \n${who}` : ''}`, '', countsTable(record.counts, this.targets)];
    const waiting = reviewCount(record);
    if (waiting > 0) {
      lines.push(
        '',
        `$(eye) ${waiting} image${waiting === 1 ? '' : 's'} need${waiting === 1 ? 's' : ''} review (a face the checks could not score): Keep Image or Delete Image`,
      );
    }
    const notable = record.problems.filter((problem) => problem.severity !== 'info');
    if (notable.length > 0) {
      lines.push('', ...notable.slice(0, 8).map((problem) => `- $(${problem.severity === 'error' ? 'error' : 'warning'}) ${escapeMarkdown(problem.message)}`));
    }
    if (this.drift) {
      const perKind = Object.entries(this.drift).map(([kind, count]) => `${escapeMarkdown(kind)} ×${count}`);
      lines.push('', `$(diff) Drift (Reconcile Data): ${perKind.join(', ')}`);
    }
    // A click on the row expands it, so the gallery is a link here (and an inline action).
    lines.push('', `[$(file-media) Open Gallery](command:${OPEN_GALLERY}?${encodeURIComponent(JSON.stringify([record.id]))})`);
    const tooltip = markdown(lines.join('\n'));
    tooltip.isTrusted = { enabledCommands: [OPEN_GALLERY] };
    return tooltip;
  }
}

export class BaseImageNode implements StudioNode {
  readonly id: string;

  constructor(private readonly record: ActorRecord) {
    this.id = `actor:${record.id}/base`;
  }

  getTreeItem(): vscode.TreeItem {
    const base = this.record.baseImage;
    const item = new vscode.TreeItem('Base image', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    if (!base) {
      item.description = 'missing';
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = 'baseImage.missing';
      return item;
    }
    item.description = base.filename;
    item.resourceUri = vscode.Uri.file(base.path);
    item.iconPath = new vscode.ThemeIcon('account');
    item.contextValue = 'baseImage';
    item.command = openCommand(item.resourceUri);
    return item;
  }

  getChildren(): StudioNode[] {
    return [];
  }

  resolveTooltip(): vscode.MarkdownString {
    const base = this.record.baseImage;
    return base
      ? markdown(`${thumbnail(base.path)}\n\n**Base image** (the identity)  \n${escapeMarkdown(base.filename)}`)
      : markdown(`No base image in \`base_image/\`: add \`${escapeMarkdown(this.record.id)}_base.png\` to generate images.`);
  }
}

export class CategoryNode implements StudioNode {
  readonly id: string;

  constructor(
    readonly record: ActorRecord,
    readonly category: Category,
    private readonly images: ActorImage[],
    private readonly target: number | undefined,
  ) {
    this.id = `actor:${record.id}/category/${category}`;
  }

  getTreeItem(): vscode.TreeItem {
    const present = this.images.filter((image) => !image.missing).length;
    const state = this.images.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(CATEGORY_LABELS[this.category], state);
    item.id = this.id;
    item.description = this.target === undefined ? `${present}` : `${present}/${this.target}`;
    item.contextValue = 'category';
    const reached = this.target === undefined || present === this.target;
    item.iconPath = new vscode.ThemeIcon(reached ? 'folder-library' : 'folder', reached ? undefined : new vscode.ThemeColor('list.warningForeground'));
    return item;
  }

  getChildren(): StudioNode[] {
    return this.images.map((image) => new ImageNode(this.record.id, image, this.id));
  }
}

/** How the tooltip says who decided an image's category. */
const CATEGORY_SOURCE_WORDS: Record<string, string> = {
  prompt: 'from its prompt',
  vision: 'by the vision model',
  local: 'grey pixels',
  user: 'set by you',
};

export class ImageNode implements StudioNode {
  readonly id: string;

  /**
   * The id names the group too: an image that moved to another category is a new row there. With
   * the image alone, VS Code 1.100 could find the moved image's id still registered under its old
   * group while the new group was fetched, failed that fetch ("Element with id … is already
   * registered") and showed the group empty until a root refresh.
   */
  constructor(
    readonly actorId: string,
    readonly image: ActorImage,
    groupId: string,
  ) {
    this.id = `${groupId}/image/${image.filename}`;
  }

  /** On disk and in the manifest, and its face could not be scored: Keep Image or Delete Image. */
  get needsReview(): boolean {
    return this.image.tracked && !this.image.missing && needsReview(this.image.entry);
  }

  getTreeItem(): vscode.TreeItem {
    const { image } = this;
    const item = new vscode.TreeItem(image.filename, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.resourceUri = vscode.Uri.file(image.path);
    const review = this.needsReview;
    const kept = image.entry?.review?.decision === 'keep';
    // 'unscorable' reads as "needs review" until someone keeps the image, then as kept.
    const issues = (image.entry?.evaluation?.issues ?? []).filter((issue) => issue !== 'unscorable');
    const flags = [
      stars(image.entry?.rating?.stars),
      image.missing ? 'missing' : undefined,
      image.tracked ? undefined : 'untracked',
      review ? 'needs review' : undefined,
      issues.join(', ') || undefined,
      !review && kept ? 'kept on review' : undefined,
    ];
    item.description = flags.filter(Boolean).join(' ');
    item.contextValue = image.missing ? 'image.missing' : !image.tracked ? 'image.untracked' : review ? 'image.needsReview' : 'image';
    if (review) {
      item.iconPath = new vscode.ThemeIcon('eye', new vscode.ThemeColor('list.warningForeground'));
    }
    if (issues.length > 0) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    }
    if (image.missing) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    } else {
      item.command = openCommand(item.resourceUri);
    }
    return item;
  }

  getChildren(): StudioNode[] {
    return [];
  }

  resolveTooltip(): vscode.MarkdownString {
    const { image } = this;
    const entry = image.entry;
    const lines = [
      image.missing ? '*File missing on disk*' : thumbnail(image.path),
      '',
      `**${escapeMarkdown(image.filename)}** · ${CATEGORY_LABELS[image.category]}${image.category !== 'unknown' && entry?.category_source ? ` (${CATEGORY_SOURCE_WORDS[entry.category_source] ?? entry.category_source})` : ''}`,
    ];
    if (!image.tracked) {
      lines.push('', 'Untracked: on disk but not in the manifest.');
    }
    if (entry?.prompt) {
      lines.push('', `*Prompt${entry.prompt_id ? ` (${escapeMarkdown(entry.prompt_id)})` : ''}:* ${escapeMarkdown(entry.prompt)}`);
    }
    if (entry?.rating) {
      const feedback = entry.rating.feedback ? ` ${escapeMarkdown(entry.rating.feedback)}` : '';
      lines.push('', `*Rating:* ${stars(entry.rating.stars)}${feedback}`);
    }
    if (entry?.model) {
      lines.push('', `*Model:* ${escapeMarkdown(entry.model)}`);
    }
    const evaluation = entry?.evaluation;
    if (evaluation) {
      const reasons = (evaluation.reasons?.length ? evaluation.reasons : (evaluation.issues ?? [])).filter((reason) => !reason.startsWith('needs review'));
      const distances = faceDistances(evaluation);
      if (this.needsReview) {
        lines.push('', `$(eye) **Needs review:** ${escapeMarkdown(reviewReason(entry))}. Keep Image (Reviewed) keeps it; Delete Image moves it to the trash.`);
      } else if (entry?.review?.decision === 'keep' && evaluation.issues?.includes('unscorable')) {
        lines.push('', `$(check) Kept on review: ${escapeMarkdown(reviewReason(entry))}`);
      }
      lines.push(
        '',
        `*Evaluation (${escapeMarkdown(evaluation.evaluator ?? 'unknown')}):* quality ${evaluation.quality ?? '?'}/10, looks ${CATEGORY_LABELS[evaluation.category ?? 'unknown']}`,
      );
      if (distances) {
        lines.push('', `$(account) ${distances}`);
      }
      lines.push(...reasons.map((reason) => `- $(warning) ${escapeMarkdown(reason)}`));
    }
    return markdown(lines.join('\n'));
  }
}

/** A located problem (an invalid manifest); clicking it opens the file at the offending spot. */
export class ProblemNode implements StudioNode {
  readonly id: string;

  constructor(
    parentId: string,
    position: number,
    private readonly problem: DataProblem,
  ) {
    this.id = `${parentId}/problem/${position}`;
  }

  getTreeItem(): vscode.TreeItem {
    const { problem } = this;
    const item = new vscode.TreeItem(problem.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = problem.line !== undefined ? `line ${problem.line + 1}` : undefined;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    item.contextValue = 'problem';
    item.tooltip = `${problem.file}${problem.line !== undefined ? `:${problem.line + 1}:${(problem.column ?? 0) + 1}` : ''}\n${problem.message}`;
    const start = new vscode.Position(problem.line ?? 0, problem.column ?? 0);
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [vscode.Uri.file(problem.file), { selection: new vscode.Range(start, start.translate(0, problem.length ?? 0)) }],
    };
    return item;
  }

  getChildren(): StudioNode[] {
    return [];
  }
}

/** Opens the file in a preview editor; the tree keeps the focus, so keys (1-5 rate) act on the selection. */
function openCommand(uri: vscode.Uri): vscode.Command {
  return { command: 'vscode.open', title: 'Open', arguments: [uri, { preview: true, preserveFocus: true }] };
}

function thumbnail(file: string): string {
  return `![thumbnail](${vscode.Uri.file(file).toString()}|width=240)`;
}

function markdown(value: string): vscode.MarkdownString {
  const result = new vscode.MarkdownString(value, true);
  result.supportThemeIcons = true;
  return result;
}
