import * as vscode from 'vscode';

/** Actors are folders, but their badges must show only in our tree, so they get a scheme of their own. */
export const ACTOR_URI_SCHEME = 'actor-studio-actor';

export function actorUri(actorId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: ACTOR_URI_SCHEME, path: `/${actorId}` });
}
