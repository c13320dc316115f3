/**
 * What `verity verify` reads: the bundle `verity prove --out` writes, or the proof the API serves
 * (`inference { proof { proof publicSignals ... } }`: the ZkProof object itself, or a whole
 * GraphQL response holding it), and a verification key file (snarkjs's verification_key.json, or
 * the API's `zkCircuit { verificationKey }` in the same shapes). Pure: text in, values out.
 */
import type { Groth16Proof, VerificationKey } from '../zk/snarkjs';
import { ZkError } from '../zk/zk.errors';

export const BUNDLE_FORMAT = 'verity-groth16-proof/1';

/** The file `verity prove --out` writes and `verity verify` reads. */
export interface ProofBundle {
  format: typeof BUNDLE_FORMAT;
  circuit: { name: string; hash: string; constraints: number; batchSize: number; zkeyHash: string; ptauPower: number; developmentSetup: boolean };
  verificationKey: VerificationKey;
  proof: Groth16Proof;
  publicSignals: string[];
  inputCommitment: string;
  outputFixed: string[];
  output: number[];
}

export interface ProofToVerify {
  source: 'bundle' | 'api';
  proof: Groth16Proof;
  publicSignals: string[];
  /** The bundle's own key (a bundle only). */
  verificationKey?: VerificationKey;
  /** What else the file says about the proof, printed alongside the verdict. */
  about: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value`, or the object a GraphQL response holds under data.<field> (or <field>). */
function unwrap(value: Json, field: string): Json {
  const data = isObject(value.data) ? value.data : value;
  return isObject(data[field]) ? data[field] : value;
}

/** A JSON value that may itself be given as a JSON string (the API serves objects as strings). */
function parsedObject(value: unknown): Json | null {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function isGroth16Proof(value: Json | null): value is Json & Groth16Proof {
  return value !== null && Array.isArray(value.pi_a) && Array.isArray(value.pi_b) && Array.isArray(value.pi_c);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function parse(text: string, path: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ZkError('PROOF_INVALID', `${path} is not JSON (${what})`);
  }
  if (!isObject(value)) throw new ZkError('PROOF_INVALID', `${path} holds no JSON object (${what})`);
  return value;
}

/** The proof in a file of either format; PROOF_INVALID saying what is accepted otherwise. */
export function readProofFile(text: string, path: string): ProofToVerify {
  const value = parse(text, path, 'a proof');
  if (value.format === BUNDLE_FORMAT && isGroth16Proof(parsedObject(value.proof)) && isStringArray(value.publicSignals)) {
    const bundle = value as unknown as ProofBundle;
    return {
      source: 'bundle',
      proof: bundle.proof,
      publicSignals: bundle.publicSignals,
      verificationKey: bundle.verificationKey,
      about: { circuit: bundle.circuit, outputFixed: bundle.outputFixed, inputCommitment: bundle.inputCommitment },
    };
  }
  const inference = unwrap(value, 'inference');
  const served = isObject(inference.proof) && 'publicSignals' in inference.proof ? inference.proof : inference;
  const proof = parsedObject(served.proof);
  if (isGroth16Proof(proof) && isStringArray(served.publicSignals)) {
    return {
      source: 'api',
      proof,
      publicSignals: served.publicSignals,
      about: {
        circuitId: served.circuitId ?? null,
        inputCommitment: served.inputCommitment ?? null,
        ...(isStringArray(inference.outputFixed) ? { outputFixed: inference.outputFixed } : {}),
      },
    };
  }
  throw new ZkError(
    'PROOF_INVALID',
    `${path} is neither a proof bundle of \`verity prove --out\` (format ${BUNDLE_FORMAT}) nor a proof the API serves ({ proof, publicSignals } from inference { proof { ... } }, alone or in the GraphQL response)`,
  );
}

/** A verification key: snarkjs's verification_key.json, or the API's zkCircuit { verificationKey }. */
export function readVerificationKey(text: string, path: string): VerificationKey {
  const value = parse(text, path, 'a verification key');
  const key = value.protocol === 'groth16' ? value : parsedObject(unwrap(value, 'zkCircuit').verificationKey);
  if (!key || key.protocol !== 'groth16' || !Array.isArray(key.IC)) {
    throw new ZkError('PROOF_INVALID', `${path} is not a Groth16 verification key (snarkjs's verification_key.json, or zkCircuit { verificationKey } from the API)`);
  }
  return key as unknown as VerificationKey;
}
