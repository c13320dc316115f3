/**
 * The result leaf an inference row holds now, if any, read with the row's status: what the
 * dispute watcher and the outcome handler compare a disputed leaf against before touching a row,
 * so a dispute over an older (discarded) result never moves the request's current one.
 */
import type { Hex } from 'viem';
import { LEAF_COLUMNS, leafHashOf, type LeafRow } from '../result-batches/batch-leaves';
import type { InferenceOrigin, InferenceStatus } from '../inference/inference-status';
import type { Sql } from '../database/sql';

export interface InferenceLeaf {
  id: string;
  status: InferenceStatus;
  origin: InferenceOrigin;
  /** The hash of the leaf the row holds, or null when it holds no committed result. */
  leafHash: Hex | null;
}

interface InferenceLeafRow extends LeafRow {
  status: InferenceStatus;
  origin: InferenceOrigin;
  batch_id: string | null;
}

/** The row of `inferenceId` (locked for update when `lock`), or null when there is none. */
export async function loadInferenceLeaf(
  sql: Sql,
  inferenceId: string,
  lock: boolean,
): Promise<InferenceLeaf | null> {
  const [row] = await sql<InferenceLeafRow>(
    `SELECT ${LEAF_COLUMNS}, i.status, i.origin, i.batch_id
       FROM inferences i JOIN models m ON m.id = i.model_id
      WHERE i.id = $1${lock ? ' FOR UPDATE OF i' : ''}`,
    [inferenceId],
  );
  return row ? toInferenceLeaf(row) : null;
}

/** The row of `requestId` (locked for update), or null when the request is not ours. */
export async function loadInferenceLeafByRequest(sql: Sql, requestId: string): Promise<InferenceLeaf | null> {
  const [row] = await sql<InferenceLeafRow>(
    `SELECT ${LEAF_COLUMNS}, i.status, i.origin, i.batch_id
       FROM inferences i JOIN models m ON m.id = i.model_id
      WHERE i.request_id = $1 FOR UPDATE OF i`,
    [requestId.toLowerCase()],
  );
  return row ? toInferenceLeaf(row) : null;
}

/** Whether two 32-byte hex values are equal (any case, char padding trimmed). */
export function sameHash(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function toInferenceLeaf(row: InferenceLeafRow): InferenceLeaf {
  const committed = row.batch_id !== null && row.output_commitment !== null && row.trace_commitment !== null;
  return {
    id: row.id,
    status: row.status,
    origin: row.origin,
    leafHash: committed && row.worker_address !== null ? leafHashOf(row) : null,
  };
}
