import type { CircuitLayout } from '../zk/circuit-layout';
import type { ContributionRecord } from '../zk/phase2';
import type { VerificationKey } from '../zk/snarkjs';

export type ZkCircuitStatus = 'PREPARING' | 'READY' | 'FAILED';

/**
 * A circuit whose preparation failed. Passed to SQL as a parameter: an inference status has the
 * same name, and no status literal is written in SQL outside src/inference/lifecycle.
 */
export const ZK_CIRCUIT_FAILED: ZkCircuitStatus = 'FAILED';

/** A row of zk_circuits (src/database/migrations/1795560000000-create-zk-mode.ts). */
export interface ZkCircuitRow {
  id: string;
  model_id: string;
  batch_size: number;
  status: ZkCircuitStatus;
  stage: string;
  circuit_name: string | null;
  circuit_hash: string | null;
  constraints: number | null;
  /** CircuitLayout with its bigints as decimal strings. */
  layout: Record<string, string | number> | null;
  ptau: { path: string; power: number; development: boolean } | null;
  zkey_path: string | null;
  zkey_hash: string | null;
  contributions: ContributionRecord[] | null;
  verification_key: VerificationKey | null;
  verifier_address: string | null;
  chain_tx: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  updated_at: Date;
}

export function layoutToJson(layout: CircuitLayout): Record<string, string | number> {
  return { ...layout, inputOffset: layout.inputOffset.toString(), outputOffset: layout.outputOffset.toString() };
}

export function layoutFromJson(json: Record<string, string | number>): CircuitLayout {
  return {
    ...(json as unknown as CircuitLayout),
    inputOffset: BigInt(json.inputOffset),
    outputOffset: BigInt(json.outputOffset),
  };
}
