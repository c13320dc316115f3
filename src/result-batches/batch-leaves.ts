import { getAddress, type Hex } from 'viem';
import {
  buildResultTree,
  hashResultLeaf,
  type ResultLeaf,
  type ResultMerkleTree,
} from '../chain/result-merkle';
import type { Sql } from '../database/sql';
import { ResultBatchesError } from './result-batches.errors';

/** The columns of one result leaf, as selected by LEAF_COLUMNS (`i`: inferences, `m`: models). */
export interface LeafRow {
  id: string;
  request_id: string;
  model_commitment: string;
  input_commitment: string;
  output_commitment: string | null;
  trace_commitment: string | null;
  worker_address: string | null;
}

export const LEAF_COLUMNS =
  'i.id, i.request_id, m.commitment AS model_commitment, i.input_commitment, i.output_commitment, i.trace_commitment, i.worker_address';

/** The leaf a worker signed for a computed inference (the same six fields LibResultMerkle hashes). */
export function toResultLeaf(row: LeafRow): ResultLeaf {
  if (!row.output_commitment || !row.trace_commitment || !row.worker_address) {
    throw new ResultBatchesError(
      'DATA_INCONSISTENT',
      `inference ${row.id} has no complete result (output, trace commitment and worker are required in a batch)`,
    );
  }
  return {
    requestId: hex32(row.request_id),
    modelCommitment: hex32(row.model_commitment),
    inputCommitment: hex32(row.input_commitment),
    outputCommitment: hex32(row.output_commitment),
    traceCommitment: hex32(row.trace_commitment),
    worker: getAddress(row.worker_address.trim()),
  };
}

export interface BatchTree {
  tree: ResultMerkleTree;
  /** Leaves in leaf_index order (index i is the leaf at leaf_index i). */
  leaves: ResultLeaf[];
}

/**
 * Rebuilds a batch's tree from its rows, ordered by leaf_index: exactly the leaves the committer
 * hashed when it formed the batch, so `tree.root` equals the root committed on-chain. A leaf a
 * dispute refuted has left its inference row for discarded_results (src/challenges), but it is
 * still in the committed root: it is read back from there, so refuting one leaf never breaks the
 * proofs of the batch's other leaves.
 */
export async function loadBatchTree(sql: Sql, batchId: string): Promise<BatchTree> {
  const rows = await sql<LeafRow & { leaf_index: number }>(
    `SELECT ${LEAF_COLUMNS}, i.leaf_index
       FROM inferences i JOIN models m ON m.id = i.model_id
      WHERE i.batch_id = $1
     UNION ALL
     SELECT d.inference_id AS id, d.request_id, m.commitment AS model_commitment, d.input_commitment,
            d.output_commitment, d.trace_commitment, d.worker_address, d.leaf_index
       FROM discarded_results d JOIN inferences i ON i.id = d.inference_id JOIN models m ON m.id = i.model_id
      WHERE d.batch_id = $1
      ORDER BY leaf_index`,
    [batchId],
  );
  rows.forEach((row, index) => {
    if (row.leaf_index !== index)
      throw new ResultBatchesError('DATA_INCONSISTENT', `batch ${batchId} has no leaf at index ${index}`);
  });
  const leaves = rows.map(toResultLeaf);
  return { tree: buildResultTree(leaves), leaves };
}

/** The hash of a row's result leaf (what DisputeGame and Settlement key a leaf by). */
export function leafHashOf(row: LeafRow): Hex {
  return hashResultLeaf(toResultLeaf(row));
}

function hex32(value: string): Hex {
  const text = value.trim().toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(text))
    throw new ResultBatchesError('DATA_INCONSISTENT', `${value} is not a 32-byte hex value`);
  return text as Hex;
}
