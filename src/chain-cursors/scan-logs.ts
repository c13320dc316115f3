import type { DataSource } from 'typeorm';
import { query, transaction, type Sql } from '../database/sql';

/** One resumable scan of a contract's logs (see `scanLogs`). */
export interface LogScan<L, R> {
  /** The row of chain_cursors that holds the next block to scan. */
  cursorName: string;
  /** What is scanned, for the log line when the cursor is beyond the head ("request", "dispute"). */
  label: string;
  /** Blocks per getLogs call. */
  chunkBlocks: bigint;
  /** The chain head, read once per scan. */
  head(): Promise<bigint>;
  /** The logs of blocks `from..to` (inclusive). */
  logs(from: bigint, to: bigint): Promise<readonly L[]>;
  /** Applies one chunk's logs, in the transaction that moves the cursor past it. */
  apply(sql: Sql, logs: readonly L[], from: bigint, to: bigint): Promise<R[]>;
  /** Runs after a chunk's transaction committed (events, log lines). */
  committed?(results: readonly R[], from: bigint, to: bigint): Promise<void>;
  warn(message: string): void;
}

/**
 * Scans logs from the cursor in chain_cursors up to the chain head, in chunks of `chunkBlocks`;
 * each chunk's rows and the cursor move commit in one transaction, so a crash at any point neither
 * loses nor repeats a chunk (`apply` skips what is stored already). A cursor beyond the head (the
 * chain was reset) scans again from block 0. Returns every chunk's results in block order.
 */
export async function scanLogs<L, R>(dataSource: DataSource, scan: LogScan<L, R>): Promise<R[]> {
  const head = await scan.head();
  let from = await readCursor(dataSource, scan.cursorName);
  if (from > head + 1n) {
    scan.warn(
      `${scan.label} cursor at block ${from} is beyond the chain head ${head} (the chain was reset): scanning again from block 0`,
    );
    from = 0n;
  }
  const results: R[] = [];
  while (from <= head) {
    const last = from + scan.chunkBlocks - 1n;
    const to = last < head ? last : head;
    const logs = await scan.logs(from, to);
    const chunk = await transaction(dataSource, async (sql) => {
      const applied = await scan.apply(sql, logs, from, to);
      await sql(
        `INSERT INTO chain_cursors (name, block_number) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET block_number = EXCLUDED.block_number`,
        [scan.cursorName, (to + 1n).toString()],
      );
      return applied;
    });
    await scan.committed?.(chunk, from, to);
    results.push(...chunk);
    from = to + 1n;
  }
  return results;
}

/** The next block a scan reads (0 before the first scan). */
async function readCursor(dataSource: DataSource, name: string): Promise<bigint> {
  const [row] = await query<{ block_number: string }>(
    dataSource,
    'SELECT block_number FROM chain_cursors WHERE name = $1',
    [name],
  );
  return row ? BigInt(row.block_number) : 0n;
}
