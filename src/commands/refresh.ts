import type { CommandContext } from './commandContext';

/** Re-reads the whole data folder (the watcher normally keeps the tree current by itself). */
export function refresh(context: CommandContext) {
  return async (): Promise<void> => {
    await context.tree.refresh();
  };
}
