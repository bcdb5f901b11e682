/**
 * A small fetch wrapper for tests: JSON in, status + headers + parsed body out. Every response is
 * checked against the OpenAPI document (./openapi.ts): a response the document does not describe
 * fails the test that received it.
 */
import { checkExchange } from './openapi.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a body is parsed JSON, `any` until a test names its shape (see eslint.config.js on tests)
export interface Reply<B = any> {
  status: number;
  headers: Headers;
  body: B;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export const request = async (baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Reply> => {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // leave as text
  }
  const reply = { status: response.status, headers: response.headers, body, text };
  checkExchange({
    method,
    path,
    ...(options.rawBody === undefined && options.body !== undefined ? { requestBody: options.body } : {}),
    ...reply,
  });
  return reply;
};
