// Reconcile's public surface: what the CLI and the editor use.
export { findActorDrift, reconcileActors, type ReconcileResult, type SkippedActor } from './reconcile';
export { fixDrift, type FixRequest } from './fix';
export * from './types';
