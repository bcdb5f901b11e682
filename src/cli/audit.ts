/**
 * npm run audit -- --workspace <id> [--stream <name>] [--since <iso>] [--type <T>]... [--actor <userId>] [--format json|table]
 *
 * Prints a workspace's events from the event store directly (upcast to their current shapes), in
 * global order, or one stream's in revision order. JSON lines by default (one AuditEntry per
 * line, for jq and friends); `--format table` for reading. Streams the log page by page.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { matchesAudit, toAuditEntry, type AuditEntry, type AuditFilter } from '../audit/auditLog.js';
import { parseIsoDateTime } from '../commands/calendar.js';
import { upcasters } from '../events/upcasters.js';
import { createLogger } from '../logger.js';
import type { EventStore, StoredEvent } from '../stores/eventStore.js';
import { openStores, sqliteDatabasePath } from '../profiles/index.js';
import { SqliteStore } from '../stores/sqlite/sqliteStore.js';
import { withUpcasting } from '../stores/upcasting.js';
import { exitCodes, loadOperatorConfig, runCli, UsageError } from './operator.js';

const usage =
  'usage: npm run audit -- --workspace <id> [--stream <name>] [--since <iso>] [--type <T>]... [--actor <userId>] [--format json|table]\n' +
  '  --workspace <id>   the workspace whose events to print (required)\n' +
  '  --stream <name>    only this stream, e.g. session-<id>\n' +
  '  --since <iso>      only events that occurred at or after this ISO 8601 time\n' +
  '  --type <T>         only events of this type (repeatable)\n' +
  '  --actor <userId>   only events of this actor (the token subject)\n' +
  '  --format json|table  JSON lines (default) or an aligned table';

const write = async (line: string): Promise<void> => {
  if (!process.stdout.write(`${line}\n`)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
};

type TableColumn = [title: string, width: number, cell: (e: AuditEntry) => string];

const tableColumns: TableColumn[] = [
  ['POSITION', 9, (e) => e.position],
  ['OCCURRED AT', 24, (e) => e.occurredAt],
  ['TYPE', 20, (e) => `${e.type} v${e.schemaVersion}`],
  ['STREAM@REVISION', 38, (e) => `${e.streamId}@${e.revision}`],
  ['ACTOR', 32, (e) => (e.actor.name ? `${e.actor.userId} (${e.actor.name})` : e.actor.userId)],
  ['REQUEST', 36, (e) => e.requestId],
];

/** One line of the table: each column's text padded to its width, except the last. */
const tableRow = (text: (column: TableColumn) => string): string =>
  tableColumns.map((column, i) => (i === tableColumns.length - 1 ? text(column) : text(column).padEnd(column[1]))).join('  ');

const openEventStore = async (): Promise<{ events: EventStore; close: () => Promise<void> }> => {
  const config = loadOperatorConfig();
  if (config.eventStore === 'sqlite') {
    const path = sqliteDatabasePath(config.dataDir);
    if (!fs.existsSync(path)) throw new UsageError(`no database at ${path} (DATA_DIR=${config.dataDir})`);
    const store = new SqliteStore({ path });
    return { events: withUpcasting(store, upcasters), close: () => store.close() };
  }
  const stores = await openStores({ ...config, logLevel: 'silent' }, createLogger('silent'));
  return { events: stores.events, close: () => stores.close() };
};

const main = async (): Promise<number> => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        workspace: { type: 'string' },
        stream: { type: 'string' },
        since: { type: 'string' },
        type: { type: 'string', multiple: true },
        actor: { type: 'string' },
        format: { type: 'string', default: 'json' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  if (values.help) {
    await write(usage);
    return exitCodes.ok;
  }
  const workspaceId = values.workspace?.trim();
  if (!workspaceId) throw new UsageError(`--workspace is required\n${usage}`);
  if (values.format !== 'json' && values.format !== 'table') throw new UsageError(`--format must be json or table\n${usage}`);
  const filter: AuditFilter = {};
  if (values.since !== undefined) {
    const since = parseIsoDateTime(values.since);
    if (!since) throw new UsageError(`--since must be an ISO 8601 date or datetime, got "${values.since}"`);
    filter.from = since;
  }
  if (values.actor !== undefined) filter.actorId = values.actor;
  const types = (values.type ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);

  const { events, close } = await openEventStore();
  try {
    const source: AsyncIterable<StoredEvent> | StoredEvent[] = values.stream
      ? await events.readStream(values.stream)
      : events.readAll({ workspaceId, ...(types.length > 0 ? { types } : {}) });
    const table = values.format === 'table';
    if (table) await write(tableRow(([title]) => title));
    let printed = 0;
    for await (const event of source) {
      if (event.metadata.workspaceId !== workspaceId) continue;
      if (types.length > 0 && !types.includes(event.type)) continue;
      if (!matchesAudit(event, filter)) continue;
      const entry = toAuditEntry(event);
      await write(table ? tableRow(([, , cell]) => cell(entry)) : JSON.stringify(entry));
      printed += 1;
    }
    if (table) await write(`(${printed} event${printed === 1 ? '' : 's'})`);
  } finally {
    await close();
  }
  return exitCodes.ok;
};

// Piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

runCli(main);
