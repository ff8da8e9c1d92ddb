import * as vscode from 'vscode';
import type { BalanceReport } from '../core/app/balance';
import { formatCost } from '../core/plan/cost';
import type { StudioNode } from '../providers/actorsTree/nodes';
import { CommandContext, requireTrust, resolveActors } from './commandContext';
import { withCancellableProgress } from './progress';

/**
 * Balance Actor's and Balance All Actors' programmatic API (scripts, tests):
 * `executeCommand('actorStudio.balanceActor', actorIdOrNode, undefined, { budgetUsd: 1, confirm: false })`.
 */
export interface BalanceCommandOptions {
  /** The most to spend on paid requests in USD; absent: asked (empty means no limit). */
  budgetUsd?: number | null;
  /** `false` skips the budget box and the confirmation. */
  confirm?: boolean;
}

export function balanceActor(context: CommandContext) {
  return async (node?: StudioNode | string, nodes?: StudioNode[], options: BalanceCommandOptions = {}): Promise<BalanceReport | undefined> => {
    if (!requireTrust('balancing actors')) {
      return undefined;
    }
    const actors = typeof node === 'string' ? [node] : (await resolveActors(context, node, nodes))?.map((actor) => actor.id);
    return actors && actors.length > 0 ? runBalance(context, actors, options, actors.length === 1 ? actors[0]! : `${actors.length} actors`) : undefined;
  };
}

export function balanceAllActors(context: CommandContext) {
  return async (options: BalanceCommandOptions = {}): Promise<BalanceReport | undefined> => {
    if (!requireTrust('balancing actors')) {
      return undefined;
    }
    const index = await context.workspace.index();
    const actorIds = (index?.actors ?? []).filter((actor) => actor.manifestState !== 'invalid').map((actor) => actor.id);
    if (actorIds.length === 0) {
      void vscode.window.showInformationMessage('Actor Studio: there are no actors to balance.');
      return undefined;
    }
    return runBalance(context, actorIds, options, 'all actors');
  };
}

async function runBalance(context: CommandContext, actorIds: string[], options: BalanceCommandOptions, label: string): Promise<BalanceReport | undefined> {
  if (context.execution.activeRun) {
    void vscode.window.showWarningMessage(`Actor Studio: wait for the running execution (${context.execution.activeRun}) or cancel it first.`);
    return undefined;
  }
  const setup = (await context.workspace.services()).setup();
  const rounds = context.workspace.settings.balance.maxRounds;
  let budgetUsd = options.budgetUsd ?? undefined;
  if (options.confirm !== false) {
    const paid = setup.generator.provider === 'replicate';
    if (paid && options.budgetUsd === undefined) {
      const answer = await vscode.window.showInputBox({
        title: `Balance ${label}`,
        prompt: `The most to spend on ${setup.generator.model}, in USD (empty: no limit). It is checked before every request and never exceeded.`,
        placeHolder: 'e.g. 2.00',
        validateInput: (text) => (text.trim() === '' || (Number.isFinite(Number(text)) && Number(text) >= 0) ? undefined : 'an amount of at least 0, or empty'),
      });
      if (answer === undefined) {
        return undefined;
      }
      budgetUsd = answer.trim() === '' ? undefined : Number(answer);
    }
    const spend = paid
      ? budgetUsd === undefined
        ? 'with no spending limit'
        : `spending at most ${formatCost(budgetUsd)}`
      : 'with the offline generator (free)';
    const go = 'Balance';
    const choice = await vscode.window.showWarningMessage(
      `Balance ${label}?`,
      {
        modal: true,
        detail: `Up to ${rounds} round(s): run the plans (images to the trash, undoable; new images from ${setup.generator.model}), evaluate what arrived, and regenerate only what failed with other prompts, ${spend}.`,
      },
      go,
    );
    if (choice !== go) {
      return undefined;
    }
  }
  const report = await withCancellableProgress(`Actor Studio: balancing ${label}`, (signal, progress) =>
    context.execution.balance(actorIds, { budgetUsd, signal, onProgress: progress }),
  );
  const reached = report.actors.filter((actor) => actor.reached).length;
  const message = `Actor Studio: balanced ${label} in ${report.rounds} round(s) (${report.stoppedBy.replace('_', ' ')}): ${reached} of ${report.actors.length} at target; spent ${formatCost(report.spentUsd)}.`;
  context.logger.info(message);
  if (reached === report.actors.length) {
    void vscode.window.showInformationMessage(message);
  } else {
    void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => choice && context.showLog());
  }
  return report;
}
