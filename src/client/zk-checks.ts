/**
 * The checks of a zk result: the proof the API serves verifies under the verifier ModelRegistry
 * records for the model and batch size (an eth_call, so the chain's own verifier decides), its
 * public signals carry this input's Poseidon commitment and this output, and Settlement recorded
 * the output as proven for the model and input (zkResultOf, written only after a verifier accepted
 * a proof in settleZk).
 */
import { encodeAbiParameters, keccak256, parseAbi, type Address, type Hex } from 'viem';
import { ModelRegistryAbi, SettlementAbi, ZkSettlementAbi } from '../chain/generated/contracts';
import { commitModel, type QuantizedModel } from '../engine';
import { circuitLayout, decodePublicSignals, type CircuitLayout } from '../zk/circuit-layout';
import { commitSignedVector } from '../zk/poseidon-commitment';
import { toSolidityProof, verifyProofArgs, type SolidityProof } from '../zk/proof-codec';
import type { Groth16Proof } from '../zk/snarkjs';
import type { ChainView } from './chain-view';
import { MODE_FLAG, modelRegisteredCheck } from './optimistic-checks';
import { asBytes32, asIntegers, check, fail, sameHex, sameIntegers, type ResultCheck, type VerifiableInference } from './result-checks';

/** What the zk checks need from the API besides the inference: hints, each checked on-chain. */
export interface ZkHints {
  /** The batch size of the proof's circuit (the API's zkCircuit.batchSize). */
  batchSize(circuitId: string): Promise<number>;
  /** The model's canonical quantized form; its commitment is checked before use. */
  quantizedModel(modelId: string): Promise<string>;
}

/** ModelRegistry.ZkCircuit as viem decodes it. */
interface OnChainCircuit {
  verifier: Address;
  batchSize: number;
  outputLength: number;
  outputBits: number;
  outputOffset: bigint;
  zkeyHash: Hex;
}

/** The model the API serves, only when it commits to the inference's model commitment. */
async function committedModel(hints: ZkHints, inference: VerifiableInference): Promise<QuantizedModel | string> {
  let model: QuantizedModel;
  try {
    model = JSON.parse(await hints.quantizedModel(inference.modelId)) as QuantizedModel;
    const commitment = commitModel(model).commitment;
    if (!sameHex(commitment, inference.modelCommitment)) {
      return `the model the API serves commits to ${commitment}, not ${inference.modelCommitment}`;
    }
  } catch (cause) {
    return `the API serves no usable quantized model (${cause instanceof Error ? cause.message : String(cause)})`;
  }
  return model;
}

function verifierAbi(signalCount: number) {
  return parseAbi([
    `function verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[${signalCount}] s) view returns (bool)`,
  ]);
}

async function proofVerifies(view: ChainView, circuit: OnChainCircuit, proof: SolidityProof, batchSize: number): Promise<ResultCheck> {
  const accepted = await view.read<boolean>(circuit.verifier, verifierAbi(proof.publicSignals.length), 'verifyProof', verifyProofArgs(proof));
  return check(
    'PROOF_VERIFIES',
    accepted,
    `verifier ${circuit.verifier} (ModelRegistry's circuit for batch size ${batchSize}, zkey ${circuit.zkeyHash}) ${accepted ? 'accepts' : 'rejects'} the proof`,
  );
}

/** The sample of the proof that carries this input and output, as a check. */
function proofMatches(layout: CircuitLayout, circuit: OnChainCircuit, proof: SolidityProof, inputCommitment: bigint, output: readonly bigint[]): ResultCheck {
  if (circuit.outputBits !== layout.outputBits || circuit.outputOffset !== layout.outputOffset || circuit.outputLength !== layout.outputLength) {
    return fail('PROOF_MATCHES_RESULT', `the on-chain circuit packs ${circuit.outputLength} outputs in ${circuit.outputBits} bits (offset ${circuit.outputOffset}); the committed model's layout is ${layout.outputLength} in ${layout.outputBits} (offset ${layout.outputOffset})`);
  }
  if (proof.publicSignals.length !== layout.publicSignalCount) {
    return fail('PROOF_MATCHES_RESULT', `the proof has ${proof.publicSignals.length} public signals; the circuit for batch size ${layout.batchSize} has ${layout.publicSignalCount}`);
  }
  const decoded = decodePublicSignals(layout, proof.publicSignals);
  const sample = decoded.inputCommitments.findIndex((commitment, s) => commitment === inputCommitment && sameIntegers(decoded.outputs[s], output));
  return check(
    'PROOF_MATCHES_RESULT',
    sample >= 0,
    sample >= 0
      ? `sample ${sample} of the proof carries input commitment ${inputCommitment} and the output`
      : `no sample of the proof carries input commitment ${inputCommitment} with the output the API shows`,
  );
}

