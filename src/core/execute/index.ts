// The executor's public surface: what the CLI and the editor use.
export { dryRunPlans, NEXT_RUN_PLACEHOLDER, type DryRunRequest } from './dryRun';
export { executePlans } from './executor';
export { listRuns } from './journal';
export { undoRun } from './undo';
export * from './types';
export { emptyTrash, listTrash, parseAge, type EmptyTrashOutcome, type TrashRun } from './emptyTrash';
