import { clientView } from './clientView.js';
import type { Projection } from './projection.js';
import { serviceView } from './serviceView.js';
import { sessionView } from './sessionView.js';
import { staffView } from './staffView.js';
import { workspaceView } from './workspaceView.js';

/** Every projection the service maintains, in no particular order (each has its own checkpoint). */
export const allProjections: readonly Projection[] = [
  workspaceView,
  clientView,
  serviceView,
  staffView,
  sessionView,
] as readonly Projection[];
