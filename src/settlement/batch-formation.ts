import type { Hex } from 'viem';
import type { DataSource } from 'typeorm';
import { buildResultTree } from '../chain/result-merkle';
import { STATUSES_AWAITING_BATCH, statusIn } from '../inference/lifecycle';
import { LEAF_COLUMNS, toResultLeaf, type LeafRow } from '../result-batches/batch-leaves';
import { transaction } from '../database/sql';
import type { SettlementOptions } from './settlement.options';
import { SettlementError } from './settlement.errors';

/** A result_batches row: its id, root and number of leaves. */
export interface BatchRow {
  id: string;
  root: Hex;
  leaf_count: number;
}

/** A batch just formed: its id, how many results it holds, and its root. */
export interface FormedBatch {
  id: string;
  size: number;
  root: Hex;
}

/**
 * The batch committer's first step (BatchCommitter): COMPUTED rows without a batch become a
 * PENDING batch (root, leaf order) in one transaction, once there are `maxBatchSize` of them or
 * the oldest waited `maxBatchWaitMs`; null when no batch is due.
 */
export async function formBatch(
  dataSource: DataSource,
  { maxBatchSize, maxBatchWaitMs }: Pick<SettlementOptions, 'maxBatchSize' | 'maxBatchWaitMs'>,
): Promise<FormedBatch | null> {
  return transaction(dataSource, async (sql) => {
    const rows = await sql<LeafRow & { ripe: boolean }>(
      `SELECT ${LEAF_COLUMNS},
              (i.computed_at IS NULL OR i.computed_at <= clock_timestamp() - make_interval(secs => $2::double precision / 1000)) AS ripe
         FROM inferences i JOIN models m ON m.id = i.model_id
        WHERE ${statusIn('i.status', STATUSES_AWAITING_BATCH)} AND i.batch_id IS NULL AND i.mode = 'OPTIMISTIC'
        ORDER BY i.computed_at, i.id
        LIMIT $1
        FOR UPDATE OF i SKIP LOCKED`,
      [maxBatchSize, maxBatchWaitMs],
    );
    if (rows.length === 0 || (rows.length < maxBatchSize && !rows[0].ripe)) return null;
    const tree = buildResultTree(rows.map(toResultLeaf));
    const [batch] = await sql<{ id: string }>(
      `INSERT INTO result_batches (root, leaf_count, status) VALUES ($1, $2, 'PENDING') RETURNING id`,
      [tree.root, rows.length],
    );
    const updated = await sql(
      `UPDATE inferences AS i SET batch_id = $1, leaf_index = v.leaf_index, updated_at = now()
         FROM unnest($2::uuid[], $3::integer[]) AS v(id, leaf_index)
        WHERE i.id = v.id AND ${statusIn('i.status', STATUSES_AWAITING_BATCH)} AND i.batch_id IS NULL
        RETURNING i.id`,
      [batch.id, rows.map((row) => row.id), rows.map((_, index) => index)],
    );
    if (updated.length !== rows.length)
      throw new SettlementError(
        'DATA_INCONSISTENT',
        `batch ${batch.id}: ${updated.length} of ${rows.length} rows changed under a lock`,
      );
    return { id: batch.id, size: rows.length, root: tree.root };
  });
}
