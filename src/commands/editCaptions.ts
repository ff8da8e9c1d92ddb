import * as vscode from 'vscode';
import type { ActorRecord } from '../core/actors/types';
import type { CaptionChange, CaptionEdit, CaptionSubject } from '../core/captions/captionEdits';
import type { CaptionFinding } from '../core/captions/captionLint';
import { CAPTION_SOURCE_LABELS } from '../core/manifest/categories';
import { ActorNode } from '../providers/actorsTree/nodes';
import { CommandContext, requireTrust, resolveActors } from './commandContext';
import { chosenImageTargets, resolveImages, type ImageTarget } from './imageTargets';

/*
 * Edit Caption (one image), Edit Captions (a selection, or whole actors: prepend, append,
 * find/replace, set, with a preview of every change before it is written) and Undo Caption Edit.
 * The work is core/captions; these ask, preview, write and refresh.
 */

export interface EditCaptionOptions {
  /** The new caption: no input box (tests, scripts). */
  text?: string;
}

export interface EditCaptionsOptions {
  /** The edit to make: no operation pick or input boxes. */
  edit?: CaptionEdit;
  /** Write without showing the preview (tests, scripts; the preview is the default). */
  apply?: boolean;
}

export interface CaptionEditResult {
  changes: CaptionChange[];
  /** Captions written (0 when none changed). */
  written: number;
}

/**
 * Actor Studio: Edit Caption. An input box with the image's caption (stored, or seeded from the
 * vision caption, the prompt or the category: its source is shown); the text becomes the
 * user's caption. `executeCommand('actorStudio.editCaption', { actorId, filename }, undefined, { text })`.
 */
export function editCaption(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[], options?: EditCaptionOptions): Promise<CaptionEditResult | undefined> => {
    if (!requireTrust('editing captions')) {
      return undefined;
    }
    const targets = await resolveImages(context, node, nodes);
    const subjects = targets && (await subjectsOf(context, targets.slice(0, 1)));
    if (!subjects || subjects.length === 0) {
      return undefined;
    }
    const { imageCaption } = await import('../core/captions/imageCaption');
    const [subject] = subjects;
    const current = imageCaption(subject.image, subject.descriptor);
    const text =
      options?.text ??
      (await vscode.window.showInputBox({
        title: `Caption of ${subject.image.filename}`,
        value: current.text,
        prompt: `Source: ${CAPTION_SOURCE_LABELS[current.source]}. [trigger] stands for the trigger word chosen at export.`,
        validateInput: (value) => (value.trim() ? undefined : 'A caption cannot be empty'),
      }));
    if (text === undefined) {
      return undefined;
    }
    const result = await write(context, subjects, { kind: 'set', text }, true);
    if (result && result.written > 0) {
      await reportLint(context, subjects[0].actorId, subject.image.filename);
    }
    return result;
  };
}

/**
 * Actor Studio: Edit Captions. Applies one edit to the selected images (tree selection, or
 * `{ actorId, filename }` targets from a panel) or to every image of the chosen actors, after a
 * preview listing each caption's change. Resolves to what was written, or undefined when cancelled.
 */
export function editCaptions(context: CommandContext) {
  return async (node?: unknown, nodes?: unknown[], options?: EditCaptionsOptions): Promise<CaptionEditResult | undefined> => {
    if (!requireTrust('editing captions')) {
      return undefined;
    }
    const subjects = await selectedSubjects(context, node, nodes);
    if (!subjects || subjects.length === 0) {
      return undefined;
    }
    const edit = options?.edit ?? (await askForEdit(subjects.length));
    return edit ? write(context, subjects, edit, options?.apply ?? false) : undefined;
  };
}

