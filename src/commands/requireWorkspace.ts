import { NotFoundError } from '../errors.js';
import type { CatalogState, WorkspaceFacts } from './catalogState.js';

/** Every workspace-scoped decision starts here: the workspace's facts, or a 404 when it does not exist. */
export const requireWorkspace = (state: CatalogState, workspaceId: string): WorkspaceFacts => {
  const workspace = state.workspaces.get(workspaceId);
  if (workspace === undefined) {
    throw new NotFoundError(`Workspace ${workspaceId} was not found.`, [
      { path: 'workspaceId', message: `workspace ${workspaceId} not found` },
    ]);
  }
  return workspace;
};
