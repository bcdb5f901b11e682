/**
 * The KurrentDB multi-stream append, checked without a server: the requests it sends (metadata
 * as string values only, which `multiStreamAppend` requires), the metadata read back the same on
 * every read path whichever way an event was appended, and the concurrency error naming the
 * stream that moved.
 */
import { ANY, NO_STREAM, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { expect } from 'chai';
import type { EventMetadata } from '../../src/events/envelope.js';
import { ConcurrencyError, type StreamWrite } from '../../src/stores/eventStore.js';
import { toEventUuid } from '../../src/stores/kurrentdb/eventIds.js';
import { decodeMetadata, encodeMetadataAsStrings, metadataEncodingKey } from '../../src/stores/kurrentdb/metadataCodec.js';
import { concurrencyErrorOf, multiStreamRequests, toStoredEvent } from '../../src/stores/kurrentdb/kurrentEventStore.js';

const metadata = (extra: Partial<EventMetadata> = {}): EventMetadata => ({
  eventId: '0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11',
  occurredAt: '2024-01-15T10:00:00.000Z',
  actor: { userId: 'user-1', name: 'Ana "A" Ñúñez' },
  workspaceId: 'w'.repeat(24),
  requestId: 'req-1',
  correlationId: 'corr-1',
  schemaVersion: 2,
  ...extra,
});

const recorded = (meta: unknown) => ({
  event: {
    streamId: 'session-1',
    id: '0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11',
    isJson: true as const,
    revision: 0n,
    type: 'SessionCreated',
    created: new Date(),
    data: { a: 1 },
    metadata: meta as never,
    position: { commit: 100n, prepare: 100n },
  },
});

describe('KurrentDB metadata for a multi-stream append', () => {
  it('is a flat object of string values only, as multiStreamAppend requires', () => {
    const encoded = encodeMetadataAsStrings(metadata({ idempotencyKey: 'key-1', requestHash: 'h' }));
    for (const [key, value] of Object.entries(encoded)) expect(value, key).to.be.a('string');
    expect(encoded.eventId).to.equal('0b7c1e5e-6f1d-4a44-9f0e-3f3c2f7a9d11');
    expect(encoded.workspaceId).to.equal('w'.repeat(24));
    expect(encoded['actor:json']).to.equal(JSON.stringify({ userId: 'user-1', name: 'Ana "A" Ñúñez' }));
    expect(encoded['schemaVersion:json']).to.equal('2');
    expect(encoded[metadataEncodingKey]).to.be.a('string');
  });

  it('decodes back to exactly the metadata appended, with or without the optional fields', () => {
    for (const original of [metadata(), metadata({ idempotencyKey: 'key-1', requestHash: 'abc' })]) {
      expect(decodeMetadata(encodeMetadataAsStrings(original))).to.deep.equal(original);
      // Through JSON, as the server hands it back, and with properties the server adds itself.
      const fromServer = { ...(JSON.parse(JSON.stringify(encodeMetadataAsStrings(original))) as object), '$schema.name': 'SessionCreated' };
      expect(decodeMetadata(fromServer)).to.deep.equal(original);
    }
  });

  it('leaves plain metadata (one-stream appends, other tools) as it is', () => {
    const plain = metadata();
    expect(decodeMetadata(plain)).to.equal(plain);
    expect(decodeMetadata({ source: 'another tool' })).to.deep.equal({ source: 'another tool' });
    expect(decodeMetadata(undefined)).to.equal(undefined);
  });

  it('is read back the same by readStream, readAll and the subscription (all through toStoredEvent)', () => {
    const original = metadata({ idempotencyKey: 'key-1', requestHash: 'abc' });
    const fromMulti = toStoredEvent(recorded(JSON.parse(JSON.stringify(encodeMetadataAsStrings(original)))));
    const fromSingle = toStoredEvent(recorded(JSON.parse(JSON.stringify(original))));
    expect(fromMulti?.metadata).to.deep.equal(original);
    expect(fromSingle?.metadata).to.deep.equal(original);
    expect(fromMulti).to.deep.equal(fromSingle);
  });

  it('refuses a metadata key the encoding could not tell apart', () => {
    expect(() => encodeMetadataAsStrings({ ...metadata(), 'x:json': 'a' } as never)).to.throw(/cannot be encoded/);
    expect(() => encodeMetadataAsStrings({ ...metadata(), $x: 'a' } as never)).to.throw(/cannot be encoded/);
  });
});

describe('KurrentDB multi-stream append requests', () => {
  const writes: StreamWrite[] = [
    { streamId: 'session-a', expected: 'no_stream', events: [{ type: 'SessionCreated', data: { x: 1 }, metadata: metadata() }] },
    {
      streamId: 'service-b',
      expected: 4n,
      events: [
        { type: 'ServiceRenamed', data: { y: 2 }, metadata: metadata({ eventId: 'not-a-uuid' }) },
        { type: 'ServiceRenamed', data: { y: 3 }, metadata: metadata({ eventId: 'also-not' }) },
      ],
    },
  ];

  it('name each stream with its own expected state, event ids and string-valued metadata', () => {
    const requests = multiStreamRequests(writes);
    expect(requests.map((r) => [r.streamName, r.expectedState])).to.deep.equal([
      ['session-a', NO_STREAM],
      ['service-b', 4n],
    ]);
    expect(requests[1]!.events.map((e) => e.id)).to.deep.equal([toEventUuid('not-a-uuid'), toEventUuid('also-not')]);
    for (const event of requests.flatMap((r) => r.events)) {
      const meta = event.metadata;
      // The client's own check before it sends anything: an object (not bytes, a list or text) of strings.
      if (typeof meta !== 'object' || Array.isArray(meta) || meta instanceof Uint8Array)
        expect.fail(`the metadata of ${event.id} is not an object`);
      expect(Object.values(meta).every((value) => typeof value === 'string')).to.equal(true);
      expect(event.contentType).to.equal('application/json');
    }
  });

  it('answer a failed check with a ConcurrencyError naming the stream that moved', () => {
    const moved = new WrongExpectedVersionError(undefined, { streamName: 'service-b', expected: 4n, current: 6n });
    const error = concurrencyErrorOf(moved, writes);
    expect(error).to.be.instanceOf(ConcurrencyError);
    expect(error.streamId).to.equal('service-b');
    expect(error.expected).to.equal(4n);
    expect(error.actual).to.equal(6n);
    const missing = concurrencyErrorOf(
      new WrongExpectedVersionError(undefined, { streamName: 'session-a', expected: ANY, current: 'no_stream' }),
      writes,
    );
    expect([missing.streamId, missing.expected, missing.actual]).to.deep.equal(['session-a', 'no_stream', 'no_stream']);
  });
});
