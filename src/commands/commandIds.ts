/** Every command id, typed; package.json declares the same ids (a unit test checks they agree). */
export const CommandIds = {
  refresh: 'actorStudio.refresh',
  openManifest: 'actorStudio.openManifest',
  revealInExplorer: 'actorStudio.revealInExplorer',
  createSampleWorkspace: 'actorStudio.createSampleWorkspace',
  openGenerator: 'actorStudio.openGenerator',
  setApiKey: 'actorStudio.setApiKey',
  retryPendingUploads: 'actorStudio.retryPendingUploads',
  evaluateActor: 'actorStudio.evaluateActor',
  planActor: 'actorStudio.planActor',
  planAllActors: 'actorStudio.planAllActors',
  openPlanReview: 'actorStudio.openPlanReview',
  executePlan: 'actorStudio.executePlan',
  executeAllPlans: 'actorStudio.executeAllPlans',
  undoLastExecution: 'actorStudio.undoLastExecution',
  showLog: 'actorStudio.showLog',
  reconcileData: 'actorStudio.reconcileData',
  importLegacyData: 'actorStudio.importLegacyData',
  exportDataset: 'actorStudio.exportDataset',
  exportPromptData: 'actorStudio.exportPromptData',
  openAnalytics: 'actorStudio.openAnalytics',
  rateImage: 'actorStudio.rateImage',
  openImageViewer: 'actorStudio.openImageViewer',
  deleteImage: 'actorStudio.deleteImage',
  keepImage: 'actorStudio.keepImage',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
