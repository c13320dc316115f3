import { transition } from '../inference/lifecycle';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import type { Sql } from '../database/sql';

export interface Recommitted {
  batchIds: string[];
  /** The inferences moved back to COMPUTED (their FINAL neighbours stay FINAL). */
  inferenceIds: string[];
}

/**
 * Sends batches back to PENDING, to be committed again on the current chain, and their unsettled
 * results back to COMPUTED (no window, no reveal), in `sql`'s transaction. For a batch whose root
 * is not on the chain any more (the chain was reset, or lost its last blocks in a crash): until
 * the root is on the chain again, none of its results can become FINAL, and once it is, each
 * result gets the new commit's window. The leaves and their order are kept, so the root is the
 * same. `batchIds` null: every SUBMITTED or COMMITTED batch (the chain is another one).
 */
export async function sendBackToCommit(
  sql: Sql,
  batchIds: readonly string[] | null,
  why: string,
): Promise<Recommitted> {
  const batches = await sql<{ id: string }>(
    `UPDATE result_batches
        SET status = 'PENDING', tx_hash = NULL, tx_nonce = NULL, chain_batch_id = NULL, block_number = NULL,
            committed_at = NULL, last_error = $2, updated_at = now()
      WHERE ($1::uuid[] IS NULL AND status IN ('SUBMITTED', $3))
         OR ($1::uuid[] IS NOT NULL AND status = $3 AND id = ANY($1::uuid[]))
      RETURNING id`,
    [batchIds === null ? null : [...batchIds], why, BATCH_COMMITTED],
  );
  if (batches.length === 0) return { batchIds: [], inferenceIds: [] };
  const rows = await transition(sql, 'recommit', {
    set: 'committed_at = NULL, challenge_ends_at = NULL, reveal_tx = NULL, updated_at = now()',
    where: 'batch_id = ANY($1::uuid[])',
    params: [batches.map((batch) => batch.id)],
  });
  return { batchIds: batches.map((batch) => batch.id), inferenceIds: rows.map((row) => row.id) };
}
