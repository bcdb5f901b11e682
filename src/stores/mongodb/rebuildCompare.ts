/**
 * Pure pieces of the MongoDB blue/green rebuild (./mongoRebuild.ts): the names of the collections
 * a rebuild builds into, and the one-pass comparison of two streams of documents sorted by id.
 * The comparison hashes documents exactly as ../../projections/checksum.ts says (the API
 * document's JSON, fields in stored order), so a MongoDB read model and a SQLite one built from
 * the same log have the same checksums.
 */
import { randomBytes } from 'node:crypto';
import { DocumentComparison, type CollectionCounts, type ComparedDocument } from '../../projections/documentComparison.js';
import type { CompareOptions } from '../readModel.js';
import { requireCollectionName } from './ids.js';

export const rebuildInfix = '__rebuild_';

/** A rebuild's token: base-36 start time and 6 random hex digits (lower case, so a valid collection name part). */
export const newRebuildToken = (now: number = Date.now(), random: string = randomBytes(3).toString('hex')): string => {
  if (!/^[0-9a-f]{1,12}$/.test(random)) throw new Error(`invalid random part ${random}`);
  return `${now.toString(36)}${random}`;
};

/** `<collection>__rebuild_<token>`: where a rebuild builds a collection before it is renamed into place. */
export const rebuildCollectionName = (collection: string, token: string): string => {
  if (collection.includes(rebuildInfix)) throw new Error(`${collection} is itself a rebuild collection`);
  return requireCollectionName(`${requireCollectionName(collection)}${rebuildInfix}${token}`);
};

/** The live collection and token a rebuild collection belongs to, or null for any other name. */
export const parseRebuildCollectionName = (name: string): { collection: string; token: string } | null => {
  const [, collection, token] = /^([a-z][a-z0-9_]*?)__rebuild_([a-z0-9]+)$/.exec(name) ?? [];
  return collection !== undefined && token !== undefined ? { collection, token } : null;
};

export type { CollectionCounts, ComparedDocument } from '../../projections/documentComparison.js';

class OrderedSource {
  private readonly iterator: AsyncIterator<ComparedDocument>;
  head: ComparedDocument | undefined;
  private last: string | undefined;

  constructor(
    private readonly side: string,
    source: AsyncIterable<ComparedDocument> | Iterable<ComparedDocument>,
  ) {
    this.iterator =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (async function* () {
            yield* source;
          })();
  }

  async advance(): Promise<void> {
    const next = await this.iterator.next();
    this.head = next.done ? undefined : next.value;
    if (this.head === undefined) return;
    // The merge is only right when both sides come in the same strict order; fail rather than miscount.
    if (this.last !== undefined && !(this.last < this.head.id)) {
      throw new Error(`${this.side} documents are not in ascending id order (${this.last} then ${this.head.id})`);
    }
    this.last = this.head.id;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/**
 * One merge pass over the current and the rebuilt documents, both in ascending id order (ids are
 * ASCII, so JavaScript's string order is the byte order MongoDB sorts `_id` strings in): counts,
 * missing / extra / changed documents with example ids, and checksums when asked for.
 */
export const compareSortedDocuments = async (
  current: AsyncIterable<ComparedDocument> | Iterable<ComparedDocument>,
  rebuilt: AsyncIterable<ComparedDocument> | Iterable<ComparedDocument>,
  options: CompareOptions,
): Promise<CollectionCounts> => {
  const comparison = new DocumentComparison(options);
  const left = new OrderedSource('current', current);
  const right = new OrderedSource('rebuilt', rebuilt);
  try {
    await left.advance();
    await right.advance();
    while (left.head !== undefined || right.head !== undefined) {
      const advance = comparison.step(left.head, right.head);
      if (advance.current) await left.advance();
      if (advance.rebuilt) await right.advance();
    }
  } finally {
    await Promise.allSettled([left.close(), right.close()]);
  }
  return comparison.result();
};
