import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

/** The "Actor Studio" output channel, with levels the user can change from the channel's menu. */
export function createLogger(): { logger: Logger; channel: vscode.LogOutputChannel } {
  const channel = vscode.window.createOutputChannel('Actor Studio', { log: true });
  return { logger: channel, channel };
}
