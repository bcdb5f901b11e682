import http from 'node:http';
import type { Reply } from './http.js';

/** A raw HTTP/1.1 exchange, for requests fetch will not send (TRACE, repeated headers, huge headers). */
export const rawRequest = (
  url: string,
  options: { method: string; path: string; headers?: [string, string][]; body?: Buffer | string },
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request({ host: target.hostname, port: target.port, method: options.method, path: options.path, agent: false });
    for (const [name, value] of options.headers ?? []) {
      const existing = req.getHeader(name);
      req.setHeader(name, existing === undefined ? value : ([] as string[]).concat(existing as string | string[], value));
    }
    // Node's client frames a body for GET, HEAD, DELETE and OPTIONS only when told its length.
    if (options.body !== undefined && req.getHeader('content-length') === undefined)
      req.setHeader('content-length', Buffer.byteLength(options.body));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // leave as text
        }
        resolve({ status: res.statusCode!, headers, body, text });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