/** Actor Studio: Undo Caption Edit. Takes back the newest caption edit (refused if a caption changed since). */
export function undoCaptionEditCommand(context: CommandContext) {
  return async () => {
    const dataRoot = context.workspace.dataRoot;
    if (!requireTrust('undoing caption edits') || !dataRoot) {
      return undefined;
    }
    const { undoCaptionEdit } = await import('../core/captions/captionStore');
    const undone = await undoCaptionEdit(dataRoot);
    if (!undone) {
      void vscode.window.showInformationMessage('Actor Studio: there is no caption edit to undo.');
      return undefined;
    }
    await context.tree.refresh(new Set(undone.record.changes.map((change) => change.actor_id)));
    const gone = undone.gone.length > 0 ? ` (${undone.gone.length} no longer in their manifest)` : '';
    vscode.window.setStatusBarMessage(`$(discard) Actor Studio: undid ${undone.record.description}: ${undone.restored} caption(s) restored${gone}`, 5000);
    return undone;
  };
}

/** The images chosen: tree images or ImageTargets; else actor nodes, or an actor picked, with all their images. */
async function selectedSubjects(context: CommandContext, node: unknown, nodes: readonly unknown[] | undefined): Promise<CaptionSubject[] | undefined> {
  const targets = chosenImageTargets(node, nodes);
  if (targets.length > 0) {
    return subjectsOf(context, targets);
  }
  const actorNodes = (nodes && nodes.length > 0 ? nodes : node ? [node] : []).filter((each): each is ActorNode => each instanceof ActorNode);
  const actors = await resolveActors(context, actorNodes[0], actorNodes);
  if (!actors) {
    return undefined;
  }
  const { captionSubjects } = await import('../core/captions/captionEdits');
  return fresh(
    context,
    actors.map((actor) => actor.id),
  ).then((records) => records.flatMap((actor) => captionSubjects(actor)));
}

async function subjectsOf(context: CommandContext, targets: readonly ImageTarget[]): Promise<CaptionSubject[]> {
  const { captionSubjects } = await import('../core/captions/captionEdits');
  const byActor = new Map<string, string[]>();
  for (const target of targets) {
    byActor.set(target.actorId, [...(byActor.get(target.actorId) ?? []), target.filename]);
  }
  const actors = await fresh(context, [...byActor.keys()]);
  return actors.flatMap((actor) => captionSubjects(actor, [...new Set(byActor.get(actor.id))]));
}

/** The actors as they are on disk now (a preview must start from what is stored). */
async function fresh(context: CommandContext, actorIds: readonly string[]): Promise<ActorRecord[]> {
  const index = await context.workspace.actors();
  if (!index) {
    return [];
  }
  actorIds.forEach((id) => index.invalidate(id));
  return actorIds.map((id) => index.actor(id));
}

type EditKind = CaptionEdit['kind'];

async function askForEdit(count: number): Promise<CaptionEdit | undefined> {
  const items: Array<vscode.QuickPickItem & { edit: EditKind; regex?: boolean }> = [
    { label: 'Prepend', description: 'add text at the start', edit: 'prepend' },
    { label: 'Append', description: 'add text at the end', edit: 'append' },
    { label: 'Find and Replace', description: 'plain text, every occurrence', edit: 'replace' },
    { label: 'Find and Replace (Regex)', description: 'a JavaScript regular expression; $1 in the replacement', edit: 'replace', regex: true },
    { label: 'Set', description: 'the same caption for all', edit: 'set' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `Edit ${count} caption${count === 1 ? '' : 's'}`, placeHolder: 'Choose an edit' });
  if (!picked) {
    return undefined;
  }
  const ask = (prompt: string, allowEmpty = false) =>
    vscode.window.showInputBox({
      title: `${picked.label}: ${count} caption${count === 1 ? '' : 's'}`,
      prompt,
      validateInput: (value) => (allowEmpty || value.trim() ? undefined : 'Type some text'),
    });
  if (picked.edit === 'replace') {
    const find = await ask(picked.regex ? 'Find (regular expression)' : 'Find');
    const replacement = find === undefined ? undefined : await ask('Replace with (empty removes it)', true);
    return find === undefined || replacement === undefined ? undefined : { kind: 'replace', find, with: replacement, regex: picked.regex ?? false };
  }
  const text = await ask(picked.edit === 'set' ? 'The caption ([trigger] stands for the trigger word)' : `Text to ${picked.edit}`);
  return text === undefined ? undefined : { kind: picked.edit, text };
}

