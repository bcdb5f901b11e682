/** What the KurrentDB adapter sends to the server, checked without a server. */
import { ANY, NO_STREAM, START, STREAM_EXISTS } from '@kurrent/kurrentdb-client';
import { expect } from 'chai';
import { streamPrefixes } from '../../src/events/streams.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import { toEventUuid } from '../../src/stores/kurrentdb/eventIds.js';
import {
  exactTypesRegex,
  matchesReadAll,
  matchesSubscription,
  ourStreamsFilter,
  readAllFilter,
} from '../../src/stores/kurrentdb/filters.js';
import { readPositionAfter, streamStateFor, toStoredEvent } from '../../src/stores/kurrentdb/kurrentEventStore.js';

const stored = (streamId: string, type: string, workspaceId = 'ws1'): StoredEvent => ({
  streamId,
  revision: 0n,
  position: 1n,
  type,
  data: {},
  metadata: {
    eventId: 'e',
    occurredAt: '2024-01-01T00:00:00.000Z',
    actor: { userId: 'u' },
    workspaceId,
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
});

describe('KurrentDB filters', () => {
  it('subscribes with a server-side stream-name filter on exactly our stream prefixes', () => {
    const filter = ourStreamsFilter();
    expect(filter.filterOn).to.equal('streamName');
    expect(filter.prefixes).to.deep.equal([...streamPrefixes]);
    expect(filter.prefixes).to.include.members(['session-', 'workspace-', 'client-', 'service-', 'staff-']);
  });

  it('reads the whole log without system events when no types are asked for', () => {
    const filter = readAllFilter({});
    expect(filter.filterOn).to.equal('eventType');
    const regex = new RegExp(filter.regex);
    expect(regex.test('SessionCreated')).to.equal(true);
    expect(regex.test('$statsCollected')).to.equal(false);
    expect(regex.test('$metadata')).to.equal(false);
  });

  it('filters event types on the server with an anchored, escaped exact match', () => {
    const filter = readAllFilter({ types: ['SessionCreated', 'ClientRegistered'] });
    expect(filter.filterOn).to.equal('eventType');
    const regex = new RegExp(filter.regex);
    expect(regex.test('SessionCreated')).to.equal(true);
    expect(regex.test('ClientRegistered')).to.equal(true);
    expect(regex.test('SessionCreatedV2')).to.equal(false);
    expect(regex.test('XSessionCreated')).to.equal(false);
    expect(regex.test('$SessionCreated')).to.equal(false);
    expect(exactTypesRegex(['a.b', 'c|d', 'e$'])).to.equal('^(?:a\\.b|c\\|d|e\\$)$');
    const escaped = new RegExp(exactTypesRegex(['a.b', 'c|d']));
    expect(escaped.test('a.b')).to.equal(true);
    expect(escaped.test('axb')).to.equal(false);
    expect(escaped.test('c')).to.equal(false);
  });

  it('filters workspaceId and system events on the client', () => {
    expect(matchesReadAll(stored('session-1', 'SessionCreated'), { workspaceId: 'ws1' })).to.equal(true);
    expect(matchesReadAll(stored('session-1', 'SessionCreated', 'ws2'), { workspaceId: 'ws1' })).to.equal(false);
    expect(matchesReadAll(stored('session-1', 'SessionCreated'), { types: ['ClientRegistered'] })).to.equal(false);
    expect(matchesReadAll(stored('$stats-127.0.0.1:2113', '$statsCollected'), {})).to.equal(false);
    expect(matchesReadAll(stored('other-1', 'SomethingElse'), {})).to.equal(true);
  });

  it('lets the projector see only our streams, without system events', () => {
    expect(matchesSubscription(stored('session-1', 'SessionCreated'))).to.equal(true);
    expect(matchesSubscription(stored('other-1', 'SessionCreated'))).to.equal(false);
    expect(matchesSubscription(stored('session-1', '$metadata'))).to.equal(false);
  });
});

describe('KurrentDB append and read mapping', () => {
  it('maps expected revisions to the client stream states', () => {
    expect(streamStateFor('no_stream')).to.equal(NO_STREAM);
    expect(streamStateFor('stream_exists')).to.equal(STREAM_EXISTS);
    expect(streamStateFor('any')).to.equal(ANY);
    expect(streamStateFor(41n)).to.equal(41n);
  });

  it('starts reads at the start of the log, or at the commit position given', () => {
    expect(readPositionAfter(undefined)).to.equal(START);
    expect(readPositionAfter(2n ** 60n)).to.deep.equal({ commit: 2n ** 60n, prepare: 2n ** 60n });
  });

  it('keeps UUID event ids and maps other ids to a stable UUID', () => {
    expect(toEventUuid('0B7C1E5E-6F1D-4A44-9F0E-3F3C2F7A9D11')).to.equal('0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11');
    const derived = toEventUuid('event-42');
    expect(derived).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(toEventUuid('event-42')).to.equal(derived);
    expect(toEventUuid('event-43')).to.not.equal(derived);
  });

  it('uses the commit position as the port position and keeps data and metadata as stored', () => {
    const metadata = stored('session-1', 'SessionCreated').metadata;
    const event = toStoredEvent({
      event: {
        streamId: 'session-1',
        id: '0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11',
        isJson: true,
        revision: 3n,
        type: 'SessionCreated',
        created: new Date(),
        data: { name: 'استشارة' },
        metadata: { ...metadata },
        position: { commit: 2n ** 55n + 7n, prepare: 2n ** 55n + 7n },
      },
    });
    expect(event).to.deep.equal({
      streamId: 'session-1',
      revision: 3n,
      position: 2n ** 55n + 7n,
      type: 'SessionCreated',
      data: { name: 'استشارة' },
      metadata,
    });
    expect(toStoredEvent({})).to.equal(null);
  });

  it('skips events that are not ours: no metadata of ours, or binary', () => {
    const base = {
      streamId: 'other-1',
      id: '0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11',
      revision: 0n,
      type: 'SomethingElse',
      created: new Date(),
      position: { commit: 10n, prepare: 10n },
    };
    expect(toStoredEvent({ event: { ...base, isJson: true, data: {}, metadata: undefined } })).to.equal(null);
    expect(toStoredEvent({ event: { ...base, isJson: true, data: {}, metadata: { source: 'another tool' } } })).to.equal(null);
    expect(toStoredEvent({ event: { ...base, isJson: false, data: new Uint8Array([1]), metadata: undefined } })).to.equal(null);
  });
});
