/**
 * The OpenAPI 3.1 document of every route, served at GET /openapi.json and rendered at /docs.
 * To document a route: add an `operation({...})` under its path in the feature's file in
 * ./paths/ (a new feature: a new file, listed below). The HTTP test suite validates every
 * response it receives against this document, and fails on a route or status it does not list.
 */
import { components } from './operation.js';
import { auditPaths } from './paths/audit.js';
import { catalogPathsAll } from './paths/catalog.js';
import { servicePaths } from './paths/service.js';
import { sessionPaths } from './paths/sessions.js';
import { workspacePaths } from './paths/workspaces.js';
import { schemas } from './schemas.js';

type PathItems = Record<string, Record<string, unknown>>;

const features: PathItems[] = [workspacePaths, catalogPathsAll, sessionPaths, auditPaths, servicePaths];

const mergePaths = (parts: readonly PathItems[]): PathItems => {
  const paths: PathItems = {};
  for (const part of parts) {
    for (const [path, item] of Object.entries(part)) {
      for (const method of Object.keys(item)) {
        if (paths[path]?.[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is documented twice`);
      }
      paths[path] = { ...paths[path], ...item };
    }
  }
  return paths;
};

export const openApiDocument = (version: string) => ({
  openapi: '3.1.0',
  info: {
    title: 'Sessions service',
    version,
    summary: 'Event-sourced bookings (sessions) of a practice-management product.',
    description: [
      'Workspaces book **sessions**: appointments made of one or more services, for a client, optionally with a staff member. Every change is an event in an append-only log; what the API returns are read models projected from it.',
      '**Errors** are `application/problem+json` (RFC 9457) with `errors: [{ path, message }]` listing every failing field; a rejected request appends nothing. An unknown path is a 404 problem (a 401 first without a token), a method a path does not have a 405 problem.',
      '**Request ids**: every response carries `X-Request-Id`; the same id is in problem bodies and on the events a request appends.',
    ].join('\n\n'),
  },
  tags: [
    { name: 'Workspaces' },
    { name: 'Clients' },
    { name: 'Services' },
    { name: 'Staff' },
    { name: 'Sessions' },
    { name: 'Audit', description: 'Read straight from the event log.' },
    { name: 'Operations', description: 'Probes, metrics and this document.' },
  ],
  security: [{ bearerAuth: [] }],
  paths: mergePaths(features),
  components: { schemas, ...components },
});
