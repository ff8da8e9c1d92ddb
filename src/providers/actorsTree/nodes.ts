import * as vscode from 'vscode';
import { Category, CATEGORIES, CATEGORY_LABELS } from '../../core/manifest/categories';
import type { CategoryTargets } from '../../core/actors/targets';
import type { DriftKind } from '../../core/reconcile/types';
import type { ActorImage, ActorRecord } from '../../core/actors/types';
import type { DataProblem } from '../../core/workspace/problems';
import type { PlanState } from '../../core/plan/planFiles';
import { actorDescription, countsTable, escapeMarkdown, reviewCount } from './format';
import { ImageNode } from './imageNode';
import { ChildNode, childRedraws, markdown, openCommand, StudioNode, thumbnail } from './treeNode';
import { actorUri } from './uris';

export type { StudioNode } from './treeNode';
export { ImageNode } from './imageNode';

/** The one command an actor's tooltip links to (providers do not import commands). */
const OPEN_GALLERY = 'actorStudio.openGallery';

export class ActorNode implements StudioNode {
  readonly id: string;
  private children?: ChildNode[];

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
   * Takes a re-read record and returns the nodes to redraw: this row when its text (or tooltip)
   * changed or its shown children were added, removed or moved; else only the shown descendants
   * that look different (often none).
   */
  update(record: ActorRecord, targets: CategoryTargets): StudioNode[] {
    const before = this.rowKey();
    this.record = record;
    this.targets = targets;
    const redraw = childRedraws(this.rowKey() !== before, this.children, () => this.buildChildren(record));
    if (!redraw) {
      this.children = undefined;
      return [this];
    }
    return redraw;
  }

  /** What the row and its tooltip show. */
  private rowKey(): string | undefined {
    const { record } = this;
    if (!record) {
      return undefined;
    }
    const notable = record.problems.filter((problem) => problem.severity !== 'info').map((problem) => problem.message);
    return JSON.stringify([record.manifestState, actorDescription(record, this.targets, this.planState), record.info, notable]);
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

  getChildren(): ChildNode[] {
    const { record } = this;
    if (!record) {
      return [];
    }
    this.children ??= this.buildChildren(record);
    return this.children;
  }

  private buildChildren(record: ActorRecord): ChildNode[] {
    const errors = record.problems.filter((problem) => problem.severity === 'error');
    const children: ChildNode[] = errors.map((problem, position) => new ProblemNode(this.id, position, problem));
    children.push(new BaseImageNode(record));
    if (record.manifestState !== 'invalid') {
      for (const category of CATEGORIES) {
        const images = record.images.filter((image) => image.category === category);
        if (category !== 'unknown' || images.length > 0) {
          children.push(new CategoryNode(record, category, images, category === 'unknown' ? undefined : this.targets[category]));
        }
      }
    }
    return children;
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

export class BaseImageNode implements ChildNode {
  readonly id: string;

  constructor(private record: ActorRecord) {
    this.id = `actor:${record.id}/base`;
  }

  adopt(next: ChildNode): ChildNode[] {
    const before = JSON.stringify(this.record.baseImage ?? null);
    this.record = (next as BaseImageNode).record;
    return JSON.stringify(this.record.baseImage ?? null) === before ? [] : [this];
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

export class CategoryNode implements ChildNode {
  readonly id: string;
  private children?: ImageNode[];

  constructor(
    public record: ActorRecord,
    readonly category: Category,
    private images: ActorImage[],
    private target: number | undefined,
  ) {
    this.id = `actor:${record.id}/category/${category}`;
  }

  adopt(next: ChildNode): ChildNode[] {
    const before = this.rowKey();
    const fresh = next as CategoryNode;
    this.record = fresh.record;
    this.images = fresh.images;
    this.target = fresh.target;
    const redraw = childRedraws(this.rowKey() !== before, this.children, () => fresh.getChildren());
    if (!redraw) {
      this.children = undefined;
      return [this];
    }
    return redraw;
  }

  /** The count, the target and whether the group can open. */
  private rowKey(): string {
    return `${this.images.filter((image) => !image.missing).length}/${this.target}/${this.images.length > 0}`;
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

  getChildren(): ImageNode[] {
    this.children ??= this.images.map((image) => new ImageNode(this.record.id, image, this.id));
    return this.children;
  }
}

/** A located problem (an invalid manifest); clicking it opens the file at the offending spot. */
export class ProblemNode implements ChildNode {
  readonly id: string;

  constructor(
    parentId: string,
    position: number,
    private problem: DataProblem,
  ) {
    this.id = `${parentId}/problem/${position}`;
  }

  adopt(next: ChildNode): ChildNode[] {
    const before = JSON.stringify(this.problem);
    this.problem = (next as ProblemNode).problem;
    return JSON.stringify(this.problem) === before ? [] : [this];
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
