/**
 * A lease document in MongoDB so that only one projector writes a group of read models at a time,
 * however many API instances or projector processes run. `{ _id: <projector name>, owner,
 * expiresAt }`; taking or renewing it is one conditional upsert evaluated with the server's clock
 * (`$$NOW`), so clock skew between instances does not matter. Another owner can take it only
 * after it expires, i.e. when the holder stopped renewing (crashed, partitioned or stopped).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Lease } from '../../projections/ports.js';
import { requireSafeId } from './ids.js';
import { isDuplicateKey } from './mongoReadModel.js';

export interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export const leasesCollection = 'projection_leases';

export const leaseOwnerId = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export class MongoLease implements Lease {
  private readonly leases: Collection<LeaseDocument>;
  private readonly name: string;

  constructor(
    db: Db,
    name: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {
    this.leases = db.collection<LeaseDocument>(leasesCollection);
    this.name = requireSafeId('lease name', name);
  }

  async tryAcquire(): Promise<boolean> {
    try {
      const result = await this.leases.updateOne(
        { _id: this.name, $or: [{ owner: this.owner }, { $expr: { $lt: ['$expiresAt', '$$NOW'] } }] },
        [{ $set: { owner: this.owner, expiresAt: { $add: ['$$NOW', this.ttlMs] } } }],
        { upsert: true },
      );
      return result.matchedCount + result.upsertedCount > 0;
    } catch (error) {
      // The upsert found the lease held (unexpired) by another owner.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async release(): Promise<void> {
    await this.leases.deleteOne({ _id: this.name, owner: this.owner });
  }

  /** Who holds the lease and until when (for /healthz and operators). */
  async holder(): Promise<{ owner: string; expiresAt: Date } | null> {
    const lease = await this.leases.findOne({ _id: this.name });
    return lease ? { owner: lease.owner, expiresAt: lease.expiresAt } : null;
  }
}
