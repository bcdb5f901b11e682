/**
 * The projector lease as a PostgreSQL session-level advisory lock, held on a connection of its
 * own. The server releases it the moment that connection ends (the holder crashed, was killed or
 * lost the network), so no clock and no expiry are involved: another instance's next
 * `tryAcquire` takes it. A renewal checks that the connection still answers; when it does not,
 * the lease is reported lost (or the renewal fails, and the projector stops at its local deadline).
 */
import pg from 'pg';
import type { Lease } from '../../projections/ports.js';
import { onlyRow } from './database.js';

/** The first half of the two-key advisory lock: our lock space, the second half hashes the name. */
const leaseLockSpace = 0x5e55;

export interface PostgresLeaseOptions {
  url: string;
  name: string;
  connectTimeoutMs?: number;
}

export class PostgresAdvisoryLease implements Lease {
  private client: pg.Client | null = null;
  private held = false;

  constructor(private readonly options: PostgresLeaseOptions) {}

  async tryAcquire(): Promise<boolean> {
    if (this.client && this.held) {
      try {
        await this.client.query('SELECT 1');
        return true;
      } catch (error) {
        this.drop();
        throw error;
      }
    }
    const client = this.client ?? (await this.connect());
    try {
      const { rows } = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS taken', [
        leaseLockSpace,
        this.options.name,
      ]);
      this.held = onlyRow(rows, 'pg_try_advisory_lock').taken;
      return this.held;
    } catch (error) {
      this.drop();
      throw error;
    }
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    if (!client) return;
    // Ending the session releases the lock too; unlocking first frees it even if end() lingers.
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [leaseLockSpace, this.options.name]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  /** Who holds the lease (the server process id and client address), for operators and tests. */
  static async holder(pool: Pick<pg.Pool, 'query'>, name: string): Promise<{ pid: number; applicationName: string } | null> {
    const { rows } = await pool.query<{ pid: number; application_name: string }>(
      `SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = hashtext($2)::oid AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [leaseLockSpace, name],
    );
    return rows[0] ? { pid: rows[0].pid, applicationName: rows[0].application_name } : null;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 2_000,
      application_name: `sessions-projector-lease:${process.pid}`,
      keepAlive: true,
    });
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    this.held = false;
    client?.end().catch(() => undefined);
  }
}
