import type { Dispute } from './dto/dispute.model';
import type { DisputeRow } from './dispute-row';

/** The API type of a `disputes` row. Pure. */
export function toDisputeModel(row: DisputeRow): Dispute {
  const trimmed = (value: string | null) => (value === null ? null : value.trim());
  return {
    id: row.id,
    disputeId: String(row.dispute_id),
    batchId: String(row.chain_batch_id),
    leafHash: row.leaf_hash.trim(),
    requestId: row.request_id.trim(),
    inferenceId: row.inference_id,
    worker: row.worker.trim(),
    challenger: row.challenger.trim(),
    status: row.status,
    reason: row.reason,
    phase: row.phase,
    defending: row.defending,
    note: row.note,
    lastMove: row.last_move,
    lastMoveTx: trimmed(row.last_move_tx),
    moves: row.moves,
    slashedWei: row.slashed_wei === null ? null : String(row.slashed_wei),
    openedTx: row.opened_tx.trim(),
    openedAt: row.opened_at,
    resolvedAt: row.resolved_at,
    openedBlock: String(row.opened_block),
  };
}
