/** Drives one server with autocannon: a warm-up, then the measured run, with a fresh body per request. */
import autocannon from 'autocannon';
import { cpuSnapshot, otherCpuSec, processCpuSec } from './processes.js';

export interface LoadResult {
  /** Completed requests per second over the measured run. */
  requestsPerSec: number;
  latencyMs: { p50: number; p99: number; max: number; mean: number };
  /** Connection errors and timeouts (autocannon's `errors`). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Responses per status code, measured run only. */
  statusCodes: Record<string, number>;
  requests: number;
  durationSec: number;
  /** 201 responses in warm-up and measured run together (each is one session created). */
  created: number;
  /** CPU seconds other processes on this machine used during the measured run (noise; null off Linux). */
  otherCpuSec: number | null;
  /**
   * Server CPU time (user + system) per completed request in the measured run, in microseconds:
   * what a request costs the server, much less sensitive to a busy machine than requests/s.
   */
  serverCpuUsPerRequest: number | null;
}

export interface LoadSpec {
  url: string;
  path: string;
  connections: number;
  duration: number;
  warmup: number;
  /** The n-th request's body and bearer token (and, for other than POST `path`, its method, path and headers). */
  request: (n: number) => { body?: string; token: string; method?: string; path?: string; headers?: Record<string, string> };
  /** The server's process id, so that its CPU time is not counted as noise. */
  serverPid: number;
}

const statusCounts = (result: autocannon.Result): Record<string, number> =>
  Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]));

const fire = (spec: LoadSpec, duration: number, counter: { n: number }): Promise<autocannon.Result> =>
  autocannon({
    url: spec.url,
    connections: spec.connections,
    duration,
    timeout: 10,
    method: 'POST',
    requests: [
      {
        method: 'POST',
        path: spec.path,
        setupRequest: (request) => {
          const { body, token, method, path, headers } = spec.request(counter.n++);
          if (method) request.method = method as typeof request.method;
          if (path) request.path = path;
          if (body === undefined) delete request.body;
          else request.body = body;
          request.headers = {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            authorization: `Bearer ${token}`,
            ...headers,
          };
          return request;
        },
      },
    ],
  });

export const runLoad = async (spec: LoadSpec): Promise<LoadResult> => {
  const counter = { n: 0 };
  let created = 0;
  if (spec.warmup > 0) {
    const warm = await fire(spec, spec.warmup, counter);
    created += statusCounts(warm)['201'] ?? 0;
  }
  const cpuBefore = cpuSnapshot([spec.serverPid]);
  const serverBefore = processCpuSec(spec.serverPid);
  const result = await fire(spec, spec.duration, counter);
  const serverAfter = processCpuSec(spec.serverPid);
  const cpuAfter = cpuSnapshot([spec.serverPid]);
  const statusCodes = statusCounts(result);
  created += statusCodes['201'] ?? 0;
  return {
    requestsPerSec: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    requests: result.requests.total,
    durationSec: result.duration,
    created,
    otherCpuSec: otherCpuSec(cpuBefore, cpuAfter),
    serverCpuUsPerRequest:
      cpuBefore && result.requests.total > 0 ? Math.round(((serverAfter - serverBefore) * 1e6) / result.requests.total) : null,
  };
};
