/**
 * The counter stores behind rate limiting, chosen by configuration: this process's memory (the
 * embedded profile: one instance), or one PostgreSQL table that every instance shares, so that a
 * client spreading its requests over instances still has one budget. Opened by the composition root.
 */
import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config.js';

export interface RateLimiters {
  /** Counted per client address, before authentication. */
  ip?: RateLimiterAbstract;
  /** Counted per token subject, after authentication. */
  user?: RateLimiterAbstract;
  close(): Promise<void>;
}

const limits = (config: RateLimitConfig) =>
  (
    [
      ['ip', config.perIp],
      ['user', config.perUser],
    ] as const
  ).filter(([, points]) => config.windowSeconds > 0 && points > 0);

const postgresLimiter = (pool: pg.Pool, table: string, keyPrefix: string, points: number, duration: number): Promise<RateLimiterAbstract> =>
  new Promise((resolve, reject) => {
    const limiter: RateLimiterAbstract = new RateLimiterPostgres(
      {
        storeClient: pool,
        storeType: 'pool',
        tableName: table,
        keyPrefix,
        points,
        duration,
        // While PostgreSQL does not answer, each instance keeps counting on its own.
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
      },
      (error?: Error) => {
        if (error) reject(error);
        else resolve(limiter);
      },
    );
  });

export const openRateLimiters = async (config: RateLimitConfig): Promise<RateLimiters> => {
  const wanted = limits(config);
  if (config.store === 'memory' || wanted.length === 0) {
    const limiters: RateLimiters = { close: async () => undefined };
    for (const [kind, points] of wanted)
      limiters[kind] = new RateLimiterMemory({ keyPrefix: kind, points, duration: config.windowSeconds });
    return limiters;
  }
  const pool = new pg.Pool({ connectionString: config.postgresUrl, max: 4, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // an idle client's error is reported by the next query instead
  try {
    const limiters: RateLimiters = { close: async () => undefined };
    // One after the other: both create the same table, and PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe concurrently.
    for (const [kind, points] of wanted)
      limiters[kind] = await postgresLimiter(pool, config.postgresTable, kind, points, config.windowSeconds);
    // Expired counters are only overwritten, never removed, by the library: delete old ones now and then.
    const sweep = setInterval(() => {
      pool.query(`DELETE FROM "${config.postgresTable}" WHERE expire < $1`, [Date.now() - 3_600_000]).catch(() => undefined);
    }, 600_000);
    sweep.unref();
    limiters.close = async () => {
      clearInterval(sweep);
      await pool.end();
    };
    return limiters;
  } catch (error) {
    await pool.end();
    throw new Error(`RATE_LIMIT_POSTGRES_URL: cannot prepare the rate limit table "${config.postgresTable}": ${(error as Error).message}`, {
      cause: error,
    });
  }
};
