/** The service's own endpoints: probes, metrics, this document and its docs page. */
import { headerRef, jsonResponse, operation, pathParameter, responseRef } from '../operation.js';
import { ref } from '../schemas.js';

const tags = ['Operations'];
const requestIdHeader = { 'X-Request-Id': headerRef('X-Request-Id') };
const raw = (description: string, types: string[]) => ({
  description,
  headers: requestIdHeader,
  content: Object.fromEntries(types.map((type) => [type, { schema: { type: 'string' } }])),
});

export const servicePaths = {
  '/healthz': {
    get: operation({
      operationId: 'health',
      summary: 'Liveness probe',
      description: 'Whether the process serves and its stores answer; per-store details.',
      tags,
      access: 'public',
      responses: {
        200: jsonResponse('Serving, every store answers.', ref('Health')),
        503: jsonResponse('A store does not answer.', ref('Health')),
      },
    }),
  },
  '/readyz': {
    get: operation({
      operationId: 'readiness',
      summary: 'Readiness probe',
      description: 'Ready when every store answers and no projection is more than READY_MAX_PROJECTION_LAG events behind the log.',
      tags,
      access: 'public',
      responses: {
        200: jsonResponse('Ready to take traffic.', ref('Readiness')),
        503: jsonResponse('Not ready: `reasons` says why.', ref('Readiness')),
      },
    }),
  },
  '/metrics': {
    get: {
      ...operation({
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        description:
          'The Prometheus text format. Served here only when METRICS_TOKEN is set, and then only with that token; ' +
          "with METRICS_PORT set it is (also) served without a token on that port, meant for the scraper's network only.",
        tags,
        access: 'public',
        responses: {
          200: raw('The metrics.', ['text/plain']),
          401: responseRef('Unauthorized'),
          404: {
            ...(responseRef('NotFound') as object),
            description: 'Not served on this port: no METRICS_TOKEN is set (with a JWT; a 401 without one).',
          },
        },
      }),
      security: [{ metricsToken: [] }],
    },
  },
  '/openapi.json': {
    get: operation({
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tags,
      access: 'public',
      responses: {
        200: jsonResponse('The document.', {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } },
        }),
      },
    }),
  },
  '/docs': {
    get: operation({
      operationId: 'docsPage',
      summary: 'API reference page',
      description: 'This document rendered by Swagger UI, served by the service itself (works offline).',
      tags,
      access: 'public',
      responses: { 200: raw('The page.', ['text/html']) },
    }),
  },
  '/docs/assets/{file}': {
    get: operation({
      operationId: 'docsAsset',
      summary: 'A file of the API reference page',
      tags,
      access: 'public',
      parameters: [pathParameter('file', 'One of the files the page loads.')],
      responses: { 200: raw('The file.', ['text/javascript', 'text/css', 'image/png']) },
      errors: [404],
    }),
  },
};