async function zkResultRecorded(view: ChainView, model: Hex, inputCommitment: bigint, output: readonly bigint[]): Promise<ResultCheck> {
  // The proven results live in the ZkSettlement the Settlement names (never an address from the API).
  const zkSettlement = await view.read<Hex>(view.settlement, SettlementAbi, 'zkSettlement');
  const recorded = await view.read<Hex>(zkSettlement, ZkSettlementAbi, 'zkResultOf', [model, `0x${inputCommitment.toString(16).padStart(64, '0')}`]);
  const expected = keccak256(encodeAbiParameters([{ type: 'int256[]' }], [[...output]]));
  return check(
    'ZK_RESULT_RECORDED',
    sameHex(recorded, expected),
    /^0x0{64}$/.test(recorded)
      ? `Settlement records no proven output for model ${model} and input commitment ${inputCommitment}`
      : `Settlement records output hash ${recorded} for the model and input; the output hashes to ${expected}`,
  );
}

/** Every check of a zk result, in ZK_CHECKS order. */
export async function zkChecks(view: ChainView, inference: VerifiableInference, hints: ZkHints): Promise<ResultCheck[]> {
  const checks: ResultCheck[] = [await modelRegisteredCheck(view, inference, MODE_FLAG.ZK)];
  const remaining = ['PROOF_VERIFIES', 'PROOF_MATCHES_RESULT', 'INPUT_MATCHES_PROOF', 'ZK_RESULT_RECORDED'] as const;
  const failAll = (reason: string) => [...checks, ...remaining.map((name) => fail(name, reason))];
  const model = asBytes32(inference.modelCommitment);
  const output = asIntegers(inference.outputFixed);
  const input = asIntegers(inference.inputFixed);
  const served = inference.proof;
  if (!model || !output || !input) return failAll(`the API shows no complete result (status ${inference.status})`);
  if (!served) return failAll(`the API serves no proof (status ${inference.status})`);
  let proof: SolidityProof;
  let inputCommitment: bigint;
  try {
    proof = toSolidityProof(JSON.parse(served.proof) as Groth16Proof, served.publicSignals);
    inputCommitment = BigInt(served.inputCommitment);
  } catch (cause) {
    return failAll(`the proof the API serves is malformed (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  const batchSize = await hints.batchSize(served.circuitId);
  const [circuit, ordinal] = await view.read<readonly [OnChainCircuit, number]>(view.modelRegistry, ModelRegistryAbi, 'findZkCircuit', [model, batchSize]);
  if (ordinal === 0) return failAll(`ModelRegistry ${view.modelRegistry} records no circuit of model ${model} for batch size ${batchSize}`);
  checks.push(await proofVerifies(view, circuit, proof, batchSize));
  const quantized = await committedModel(hints, inference);
  if (typeof quantized === 'string') {
    checks.push(fail('PROOF_MATCHES_RESULT', quantized), fail('INPUT_MATCHES_PROOF', quantized));
  } else {
    const layout = circuitLayout(quantized, batchSize);
    checks.push(proofMatches(layout, circuit, proof, inputCommitment, output));
    let computed: bigint | string;
    try {
      computed = await commitSignedVector(input, layout.inputBits, layout.inputOffset);
    } catch (cause) {
      computed = cause instanceof Error ? cause.message : String(cause);
    }
    checks.push(
      typeof computed === 'string'
        ? fail('INPUT_MATCHES_PROOF', `the input cannot be committed under the model's layout: ${computed}`)
        : check('INPUT_MATCHES_PROOF', computed === inputCommitment, `the input's Poseidon commitment is ${computed}; the proof binds ${inputCommitment}`),
    );
  }
  checks.push(await zkResultRecorded(view, model, inputCommitment, output));
  return checks;
}
