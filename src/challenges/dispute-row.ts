/**
 * A row of `disputes` (src/database/migrations/1795650000000-create-disputes.ts) and the names the
 * service stores for the game's numeric enums (IDisputeGame.sol). The table is read and written
 * with SQL (src/database/sql.ts), like the rest of the chain pipeline. Pure.
 */
import { DisputeOutcome, DisputePhase, DisputeReason } from '../chain/dispute-client';

export const DISPUTE_STATUSES = ['OPEN', 'DEFENDER_WON', 'CHALLENGER_WON'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export const DISPUTE_REASONS = ['INPUT_MISMATCH', 'OUTPUT_MISMATCH', 'ONE_STEP', 'TIMEOUT'] as const;
export type DisputeReasonName = (typeof DISPUTE_REASONS)[number];

export interface DisputeRow {
  id: string;
  /** DisputeGame's dispute id (uint256, as numeric text). */
  dispute_id: string;
  chain_batch_id: string;
  leaf_hash: string;
  request_id: string;
  /** The inference whose result (current or discarded) the disputed leaf is. */
  inference_id: string | null;
  worker: string;
  challenger: string;
  status: DisputeStatus;
  reason: DisputeReasonName | null;
  phase: string;
  /** False when the service does not answer this dispute (see `note`). */
  defending: boolean;
  note: string | null;
  last_move: string | null;
  last_move_tx: string | null;
  moves: number;
  slashed_wei: string | null;
  opened_tx: string;
  opened_block: string;
  opened_at: Date;
  resolved_at: Date | null;
  updated_at: Date;
}

const PHASE_NAMES: Record<number, string> = {
  [DisputePhase.None]: 'NONE',
  [DisputePhase.AwaitTracePage]: 'AWAIT_TRACE_PAGE',
  [DisputePhase.AwaitTracePick]: 'AWAIT_TRACE_PICK',
  [DisputePhase.AwaitChunkPage]: 'AWAIT_CHUNK_PAGE',
  [DisputePhase.AwaitChunkPick]: 'AWAIT_CHUNK_PICK',
  [DisputePhase.AwaitChunkValues]: 'AWAIT_CHUNK_VALUES',
  [DisputePhase.AwaitOneStep]: 'AWAIT_ONE_STEP',
  [DisputePhase.Resolved]: 'RESOLVED',
};

const REASON_NAMES: Record<number, DisputeReasonName | null> = {
  [DisputeReason.None]: null,
  [DisputeReason.InputMismatch]: 'INPUT_MISMATCH',
  [DisputeReason.OutputMismatch]: 'OUTPUT_MISMATCH',
  [DisputeReason.OneStep]: 'ONE_STEP',
  [DisputeReason.Timeout]: 'TIMEOUT',
};

/** The stored name of a DisputePhase (the move awaited next). */
export function phaseName(phase: number): string {
  return PHASE_NAMES[phase] ?? `UNKNOWN_${phase}`;
}

/** The stored name of a DisputeReason (null while undecided). */
export function reasonName(reason: number): DisputeReasonName | null {
  return REASON_NAMES[reason] ?? null;
}

/** The status a decided dispute's outcome stores (OPEN while undecided). */
export function statusOfOutcome(outcome: number): DisputeStatus {
  if (outcome === DisputeOutcome.DefenderWon) return 'DEFENDER_WON';
  if (outcome === DisputeOutcome.ChallengerWon) return 'CHALLENGER_WON';
  return 'OPEN';
}

/** The phase of the opening move: the defender reveals the trace tree's first page. */
export const OPENED_PHASE = phaseName(DisputePhase.AwaitTracePage);
