import Router from '@koa/router';
import type { AppContext, AppState } from '../context.js';

export const openApiPath = '/openapi.json';

/** GET /openapi.json, without a token: the document is serialized once. */
export const openApiRoutes = (document: object): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  const body = JSON.stringify(document);
  router.get(openApiPath, async function openApiDocument(ctx) {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = body;
  });
  return router;
};
