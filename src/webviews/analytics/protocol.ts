// The Analytics panel's messages, shared by the host (analyticsPanel.ts) and the UI (ui/main.ts).
// No `vscode` import and no DOM types: both bundles compile this file.
import type { Analytics } from '../../core/analytics/types';
import type { BaseUiMessage, ReplyMessage } from '../webviewProtocol';

export const PANEL_VIEW_TYPE = 'actorStudio.analytics';

/** The panel's tabs, in order. */
export const ANALYTICS_TABS = ['usage', 'quality', 'failures', 'balance', 'spend', 'patterns'] as const;
export type AnalyticsTab = (typeof ANALYTICS_TABS)[number];

// ---- host -> UI

export interface StateMessage {
  type: 'state';
  /** The actor the numbers are for; null for all actors. */
  actorId: string | null;
  /** Every actor, for the scope picker. */
  actorIds: string[];
  /** Absent when the numbers could not be computed (see `problem`). */
  analytics?: Analytics;
  /** Why there are no numbers: no data folder, or a generation log that is not valid (names the file). */
  problem?: string;
  /** Files that could not be read, one line each (`file:line:column: message`); their numbers are missing. */
  warnings: string[];
  /** ISO timestamp of the computation. */
  computedAt: string;
}

export type AnalyticsHostMessage = StateMessage | ReplyMessage;

// ---- UI -> host

export type AnalyticsRequests = {
  /** Reads the data folder again and sends a new state; resolves after it was posted. */
  refresh: { params: null; result: null };
  /** Shows the numbers of one actor (null: all actors). */
  setScope: { params: { actorId: string | null }; result: null };
};

export type AnalyticsUiMessage = BaseUiMessage<AnalyticsRequests>;

/** What the page keeps across reloads (vscode.setState). */
export interface AnalyticsUiState {
  actorId?: string | null;
  tab?: AnalyticsTab;
}