async function write(context: CommandContext, subjects: CaptionSubject[], edit: CaptionEdit, skipPreview: boolean): Promise<CaptionEditResult | undefined> {
  const dataRoot = context.workspace.dataRoot;
  if (!dataRoot) {
    return undefined;
  }
  const { previewCaptionEdit, describeCaptionEdit } = await import('../core/captions/captionEdits');
  const { applyCaptionChanges } = await import('../core/captions/captionStore');
  const changes = previewCaptionEdit(subjects, edit);
  const changed = changes.filter((change) => change.changed);
  if (changed.length === 0) {
    vscode.window.setStatusBarMessage(`Actor Studio: ${describeCaptionEdit(edit)} changes no caption`, 4000);
    return { changes, written: 0 };
  }
  if (!skipPreview && !(await confirmPreview(describeCaptionEdit(edit), changes))) {
    return undefined;
  }
  const applied = await applyCaptionChanges(dataRoot, changes, describeCaptionEdit(edit));
  await context.tree.refresh(new Set(changed.map((change) => change.actorId)));
  vscode.window.setStatusBarMessage(`$(edit) Actor Studio: ${describeCaptionEdit(edit)}: ${applied.written} caption(s) changed`, 5000);
  return { changes, written: applied.written };
}

/** A quick pick listing every change (what went, what came); Apply writes them, Escape cancels. */
async function confirmPreview(description: string, changes: readonly CaptionChange[]): Promise<boolean> {
  const { changeSnippet } = await import('../core/captions/captionEdits');
  const changed = changes.filter((change) => change.changed);
  const apply: vscode.QuickPickItem = { label: `$(check) Apply to ${changed.length} caption${changed.length === 1 ? '' : 's'}`, alwaysShow: true };
  const unchanged = changes.length - changed.length;
  const items: vscode.QuickPickItem[] = [
    apply,
    { label: `${changed.length} changed${unchanged ? `, ${unchanged} unchanged` : ''}`, kind: vscode.QuickPickItemKind.Separator },
    ...changed.map((change) => ({
      label: change.filename,
      description: `${change.actorId} · was ${change.before.source}`,
      detail: changeSnippet(change.before.text, change.after),
    })),
  ];
  const pick = vscode.window.createQuickPick();
  pick.title = `Preview: ${description}`;
  pick.placeholder = 'Check every change, then Apply (Escape cancels)';
  pick.items = items;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  return new Promise<boolean>((resolve) => {
    pick.onDidAccept(() => {
      if (pick.selectedItems[0] === apply) {
        resolve(true);
        pick.hide();
      }
    });
    pick.onDidHide(() => {
      resolve(false);
      pick.dispose();
    });
    pick.show();
  });
}

/** After one caption's edit: its lint findings in the status bar, or a warning when there are any. */
async function reportLint(context: CommandContext, actorId: string, filename: string): Promise<void> {
  const { actorCaptionReport } = await import('../core/captions/captionLint');
  const [actor] = await fresh(context, [actorId]);
  const findings: CaptionFinding[] = actor ? (actorCaptionReport(actor).find((image) => image.filename === filename)?.findings ?? []) : [];
  const worth = findings.filter((finding) => finding.severity !== 'info');
  if (worth.length === 0) {
    vscode.window.setStatusBarMessage(`$(check) Actor Studio: caption of ${filename} saved`, 4000);
  } else {
    void vscode.window.showWarningMessage(`Actor Studio: caption of ${filename} saved; ${worth.map((finding) => finding.message).join('; ')}`);
  }
}
