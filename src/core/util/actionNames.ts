/**
 * What a message tells the user to run, named in the front end that shows it: the editor's
 * command, or the CLI's command line. Each front end is its own process, so the CLI says which
 * it is around each command (`useCliActionNames`); the editor's names are the default.
 */
const ACTIONS = {
  plan: { editor: 'Plan Actor', cli: '`actor-studio plan --actor-id ID`' },
  reconcile: { editor: 'Reconcile Data', cli: '`actor-studio reconcile --fix`' },
  problems: { editor: 'the Problems panel', cli: '`actor-studio actors`' },
} as const;

export type StudioAction = keyof typeof ACTIONS;

let frontEnd: 'editor' | 'cli' = 'editor';

/** Called by the CLI around a command; returns the undo (tests run the CLI and core in one process). */
export function useCliActionNames(): () => void {
  const before = frontEnd;
  frontEnd = 'cli';
  return () => {
    frontEnd = before;
  };
}

/** The name of an action as the current front end offers it. */
export function actionName(action: StudioAction): string {
  return ACTIONS[action][frontEnd];
}
