import * as vscode from 'vscode';
import { CATEGORY_LABELS } from '../../core/manifest/categories';
import type { ActorImage } from '../../core/actors/types';
import { stars } from '../../core/tracking/ratings';
import { needsReview, reviewReason } from '../../core/tracking/review';
import { escapeMarkdown, faceDistances } from './format';
import { ChildNode, markdown, openCommand, thumbnail } from './treeNode';

/** How the tooltip says who decided an image's category. */
const CATEGORY_SOURCE_WORDS: Record<string, string> = {
  prompt: 'from its prompt',
  vision: 'by the vision model',
  local: 'grey pixels',
  user: 'set by you',
};

export class ImageNode implements ChildNode {
  readonly id: string;

  /**
   * The id names the group too: an image that moved to another category is a new row there. With
   * the image alone, VS Code 1.100 could find the moved image's id still registered under its old
   * group while the new group was fetched, failed that fetch ("Element with id … is already
   * registered") and showed the group empty until a root refresh.
   */
  constructor(
    readonly actorId: string,
    public image: ActorImage,
    groupId: string,
  ) {
    this.id = `${groupId}/image/${image.filename}`;
  }

  /** The row and its tooltip show the image's file, entry and state: any change redraws it. */
  adopt(next: ChildNode): ChildNode[] {
    const before = JSON.stringify(this.image);
    this.image = (next as ImageNode).image;
    return JSON.stringify(this.image) === before ? [] : [this];
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

  getChildren(): ChildNode[] {
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
