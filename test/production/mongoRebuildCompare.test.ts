/** The pure parts of the MongoDB rebuild: collection names and the merge-compare of two sorted streams (no server needed). */
import { expect } from 'chai';
import { CollectionChecksum } from '../../src/projections/checksum.js';
import {
  compareSortedDocuments,
  newRebuildToken,
  parseRebuildCollectionName,
  rebuildCollectionName,
  type ComparedDocument,
} from '../../src/stores/mongodb/rebuildCompare.js';

const doc = (id: string, fields: Record<string, unknown> = {}, workspaceId = 'ws1'): ComparedDocument => ({
  id,
  workspaceId,
  json: JSON.stringify({ id, workspaceId, ...fields }),
});

async function* slowly(documents: readonly ComparedDocument[]): AsyncGenerator<ComparedDocument> {
  for (const document of documents) {
    await new Promise((resolve) => setImmediate(resolve));
    yield document;
  }
}

describe('naming the collections of a MongoDB rebuild', () => {
  it('puts the live collection and a lower-case token around __rebuild_, and parses it back', () => {
    const token = newRebuildToken(1_700_000_000_000, 'a1b2c3');
    expect(token).to.equal(`${(1_700_000_000_000).toString(36)}a1b2c3`);
    const name = rebuildCollectionName('sessions', token);
    expect(name).to.equal(`sessions__rebuild_${token}`);
    expect(parseRebuildCollectionName(name)).to.deep.equal({ collection: 'sessions', token });
    expect(parseRebuildCollectionName('sessions')).to.equal(null);
    expect(parseRebuildCollectionName('projection_checkpoints')).to.equal(null);
  });

  it('gives two rebuilds started in the same millisecond different tokens', () => {
    expect(newRebuildToken(5)).to.not.equal(newRebuildToken(5));
  });

  it('refuses names MongoDB or our id rules would not take', () => {
    expect(() => rebuildCollectionName('Sessions', 'abc')).to.throw(/invalid collection name/);
    expect(() => rebuildCollectionName('sessions', 'a.b')).to.throw(/invalid collection name/);
    expect(() => rebuildCollectionName('sessions__rebuild_x', 'abc')).to.throw(/itself a rebuild collection/);
    expect(() => newRebuildToken(1, 'XYZ')).to.throw(/invalid random part/);
  });
});

describe('comparing two streams of documents sorted by id', () => {
  const options = { checksums: true, differences: true, examples: 5 };

  it('finds nothing between equal streams and gives both the checksum of the same documents', async () => {
    const documents = [doc('a', { n: 1 }), doc('b', { n: 2 }), doc('c', { n: 3 })];
    const result = await compareSortedDocuments(slowly(documents), documents, options);
    const expected = new CollectionChecksum();
    for (const d of documents) expected.add(d.id, d.workspaceId, d.json);
    const digest = expected.digest();
    expect(result).to.deep.equal({
      current: 3,
      rebuilt: 3,
      missing: { count: 0, examples: [] },
      extra: { count: 0, examples: [] },
      changed: { count: 0, examples: [] },
      checksums: { current: digest, rebuilt: digest },
    });
  });

  it('counts missing, extra and changed documents (content or workspace) with example ids in id order', async () => {
    const current = [doc('a'), doc('b', { n: 1 }), doc('d'), doc('e', {}, 'ws1'), doc('g')];
    const rebuilt = [doc('a'), doc('b', { n: 2 }), doc('c'), doc('e', {}, 'ws2'), doc('f'), doc('h')];
    const result = await compareSortedDocuments(slowly(current), slowly(rebuilt), options);
    expect(result.current).to.equal(5);
    expect(result.rebuilt).to.equal(6);
    expect(result.missing).to.deep.equal({ count: 3, examples: ['c', 'f', 'h'] });
    expect(result.extra).to.deep.equal({ count: 2, examples: ['d', 'g'] });
    expect(result.changed).to.deep.equal({ count: 2, examples: ['b', 'e'] });
    expect(result.checksums!.current).to.not.equal(result.checksums!.rebuilt);
  });

  it('keeps only as many example ids as asked for, and counts all', async () => {
    const rebuilt = ['a', 'b', 'c', 'd'].map((id) => doc(id));
    const result = await compareSortedDocuments([], rebuilt, { ...options, examples: 2 });
    expect(result.missing).to.deep.equal({ count: 4, examples: ['a', 'b'] });
  });

  it('compares empty streams as equal, with the checksum of an empty collection', async () => {
    const result = await compareSortedDocuments([], [], options);
    expect(result.current).to.equal(0);
    expect(result.checksums!.current).to.equal(new CollectionChecksum().digest());
    expect(result.checksums!.current).to.equal(result.checksums!.rebuilt);
  });

  it('leaves out checksums and differences when not asked for', async () => {
    const result = await compareSortedDocuments([doc('a')], [doc('b')], { checksums: false, differences: false, examples: 5 });
    expect(result).to.deep.equal({
      current: 1,
      rebuilt: 1,
      missing: { count: 0, examples: [] },
      extra: { count: 0, examples: [] },
      changed: { count: 0, examples: [] },
    });
  });

  it('fails rather than miscounting when a stream is not in ascending id order, and closes both streams', async () => {
    let closed = 0;
    const tracked = (documents: ComparedDocument[]): AsyncIterable<ComparedDocument> => ({
      [Symbol.asyncIterator]: () => {
        const inner = slowly(documents);
        return {
          next: () => inner.next(),
          return: async () => {
            closed += 1;
            return inner.return(undefined);
          },
        };
      },
    });
    let failure: unknown;
    try {
      await compareSortedDocuments(tracked([doc('a'), doc('c'), doc('b')]), tracked([doc('a'), doc('b'), doc('c')]), options);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message).to.match(/current documents are not in ascending id order \(c then b\)/);
    expect(closed).to.equal(2);
  });
});
