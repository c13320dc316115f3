import { clientText } from '../common/client-text';
import type { ZkCircuit } from './dto/zk-circuit.model';
import type { ZkCircuitRow } from './zk-circuit-row';

/** Maps a zk_circuits row to the API type (pure); the service's own text without server paths or URLs. */
export function toZkCircuit(row: ZkCircuitRow): ZkCircuit {
  return {
    id: row.id,
    modelId: row.model_id,
    batchSize: row.batch_size,
    status: row.status,
    stage: clientText(row.stage),
    circuitHash: row.circuit_hash,
    constraints: row.constraints,
    ptauPower: row.ptau?.power ?? null,
    developmentSetup: row.ptau ? row.ptau.development : null,
    zkeyHash: row.zkey_hash,
    contributions: row.contributions,
    verificationKey: row.verification_key ? JSON.stringify(row.verification_key) : null,
    verifierAddress: row.verifier_address,
    chainTx: row.chain_tx,
    errorCode: row.error_code,
    errorMessage: row.error_message === null ? null : clientText(row.error_message),
  };
}
