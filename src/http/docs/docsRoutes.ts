/**
 * GET /docs: the OpenAPI document rendered by Swagger UI (swagger-ui-dist, from node_modules),
 * every file served by this route so that the page works offline and under a strict CSP (no
 * inline script: the page's set-up is /docs/assets/init.js).
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import { NotFoundError } from '../../errors.js';
import type { AppContext, AppState } from '../context.js';
import { openApiPath } from '../openapi/openApiRoute.js';

const assetsPath = '/docs/assets';

/** The swagger-ui-dist files the page loads, and their types; nothing else from that folder is served. */
const distFiles: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const initScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${openApiPath}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const page = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="${assetsPath}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${assetsPath}/favicon-32x32.png">
  <style>body { margin: 0; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${assetsPath}/swagger-ui-bundle.js"></script>
  <script src="${assetsPath}/init.js"></script>
</body>
</html>
`;

// Swagger UI sets styles from script and shows data: images; it needs no eval and no other origin.
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const distDirectory = (): string => path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export const docsRoutes = (options: { title: string }): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  const html = page(options.title);
  // Read on first use and kept: the bundle is 1.7 MB, and most instances never serve the page.
  const cache = new Map<string, Promise<Buffer>>();
  const read = (file: string): Promise<Buffer> => {
    let content = cache.get(file);
    if (!content) {
      content = fs.readFile(path.join(distDirectory(), file));
      content.catch(() => cache.delete(file));
      cache.set(file, content);
    }
    return content;
  };

  router.get('/docs', async function docsPage(ctx) {
    ctx.set('Content-Security-Policy', contentSecurityPolicy);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = html;
  });

  router.get(`${assetsPath}/:file`, async function docsAsset(ctx) {
    const { file } = ctx.params as { file: string };
    if (file === 'init.js') {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = initScript;
      return;
    }
    const type = Object.hasOwn(distFiles, file) ? distFiles[file] : undefined;
    if (!type) throw new NotFoundError(`No docs asset ${file}.`);
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = type;
    ctx.body = await read(file);
  });

  return router;
};
