import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keccak256, toHex, zeroHash, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { buildResultTree, hashResultLeaf, type ResultLeaf } from '../chain/result-merkle';
import { SECP256K1_ORDER, signatureFlaw } from '../chain/signature';
import { RESULT_TYPES, verityDomain } from '../chain/typed-data';
import {
  commitModel,
  importOnnx,
  parseInputs,
  quantize,
  quantizeInput,
  type QuantizedModel,
  traceOf,
} from '../engine';
import { loadMnistHoldout, mnistFixtureDir } from '../engine/testing';
import { wrongOutputTrace } from '../worker/fault-injection';
import {
  checkInclusion,
  checkResult,
  isCommittedResult,
  verifyModel,
  type VerifiedModel,
} from './challenge-target';
import type { ApiInference, ApiModel } from './challenger-api-client';

const WORKER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const CHAIN_BATCH_ID = 7n;
const WINDOW_ENDS_AT = 1_000_000n;

function mnistModel(): QuantizedModel {
  const dir = mnistFixtureDir();
  const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
  return quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
}

describe('challenge targets', () => {
  const quantized = mnistModel();
  const served: ApiModel = { id: 'mnist', commitment: '0x', quantizedJson: JSON.stringify(quantized) };
  let model: VerifiedModel;
  const account = privateKeyToAccount(WORKER_KEY);
  const domain = verityDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const inputs = loadMnistHoldout().inputs.slice(0, 3);
  let inferences: (ApiInference & { batch: NonNullable<ApiInference['batch']> })[];
  let root: Hex;
  let proofs: Hex[][];

  /** What the API shows for a result the worker signed (the second one with a wrong output). */
  async function apiInference(index: number, leaf: ResultLeaf, output: bigint[], input: bigint[]) {
    const signature = await account.signTypedData({
      domain,
      types: RESULT_TYPES,
      primaryType: 'Result',
      message: leaf,
    });
    return {
      id: `inference-${index}`,
      requestId: leaf.requestId,
      modelId: 'mnist',
      modelCommitment: leaf.modelCommitment,
      mode: 'OPTIMISTIC',
      status: 'CHALLENGEABLE',
      inputFixed: input.map(String),
      inputCommitment: leaf.inputCommitment,
      outputFixed: output.map(String),
      outputCommitment: leaf.outputCommitment,
      traceCommitment: leaf.traceCommitment,
      worker: leaf.worker,
      workerSignature: signature,
      leafIndex: index,
      leafHash: hashResultLeaf(leaf),
      batch: {
        id: 'batch-1',
        status: 'COMMITTED',
        chainBatchId: CHAIN_BATCH_ID.toString(),
        root,
      },
    } satisfies ApiInference;
  }

  beforeAll(async () => {
    served.commitment = commitModel(quantized).commitment;
    model = verifyModel(served);
    const traces = inputs.map((input) => traceOf(quantized, quantizeInput(quantized, input)));
    traces[1] = wrongOutputTrace(quantized, traces[1]);
    const leaves: ResultLeaf[] = traces.map((trace, n) => ({
      requestId: keccak256(toHex(`request-${n}`)),
      modelCommitment: model.commitment.commitment,
      inputCommitment: trace.inputCommitment,
      outputCommitment: trace.outputCommitment,
      traceCommitment: trace.traceCommitment,
      worker: account.address,
    }));
    const tree = buildResultTree(leaves);
    root = tree.root;
    proofs = leaves.map((_, n) => tree.proof(n));
    inferences = await Promise.all(
      leaves.map((leaf, n) => apiInference(n, leaf, traces[n].output, traces[n].input)),
    );
  });

  it('accepts a result whose leaf, signature, model, input, output and proof all check out', async () => {
    const result = await checkResult(inferences[1], model, domain);
    expect(result.leafHash).toBe(inferences[1].leafHash);
    expect(result.chainBatchId).toBe(CHAIN_BATCH_ID);
    const target = checkInclusion(
      result,
      proofs[1],
      { root, challengeEndsAt: WINDOW_ENDS_AT },
      WINDOW_ENDS_AT - 1n,
    );
    expect(target.leafProof).toEqual(proofs[1]);
    expect(target.model.parts.stepCount).toBe(BigInt(quantized.steps.length));
  });

  it('refuses a proof that does not lead to the batch root read on-chain', async () => {
    const result = await checkResult(inferences[1], model, domain);
    expect(() => checkInclusion(result, proofs[0], { root, challengeEndsAt: WINDOW_ENDS_AT }, 0n)).toThrow(
      /leaf proof does not lead to the root of batch 7/,
    );
    const otherRoot = keccak256(toHex('another batch'));
    expect(() =>
      checkInclusion(result, proofs[1], { root: otherRoot, challengeEndsAt: WINDOW_ENDS_AT }, 0n),
    ).toThrow(expect.objectContaining({ code: 'TARGET_REFUSED' }));
    expect(() => checkInclusion(result, null, { root, challengeEndsAt: WINDOW_ENDS_AT }, 0n)).toThrow(
      /no leaf proof/,
    );
  });

  it('refuses a batch the Settlement does not know and a window that is over at the latest block', async () => {
    const result = await checkResult(inferences[1], model, domain);
    expect(() => checkInclusion(result, proofs[1], { root: zeroHash, challengeEndsAt: 0n }, 0n)).toThrow(
      /knows no batch 7/,
    );
    expect(() =>
      checkInclusion(result, proofs[1], { root, challengeEndsAt: WINDOW_ENDS_AT }, WINDOW_ENDS_AT),
    ).toThrow(expect.objectContaining({ code: 'WINDOW_CLOSED' }));
  });

  it('refuses a served model that does not commit to what the API says', () => {
    const tampered: QuantizedModel = JSON.parse(served.quantizedJson);
    const first = tampered.steps[0];
    if (first.op !== 'linear') throw new Error('the MNIST MLP starts with a linear step');
    first.weights[0] = Number(first.weights[0]) + 1;
    expect(() => verifyModel({ ...served, quantizedJson: JSON.stringify(tampered) })).toThrow(
      /the served model commits to 0x[0-9a-f]{64}, the API says/,
    );
    expect(() => verifyModel({ ...served, quantizedJson: '{"not":"a model"}' })).toThrow(
      /not a quantized model/,
    );
  });

  it('refuses a result whose leaf names another model commitment than the served model', async () => {
    const other = {
      ...model,
      commitment: { ...model.commitment, commitment: keccak256(toHex('other model')) },
    };
    await expect(checkResult(inferences[0], other, domain)).rejects.toThrow(
      /model mnist commits to 0x[0-9a-f]+, the leaf names/,
    );
  });

  it('refuses a result whose output does not hash to its output commitment', async () => {
    const honestOutput = inferences[0].outputFixed;
    const lying = { ...inferences[1], outputFixed: honestOutput };
    await expect(checkResult(lying, model, domain)).rejects.toThrow(
      /outputFixed does not hash to the output commitment/,
    );
  });

  it('refuses a result whose input does not hash to its input commitment', async () => {
    const inputFixed = [...inferences[0].inputFixed];
    inputFixed[300] = String(Number(inputFixed[300]) + 1);
    await expect(checkResult({ ...inferences[0], inputFixed }, model, domain)).rejects.toThrow(
      /inputFixed does not hash to the input commitment/,
    );
  });

  it('refuses fields that do not hash to the leaf hash the API gives, and a signature of another leaf', async () => {
    const swapped = { ...inferences[0], leafHash: inferences[1].leafHash };
    await expect(checkResult(swapped, model, domain)).rejects.toThrow(/its fields hash to leaf/);
    const forged = { ...inferences[0], workerSignature: inferences[1].workerSignature };
    await expect(checkResult(forged, model, domain)).rejects.toThrow(/signature does not recover/);
  });

  it('disputes a result served with a malleated signature (high s, v as 0 or 1) with its canonical twin, the form DisputeGame.open accepts', async () => {
    const honest = (inferences[1].workerSignature ?? '').toLowerCase();
    const r = honest.slice(2, 66);
    const s = BigInt(`0x${honest.slice(66, 130)}`);
    const v = parseInt(honest.slice(130, 132), 16);
    const highS = `0x${r}${(SECP256K1_ORDER - s).toString(16).padStart(64, '0')}${v === 27 ? '1c' : '1b'}`;
    const yParity = `0x${honest.slice(2, 130)}0${v - 27}`;
    for (const malleated of [highS, yParity]) {
      const result = await checkResult(
        { ...inferences[1], workerSignature: malleated as Hex },
        model,
        domain,
      );
      expect(result.workerSignature).toBe(honest);
      expect(signatureFlaw(result.workerSignature)).toBeNull();
    }
  });

  it('treats a result as not ready until its batch is committed on-chain', () => {
    expect(isCommittedResult(inferences[0])).toBe(true);
    const pending = {
      ...inferences[0],
      batch: { ...inferences[0].batch, status: 'SUBMITTED', chainBatchId: null },
    };
    expect(isCommittedResult(pending)).toBe(false);
    expect(isCommittedResult({ ...inferences[0], leafHash: null })).toBe(false);
  });
});
