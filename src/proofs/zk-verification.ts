import { Injectable } from '@nestjs/common';
import { verifyProof } from '../zk/groth16-verify';
import { ProofsError } from './proofs.errors';
import { ZkCircuitsService } from './zk-circuits.service';

/** Off-chain verification through the API: the same check as the circuit's on-chain verifier. */
@Injectable()
export class ZkVerification {
  constructor(private readonly circuits: ZkCircuitsService) {}

  async verify(circuitId: string, proofJson: string, publicSignals: string[]): Promise<boolean> {
    const circuit = await this.circuits.get(circuitId);
    if (!circuit.verification_key) throw new ProofsError('ZK_NOT_READY', `zk circuit ${circuitId} has no verification key yet (${circuit.stage})`);
    let proof: unknown;
    try {
      proof = JSON.parse(proofJson);
    } catch {
      return false;
    }
    return verifyProof(circuit.verification_key, publicSignals, proof as Parameters<typeof verifyProof>[2]);
  }
}
