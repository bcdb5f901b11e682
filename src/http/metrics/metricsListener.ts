/**
 * The second listener of METRICS_PORT, for the API (src/main.ts) and the projector process
 * (src/cli/projector.ts) alike: `GET /metrics` without a token, plus whatever routes the process
 * adds (the projector's probes), on an address meant for the scraper's network only.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { Logger } from '../../logger.js';
import type { AppContext, AppState } from '../context.js';
import { buildMetricsApp } from './metricsApp.js';

/** Resolves with the base URL once the server listens (rejects when it cannot, e.g. the port is taken). */
export const listeningUrl = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${port}`;
};

export interface MetricsListener {
  url: string;
  /** Closes the listener and its connections at once: a scrape is cheap to repeat. */
  close(): Promise<void>;
}

export const startMetricsListener = async (options: {
  registry: Registry;
  logger: Logger;
  port: number;
  host: string;
  routers?: readonly Router<AppState, AppContext>[];
}): Promise<MetricsListener> => {
  const app = buildMetricsApp({ registry: options.registry, logger: options.logger, routers: options.routers ?? [] });
  const server = app.listen(options.port, options.host);
  const url = await listeningUrl(server);
  return {
    url,
    close: () => {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeAllConnections();
      return closed;
    },
  };
};
