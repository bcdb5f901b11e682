/**
 * The HTTP server around the app: Node's own limits (header and request timeouts, keep-alive,
 * connection cap), problem+json for what Node refuses before the app runs (malformed requests,
 * oversized headers, timeouts), and draining on shutdown.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerLimits } from '../config.js';
import type { Logger } from '../logger.js';
import { problemTitle, problemType } from './middleware/problems.js';

export interface HttpServer {
  server: Server;
  /** True from the first call to `drain`. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, answers what is in flight with `Connection: close` (and every
   * request still arriving on an open connection), closes idle keep-alive connections at once and
   * resolves when the last connection is gone; after `timeoutMs`, cuts what is left.
   */
  drain(timeoutMs: number): Promise<void>;
}

const clientErrorStatus = (code: string | undefined): number => {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
};

const clientErrorDetail = (status: number): string =>
  status === 431
    ? 'The request headers are larger than the server accepts (16 KiB in all).'
    : status === 408
      ? 'The request was not received in time.'
      : 'The request is not valid HTTP/1.1.';

/** Node answers these before any middleware runs; by default with a bare status line. */
const answerClientError = (logger: Logger) => (error: NodeJS.ErrnoException, socket: Duplex) => {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  // Bytes after a request that said `Connection: close`: answer that request, ignore the rest.
  if (error.code === 'HPE_CLOSED_CONNECTION' && pending) return;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(error.code);
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: problemType(status === 400 ? 'malformed-request' : status === 408 ? 'request-timeout' : 'headers-too-large'),
    title: problemTitle(status),
    status,
    detail: clientErrorDetail(status),
    requestId,
  });
  logger.info({ requestId, status, code: error.code }, 'request refused before the app');
  socket.end(
    [
      `HTTP/1.1 ${status} ${problemTitle(status)}`,
      'Content-Type: application/problem+json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'X-Content-Type-Options: nosniff',
      'Cache-Control: no-store',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
};

export const createHttpServer = (
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: ServerLimits,
  logger: Logger,
): HttpServer => {
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Timeouts are enforced when the server checks its connections: by default every 30 s,
      // which would let a slow client keep its socket far beyond headersTimeout.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      if (draining) res.setHeader('Connection', 'close');
      inFlight.add(res);
      res.once('close', () => {
        inFlight.delete(res);
        // The connection that carried it may now be idle; while draining nothing waits on it.
        if (draining)
          setImmediate(() => {
            server.closeIdleConnections();
          });
      });
      handler(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError(logger));
  server.on('drop', (details: unknown) => {
    logger.warn({ details, maxConnections: limits.maxConnections }, 'connection refused: MAX_CONNECTIONS reached');
  });

  let drained: Promise<void> | undefined;
  const drain = (timeoutMs: number) =>
    (drained ??= new Promise<void>((resolve) => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const timer = setTimeout(() => {
        logger.warn({ inFlight: inFlight.size }, 'shutdown timeout reached; closing the connections left');
        server.closeAllConnections();
      }, timeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }));

  return {
    server,
    get draining() {
      return draining;
    },
    drain,
  };
};
