import type { ThrottlerStorage } from '@nestjs/throttler';
import type { DataSource } from 'typeorm';
import { query } from './sql';

/** What @nestjs/throttler's guard reads back from a storage (times in seconds). */
interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/** How often rows of windows long over are deleted. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The rate limiter's counters in PostgreSQL, so that every API replica counts a caller's requests
 * together: one fixed window per key (the guard's key: throttler, route and caller), counted and
 * judged in one statement, so concurrent requests on several replicas never lose a hit. Past the
 * limit the key is blocked for `blockDuration`; hits while blocked still count but change nothing.
 * Times left are measured at the statement's end (clock_timestamp): a statement that waited for
 * the row behind another replica's never reports more than the window or the block it was given.
 */
export class PgThrottlerStorage implements ThrottlerStorage {
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    this.sweeper ??= setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
    const [row] = await query<{ hits: number; expire_s: string; blocked: boolean; block_s: string }>(
      this.dataSource,
      `INSERT INTO rate_limit_windows AS w (key, hits, window_ends, blocked_until)
       VALUES ($1, 1, now() + $2 * interval '1 millisecond', CASE WHEN 1 > $3 THEN now() + $4 * interval '1 millisecond' END)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN w.window_ends <= now() THEN 1 ELSE w.hits + 1 END,
         window_ends = CASE WHEN w.window_ends <= now() THEN EXCLUDED.window_ends ELSE w.window_ends END,
         blocked_until = CASE
           WHEN w.blocked_until > now() THEN w.blocked_until
           WHEN (CASE WHEN w.window_ends <= now() THEN 1 ELSE w.hits + 1 END) > $3 THEN now() + $4 * interval '1 millisecond'
           ELSE NULL END
       RETURNING hits,
                 ceil(greatest(extract(epoch FROM window_ends - clock_timestamp()), 0))::text AS expire_s,
                 coalesce(blocked_until > now(), false) AS blocked,
                 ceil(greatest(extract(epoch FROM coalesce(blocked_until, now()) - clock_timestamp()), 0))::text AS block_s`,
      [`${throttlerName}:${key}`, ttl, limit, blockDuration],
    );
    return {
      totalHits: row.hits,
      timeToExpire: Number(row.expire_s),
      isBlocked: row.blocked,
      timeToBlockExpire: row.blocked ? Number(row.block_s) : 0,
    };
  }

  /** Stops the sweeper (application shutdown). */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private async sweep(): Promise<void> {
    await query(
      this.dataSource,
      `DELETE FROM rate_limit_windows WHERE window_ends < now() AND (blocked_until IS NULL OR blocked_until < now())`,
    ).catch(() => undefined);
  }
}
