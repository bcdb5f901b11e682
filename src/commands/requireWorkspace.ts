import { NotFoundError } from '../errors.js';
import type { CatalogState } from './catalogState.js';

/** Every workspace-scoped decision starts here: 404 when the workspace does not exist. */
export const requireWorkspace = (state: CatalogState, workspaceId: string): void => {
  if (!state.workspaces.has(workspaceId)) {
    throw new NotFoundError(`Workspace ${workspaceId} was not found.`, [
      { path: 'workspaceId', message: `workspace ${workspaceId} not found` },
    ]);
  }
};
