/**
 * The PostgreSQL schema, as numbered migrations applied once each (see PostgresDatabase.migrate).
 * A released migration is never edited: a change is a new migration with the next number.
 *
 * Positions. A `bigserial` is handed out before commit, so with concurrent writers a reader can
 * see position 7 committed while 6 is still in flight, move its checkpoint past 6 and never read
 * it. Each event therefore records the id of the transaction that wrote it (`xid8`), its position
 * is `transaction id << 20 | its index in that transaction`, and readers read only events of
 * transactions older than the oldest one still running (`pg_snapshot_xmin(pg_current_snapshot())`):
 * every transaction below that has finished, so nothing can appear below what a reader has seen.
 * Positions are sparse, but strictly increasing in the order readers see them. (Emmett's
 * PostgreSQL store and Marten filter on the same transaction horizon.)
 *
 * Documents and event bodies are `json`, not `jsonb`: `json` keeps the text exactly as written, so
 * documents read back byte for byte as the projection produced them and the canonical checksums
 * equal the SQLite profile's; the indexes are on `jsonb` expressions of the fields.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Bits of a position that number the events of one transaction. */
export const positionIndexBits = 20;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'event log, checkpoints, append function',
    sql: `
      CREATE TABLE events (
        position bigint PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        stream_id text COLLATE "C" NOT NULL,
        revision bigint NOT NULL,
        event_id text COLLATE "C" NOT NULL UNIQUE,
        type text COLLATE "C" NOT NULL,
        schema_version integer NOT NULL,
        workspace_id text COLLATE "C",
        data json NOT NULL,
        metadata json NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream_id, revision)
      );
      CREATE INDEX events_workspace ON events (workspace_id, position);
      CREATE INDEX events_type ON events (type, position);

      CREATE TABLE projection_checkpoints (
        name text COLLATE "C" PRIMARY KEY,
        position bigint
      );

      -- One round trip per append: checks each stream's expected revision, answers a retried
      -- append (same event ids, same stream) with its first result, and inserts. A failed check
      -- raises SQLSTATE SE409 with the stream, the expectation and the actual revision as JSON.
      CREATE FUNCTION sessions_append(writes json) RETURNS json LANGUAGE plpgsql AS $fn$
      DECLARE
        w json;
        stream text;
        expected text;
        current_revision bigint;
        ids text[];
        found integer;
        last_revision bigint;
        last_position bigint;
        base bigint := (pg_current_xact_id()::text::bigint) << ${positionIndexBits};
        written bigint := 0;
        count_events bigint;
        results json[] := '{}';
      BEGIN
        -- Events this transaction wrote already (several calls in one transaction) keep their indexes.
        SELECT coalesce(max(position) - base + 1, 0) INTO written FROM events WHERE transaction_id = pg_current_xact_id();
        FOR w IN SELECT value FROM json_array_elements(writes) LOOP
          stream := w->>'streamId';
          expected := w->>'expected';
          SELECT max(revision) INTO current_revision FROM events WHERE stream_id = stream;
          ids := ARRAY(SELECT e->'metadata'->>'eventId' FROM json_array_elements(w->'events') e);
          count_events := array_length(ids, 1);
          SELECT count(*), max(revision), max(position) INTO found, last_revision, last_position
            FROM events WHERE event_id = ANY(ids) AND stream_id = stream;
          IF found = count_events THEN
            results := results || json_build_object('nextRevision', last_revision::text, 'position', last_position::text);
            CONTINUE;
          END IF;
          IF NOT (expected = 'any'
              OR (expected = 'no_stream' AND current_revision IS NULL)
              OR (expected = 'stream_exists' AND current_revision IS NOT NULL)
              OR (expected ~ '^[0-9]+$' AND coalesce(current_revision = expected::bigint, false))) THEN
            RAISE EXCEPTION USING ERRCODE = 'SE409', MESSAGE = 'expected revision does not match',
              DETAIL = json_build_object('streamId', stream, 'expected', expected, 'actual', current_revision::text)::text;
          END IF;
          IF written + count_events > (1 << ${positionIndexBits}) THEN
            RAISE EXCEPTION 'one transaction may append at most % events', 1 << ${positionIndexBits};
          END IF;
          INSERT INTO events (position, transaction_id, stream_id, revision, event_id, type, schema_version, workspace_id, data, metadata)
          SELECT base + written + t.n - 1, pg_current_xact_id(), stream, coalesce(current_revision, -1) + t.n,
                 t.e->'metadata'->>'eventId', t.e->>'type', (t.e->'metadata'->>'schemaVersion')::integer,
                 t.e->'metadata'->>'workspaceId', t.e->'data', t.e->'metadata'
            FROM json_array_elements(w->'events') WITH ORDINALITY AS t(e, n);
          written := written + count_events;
          results := results || json_build_object(
            'nextRevision', (coalesce(current_revision, -1) + count_events)::text,
            'position', (base + written - 1)::text);
        END LOOP;
        RETURN array_to_json(results);
      END
      $fn$;
    `,
  },
];
