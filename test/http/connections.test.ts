/**
 * Finding 3: slow clients (headers a byte at a time, no token) must be cut in seconds, not held
 * for a minute, and the number of open connections stays below the open-file limit.
 */
import net from 'node:net';
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { request } from '../support/http.js';
import { startTestApp, testEnv, type TestApp } from '../support/testApp.js';

interface SlowClient {
  /** Everything the server sent before it closed the socket. */
  closed: Promise<string>;
  stop(): void;
}

/** Sends a request line and then one header byte every `everyMs`, never finishing the headers. */
const slowClient = (url: string, everyMs: number): SlowClient => {
  const target = new URL(url);
  const socket = net.connect(Number(target.port), target.hostname);
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    timer = setInterval(() => socket.write('a'), everyMs);
  });
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  return { closed, stop: () => socket.destroy() };
};

describe('slow clients and the connection cap (finding 3)', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '3000', MAX_CONNECTIONS: '60' } });
  });
  after(async () => app.destroy());

  it('cuts 50 clients that send their headers a byte at a time with a 408 problem, and keeps answering /healthz', async () => {
    const clients = Array.from({ length: 50 }, () => slowClient(app.url, 100));
    // While they trickle, the health probe still answers.
    const health = await request(app.url, 'GET', '/healthz');
    expect(health.status).to.equal(200);
    const answers = await Promise.all(clients.map((client) => client.closed));
    for (const answer of answers) {
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
      expect(answer).to.include('Content-Type: application/problem+json');
    }
    expect((await request(app.url, 'GET', '/healthz')).status).to.equal(200);
  });

  it('closes connections beyond MAX_CONNECTIONS at once, and serves again when they are gone', async () => {
    expect(app.running.server.maxConnections).to.equal(60);
    const held = Array.from({ length: 60 }, () => slowClient(app.url, 10_000));
    // Let every one be accepted before the one over the cap.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = slowClient(app.url, 10_000);
    expect(await extra.closed).to.equal('');
    for (const client of held) client.stop();
    await Promise.all(held.map((client) => client.closed));
    expect((await request(app.url, 'GET', '/healthz')).status).to.equal(200);
  });
});

describe('server limits configuration', () => {
  const load = (env: Record<string, string>, openFileLimit?: number) =>
    loadConfig(testEnv('/tmp/unused', env), () => 'x'.repeat(40), { openFileLimit: () => openFileLimit });

  it('defaults to a few seconds for headers and a cap below the open-file limit', () => {
    const config = load({}, 20_000);
    expect(config.server).to.deep.equal({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5000,
      maxConnections: 15_000,
    });
    expect(load({}, 1024).server.maxConnections).to.equal(768);
    expect(load({}, undefined).server.maxConnections).to.equal(4096);
  });

  it('refuses a MAX_CONNECTIONS at or above the open-file limit, naming the variable', () => {
    expect(() => load({ MAX_CONNECTIONS: '20000' }, 20_000)).to.throw(/MAX_CONNECTIONS: must be below the open-file limit/);
  });

  it('refuses a REQUEST_TIMEOUT_MS shorter than HEADERS_TIMEOUT_MS, and timeouts that are not numbers', () => {
    expect(() => load({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' })).to.throw(
      /REQUEST_TIMEOUT_MS: must be at least HEADERS_TIMEOUT_MS/,
    );
    expect(() => load({ HEADERS_TIMEOUT_MS: '5s' })).to.throw(/HEADERS_TIMEOUT_MS: must be a whole number/);
  });

  it('reads the rate limits and the document cache size, naming a bad variable', () => {
    const config = load({ RATE_LIMIT_PER_USER: '5', RATE_LIMIT_PER_IP: '0', RATE_LIMIT_WINDOW_S: '10', DOCUMENT_CACHE_SIZE: '256mb' });
    expect(config.rateLimit).to.include({ perUser: 5, perIp: 0, windowSeconds: 10, store: 'memory' });
    expect(config.documentCacheBytes).to.equal(256 * 1024 * 1024);
    expect(() => load({ RATE_LIMIT_STORE: 'redis' })).to.throw(/RATE_LIMIT_STORE: must be one of memory, postgres/);
    expect(() => load({ RATE_LIMIT_STORE: 'postgres' })).to.throw(/RATE_LIMIT_POSTGRES_URL: is required/);
    expect(() => load({ RATE_LIMIT_POSTGRES_TABLE: 'x; drop' })).to.throw(/RATE_LIMIT_POSTGRES_TABLE/);
    expect(() => load({ DOCUMENT_CACHE_SIZE: 'lots' })).to.throw(/DOCUMENT_CACHE_SIZE: must be a size/);
  });
});
