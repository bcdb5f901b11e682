/**
 * GET /docs in a real browser: Debian's headless Chromium driven by playwright-core. The page
 * must render every operation of the OpenAPI document from what the service itself serves (any
 * request to another origin is refused and fails the test), without a console error (a CSP
 * violation shows as one). The screenshots go to artifacts/ (docs.png, docs-create-session.png), kept by CI.
 * Without /usr/bin/chromium (`apt-get install -y chromium`) the test is skipped, except in CI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext } from 'playwright-core';
import { request } from '../support/http.js';
import { document as openApi } from '../support/openapi.js';
import { Resources } from '../support/resources.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const chromiumPath = '/usr/bin/chromium';
const screenshot = new URL('../../artifacts/docs.png', import.meta.url);
const openedScreenshot = new URL('../../artifacts/docs-create-session.png', import.meta.url);
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const documentedOperations = (): string[] =>
  Object.entries(openApi.paths)
    .flatMap(([p, item]) => ['get', 'put', 'post', 'delete', 'patch'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();

describe('the docs page (GET /docs) in headless Chromium', function () {
  // A browser start and a 1.7 MB bundle on a loaded 2-core machine.
  this.timeout(120_000);
  const opened = new Resources();
  let app: TestApp;
  let context: BrowserContext;

  before(async function () {
    if (!fs.existsSync(chromiumPath)) {
      if (process.env.CI) throw new Error(`${chromiumPath} is missing: .ci/run installs Debian's chromium package`);
      console.log(`      skipped: ${chromiumPath} is missing (apt-get install -y chromium)`);
      this.skip();
    }
    app = opened.add(await startTestApp({ env: { METRICS_TOKEN: 'docs-test-metrics-token-0123456789abcdefgh' } }), (a) => a.destroy());
    const profile = opened.add(fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-chromium-')), (dir) => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    context = opened.add(
      await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: flags }),
      (c) => c.close(),
    );
  });

  after(() => opened.close());

  it('is an HTML page with a strict Content-Security-Policy, its assets served by the service', async () => {
    const page = await request(app.url, 'GET', '/docs');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
    expect(page.text).to.not.match(/https?:\/\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js', 'favicon-32x32.png']) {
      const reply = await request(app.url, 'GET', `/docs/assets/${asset}`);
      expect(reply.status, asset).to.equal(200);
    }
    expect((await request(app.url, 'GET', '/docs/assets/package.json')).status).to.equal(404);
    expect((await request(app.url, 'GET', '/docs/assets/..%2Fpackage.json')).status).to.equal(404);
  });

  it('renders every operation of the document, offline, without console errors, and saves a screenshot', async () => {
    const page = await context!.newPage();
    const origin = new URL(app.url).origin;
    const outside: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app.url}/docs`);
    const expected = documentedOperations();
    await page
      .locator('.opblock')
      .nth(expected.length - 1)
      .waitFor({ timeout: 60_000 });

    const rendered = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.toUpperCase()} ${path}`;
      }),
    );
    expect([...rendered].sort()).to.deep.equal(expected);
    expect(await page.textContent('.info .title')).to.include('Sessions service');

    fs.mkdirSync(new URL('.', screenshot), { recursive: true });
    await page.screenshot({ path: screenshot.pathname, fullPage: true });
    expect(fs.statSync(screenshot).size).to.be.greaterThan(10_000);

    // The seed's operation, opened: its permission, and the documented example request.
    const create = page.locator('#operations-Sessions-createSession');
    await create.locator('.opblock-summary').click();
    await create.locator('.opblock-body').waitFor();
    const opened = (await create.textContent()) ?? '';
    expect(opened).to.include('sessions.create');
    expect(opened).to.include('Consultation Session');
    expect(opened).to.include('Idempotency-Key');

    await create.scrollIntoViewIfNeeded();
    await page.screenshot({ path: openedScreenshot.pathname });
    expect(outside, 'requests outside the service').to.deep.equal([]);
    expect(errors, 'console errors').to.deep.equal([]);
  });
});
