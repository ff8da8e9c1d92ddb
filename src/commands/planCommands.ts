import * as vscode from 'vscode';
import { CommandContext, NodeCommandHandler, requireTrust, resolveActors } from './commandContext';
import { withCancellableProgress } from './progress';

/** Evaluate Actor: local checks of the chosen actors' images; results in the manifest and the tree. */
export function evaluateActors(context: CommandContext): NodeCommandHandler {
  return async (node, nodes) => {
    if (!requireTrust('evaluating images')) {
      return;
    }
    const actors = await resolveActors(context, node, nodes);
    if (!actors) {
      return;
    }
    const results = await withCancellableProgress('Actor Studio: evaluating', (signal, report) =>
      context.planning.evaluate(
        actors.map((actor) => actor.id),
        signal,
        report,
      ),
    );
    const flagged = results.reduce((sum, result) => sum + result.evaluations.filter((evaluation) => evaluation.issues.length > 0).length, 0);
    const images = results.reduce((sum, result) => sum + result.evaluations.length, 0);
    const paid = results.filter((result) => result.usage);
    const cost = paid.reduce((sum, result) => sum + (result.usage?.estimatedCostUsd ?? 0), 0);
    const spend = paid.length > 0 ? ` The vision model cost about $${cost.toFixed(4)} (see the Actor Studio log).` : '';
    void vscode.window.showInformationMessage(`Actor Studio: ${images} image(s) evaluated, ${flagged} with issues.${spend}`);
  };
}

/** Plan Actor: evaluates and writes the chosen actors' plans; the tree shows `-2 +5`. */
export function planActors(context: CommandContext): NodeCommandHandler {
  return async (node, nodes) => {
    if (!requireTrust('planning')) {
      return;
    }
    const actors = await resolveActors(context, node, nodes);
    if (!actors) {
      return;
    }
    const planned = await withCancellableProgress('Actor Studio: planning', (signal, report) =>
      context.planning.plan(
        actors.map((actor) => actor.id),
        { signal, onProgress: report },
      ),
    );
    const [only] = planned;
    const message =
      planned.length === 1 && only
        ? `Actor Studio: plan for ${only.plan.actorId}: delete ${only.plan.deletions.length}, generate ${only.plan.generations.length}.`
        : `Actor Studio: ${planned.length} plan(s) written.`;
    void vscode.window.showInformationMessage(message);
  };
}

/** Plan All Actors: resumable (progress.json), with progress and Cancel. */
export function planAllActors(context: CommandContext) {
  return async (): Promise<void> => {
    if (!requireTrust('planning')) {
      return;
    }
    const index = await context.workspace.index();
    const ids = (index?.actors ?? []).filter((actor) => actor.manifestState !== 'invalid').map((actor) => actor.id);
    if (ids.length === 0) {
      void vscode.window.showInformationMessage('Actor Studio: there are no actors to plan.');
      return;
    }
    const planned = await withCancellableProgress('Actor Studio: planning all actors', (signal, report) =>
      context.planning.plan(ids, { all: true, signal, onProgress: report }),
    );
    void vscode.window.showInformationMessage(`Actor Studio: ${planned.length} plan(s) written (data/action_plans/summary.json).`);
  };
}
