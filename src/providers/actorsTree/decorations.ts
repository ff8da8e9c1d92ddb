import * as vscode from 'vscode';
import type { ReconcileReport } from '../../core/reconcile/types';
import type { DataIndex } from '../../core/actors/types';
import { needsReview, reviewReason } from '../../core/tracking/review';
import { actorUri } from './uris';

/** The badge of an image that needs a person's review (a face the checks could not score). */
export const REVIEW_BADGE = 'R';

/** The badge of an actor with drift. An item has one badge: errors ('!') win over drift, drift over warning counts. */
export const DRIFT_BADGE = '≠';

/**
 * Badges for the Actors tree: problems and drift on actors (their own URI scheme, so only our
 * tree shows them) and untracked, missing or needs-review state on image files. Drift comes from the last
 * Reconcile Data of each actor, never from indexing (reconciling hashes every file).
 */
export class ActorsDecorationProvider implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private decorations = new Map<string, vscode.FileDecoration>();
  private lastIndex?: DataIndex;
  /** Drift findings per actor, from the last reconcile that covered it (absent: none, or not reconciled). */
  private readonly drift = new Map<string, number>();

  update(index: DataIndex): void {
    this.lastIndex = index;
    const next = new Map<string, vscode.FileDecoration>();
    for (const actor of index.actors) {
      const errors = actor.problems.filter((problem) => problem.severity === 'error').length;
      const warnings = actor.problems.filter((problem) => problem.severity === 'warning').length;
      const decoration = actorDecoration(errors, warnings, this.drift.get(actor.id) ?? 0);
      if (decoration) {
        next.set(actorUri(actor.id).toString(), decoration);
      }
      for (const image of actor.images) {
        if (image.missing) {
          next.set(
            vscode.Uri.file(image.path).toString(),
            new vscode.FileDecoration('!', 'In the manifest but missing on disk', new vscode.ThemeColor('list.warningForeground')),
          );
        } else if (!image.tracked) {
          next.set(
            vscode.Uri.file(image.path).toString(),
            new vscode.FileDecoration('?', 'Untracked: not in the manifest', new vscode.ThemeColor('descriptionForeground')),
          );
        } else if (needsReview(image.entry)) {
          next.set(
            vscode.Uri.file(image.path).toString(),
            new vscode.FileDecoration(REVIEW_BADGE, `Needs review: ${reviewReason(image.entry)}`, new vscode.ThemeColor('list.warningForeground')),
          );
        }
      }
    }
    const touched = new Set([...this.decorations.keys(), ...next.keys()]);
    const changedUris = [...touched].filter((key) => !sameDecoration(this.decorations.get(key), next.get(key))).map((key) => vscode.Uri.parse(key));
    this.decorations = next;
    if (changedUris.length > 0) {
      this.changed.fire(changedUris);
    }
  }

  /** Badges the reconciled actors with findings and clears those it found clean. */
  showDrift(report: ReconcileReport): void {
    for (const actor of report.actors) {
      if (actor.findings.length > 0) {
        this.drift.set(actor.actorId, actor.findings.length);
      } else {
        this.drift.delete(actor.actorId);
      }
    }
    if (this.lastIndex) {
      this.update(this.lastIndex);
    }
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return this.decorations.get(uri.toString());
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function actorDecoration(errors: number, warnings: number, drift: number): vscode.FileDecoration | undefined {
  const parts = [
    errors > 0 ? `${errors} error(s)` : undefined,
    warnings > 0 ? `${warnings} warning(s)` : undefined,
    drift > 0 ? `${drift} drift finding(s) (Reconcile Data)` : undefined,
  ].filter(Boolean);
  if (parts.length === 0) {
    return undefined;
  }
  const badge = errors > 0 ? '!' : drift > 0 ? DRIFT_BADGE : String(Math.min(warnings, 99));
  return new vscode.FileDecoration(badge, parts.join(', '), new vscode.ThemeColor(errors > 0 ? 'list.errorForeground' : 'list.warningForeground'));
}

function sameDecoration(a: vscode.FileDecoration | undefined, b: vscode.FileDecoration | undefined): boolean {
  return a?.badge === b?.badge && a?.tooltip === b?.tooltip;
}
