import type * as vscode from 'vscode';
import type { Analytics } from '../../core/analytics/types';

/** The numbers of one computation, with the files that could not be read. */
export interface AnalyticsLoad {
  analytics: Analytics;
  actorIds: string[];
  /** `file:line:column: message`, one per unreadable file. */
  warnings: string[];
}

/**
 * What the Analytics panel needs from the extension; the composition root implements it over the
 * workspace (see StudioAnalyticsModel). The panel never reads files itself.
 */
export interface AnalyticsModel {
  /**
   * Computes every tab's numbers for one actor or all (null). Rejects with a message for people
   * when there is no data folder or the generation log is invalid.
   */
  load(actorId: string | null): Promise<AnalyticsLoad>;
  /** Fires when the generation log, a manifest, a plan or the prompt library changed. */
  readonly onDidChange: vscode.Event<void>;
}
