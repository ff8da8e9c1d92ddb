import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a message tells the user to run, named in the front end that shows it: the editor's
 * command, or the CLI's command line. The CLI runs each command inside `withCliActionNames`;
 * everything else (the editor) gets the editor's names. Async context rather than a flag, so
 * tests that run both front ends in one process never see the other's names.
 */
const ACTIONS = {
  plan: { editor: 'Plan Actor', cli: '`actor-studio plan --actor-id ID`' },
  reconcile: { editor: 'Reconcile Data', cli: '`actor-studio reconcile --fix`' },
  problems: { editor: 'the Problems panel', cli: '`actor-studio actors`' },
  evaluate: { editor: 'Evaluate Actor', cli: '`actor-studio evaluate --actor-id ID`' },
} as const;

export type StudioAction = keyof typeof ACTIONS;

const frontEnd = new AsyncLocalStorage<'cli'>();

/** Runs a CLI command: the messages core builds meanwhile name CLI commands. */
export function withCliActionNames<T>(work: () => Promise<T>): Promise<T> {
  return frontEnd.run('cli', work);
}

/** The name of an action as the front end running the current work offers it. */
export function actionName(action: StudioAction): string {
  return ACTIONS[action][frontEnd.getStore() ?? 'editor'];
}
