/**
 * The HTTP ceiling: a bare Koa server on the same Node, with the same body parser and options as
 * the API, answering the benchmark's POST with a static 201 JSON of the same shape and size as a
 * real session. Run as a child process; announces its port as one JSON line on stdout.
 */
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';

const session = {
  id: '65a1b2c3d4e5f60718293a4b',
  workspaceId: '65a1b2c3d4e5f60718293a40',
  clientId: '65a1b2c3d4e5f60718293a41',
  clientName: 'Bench client 1',
  serviceIds: ['65a1b2c3d4e5f60718293a42', '65a1b2c3d4e5f60718293a43'],
  serviceNames: ['Bench service 1', 'خدمة 2'],
  staffId: '65a1b2c3d4e5f60718293a44',
  staffName: 'Bench staff 1',
  name: 'Bench session 1',
  date: '2024-01-20T00:00:00.000Z',
  startTime: '10:00',
  endTime: '11:30',
  durationMinutes: 90,
  status: 'scheduled',
  fieldValues: [],
  attachments: [],
  notes: [],
  invoice: null,
  createdAt: '2024-01-20T09:59:59.123Z',
  updatedAt: '2024-01-20T09:59:59.123Z',
};

const app = new Koa();
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: 1024 * 1024, jsonStrict: false, encoding: 'utf-8' }));
app.use(async function staticCreated(ctx) {
  if (ctx.method !== 'POST' || ctx.request.body === undefined) {
    ctx.status = 400;
    return;
  }
  ctx.status = 201;
  ctx.set('Location', `${ctx.path}/${session.id}`);
  ctx.body = { session };
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
