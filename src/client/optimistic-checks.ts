/**
 * The checks of an optimistic result, each against the chain or against values the client
 * recomputes itself: the leaf from its six fields (src/chain/result-merkle.ts), the batch root
 * Settlement holds, the worker's EIP-712 signature (src/chain/typed-data.ts) and stake, the
 * batch's window, and the leaf's disputes. The same rules the service applies before it calls an
 * API result FINAL (src/settlement/result-finalizer.ts), read here without trusting the service.
 */
import { formatEther, type Address, type Hex } from 'viem';
import { ModelRegistryAbi, SettlementAbi, WorkerRegistryAbi } from '../chain/generated/contracts';
import { hashResultLeaf, outputCommitment, verifyResultProof, type ResultLeaf } from '../chain/result-merkle';
import { recoverResultSigner, verityDomain } from '../chain/typed-data';
import { commitTensor } from '../engine';
import type { ChainView } from './chain-view';
import {
  asAddress,
  asBytes32,
  asIntegers,
  check,
  fail,
  sameHex,
  type ResultCheck,
  type VerifiableInference,
} from './result-checks';

/** ModelRegistry's mode flags (contracts/ModelRegistry.sol). */
export const MODE_FLAG = { ZK: 1, OPTIMISTIC: 2 } as const;

interface WorkerRecord {
  stake: bigint;
  withdrawableAt: bigint;
  frozen: number;
}

/** The leaf as the API shows it, or what is missing for one. */
function leafOf(inference: VerifiableInference): ResultLeaf | string {
  const requestId = asBytes32(inference.requestId);
  const modelCommitment = asBytes32(inference.modelCommitment);
  const inputCommitment = asBytes32(inference.inputCommitment);
  const outputCommitmentHex = asBytes32(inference.outputCommitment);
  const traceCommitment = asBytes32(inference.traceCommitment);
  const worker = asAddress(inference.worker);
  if (!requestId || !modelCommitment || !inputCommitment) return 'the API shows no well-formed request id, model or input commitment';
  if (!outputCommitmentHex || !traceCommitment || !worker) return `the API shows no complete result (status ${inference.status})`;
  return { requestId, modelCommitment, inputCommitment, outputCommitment: outputCommitmentHex, traceCommitment, worker };
}

export async function modelRegisteredCheck(view: ChainView, inference: VerifiableInference, flag: number): Promise<ResultCheck> {
  const model = asBytes32(inference.modelCommitment);
  if (!model) return fail('MODEL_REGISTERED', 'the API shows no well-formed model commitment');
  const allowed = await view.read<boolean>(view.modelRegistry, ModelRegistryAbi, 'allows', [model, flag]);
  return check(
    'MODEL_REGISTERED',
    allowed,
    allowed
      ? `ModelRegistry ${view.modelRegistry} holds model ${model} and allows ${inference.mode}`
      : `ModelRegistry ${view.modelRegistry} does not hold model ${model} with ${inference.mode} allowed`,
  );
}

function commitmentChecks(inference: VerifiableInference, leaf: ResultLeaf | string): ResultCheck[] {
  const output = asIntegers(inference.outputFixed);
  const input = asIntegers(inference.inputFixed);
  const checks: ResultCheck[] = [];
  if (!output || typeof leaf === 'string') {
    checks.push(fail('OUTPUT_MATCHES_LEAF', typeof leaf === 'string' ? leaf : 'the API shows no integer output'));
  } else {
    const computed = outputCommitment(output);
    checks.push(
      check(
        'OUTPUT_MATCHES_LEAF',
        sameHex(computed, leaf.outputCommitment),
        `the output's tensor root is ${computed}; the leaf commits to ${leaf.outputCommitment}`,
      ),
    );
  }
  if (!input || typeof leaf === 'string') {
    checks.push(fail('INPUT_MATCHES_LEAF', typeof leaf === 'string' ? leaf : 'the API shows no integer input'));
  } else {
    const computed = commitTensor(input);
    checks.push(
      check(
        'INPUT_MATCHES_LEAF',
        sameHex(computed, leaf.inputCommitment),
        `the input's tensor root is ${computed}; the leaf commits to ${leaf.inputCommitment}`,
      ),
    );
  }
  if (typeof leaf === 'string') {
    checks.push(fail('LEAF_HASH', leaf));
  } else {
    const computed = hashResultLeaf(leaf);
    checks.push(check('LEAF_HASH', sameHex(computed, inference.leafHash), `the leaf's fields hash to ${computed}; the API shows ${inference.leafHash ?? 'none'}`));
  }
  return checks;
}

async function rootCheck(view: ChainView, inference: VerifiableInference, leafHash: Hex): Promise<{ check: ResultCheck; windowEndsAt: bigint | null }> {
  const batchId = inference.batch?.chainBatchId;
  if (!batchId || !/^[0-9]{1,78}$/.test(batchId)) {
    return { check: fail('ROOT_ON_CHAIN', `the result is in no committed batch (status ${inference.status})`), windowEndsAt: null };
  }
  const [root, windowEndsAt] = await view.read<readonly [Hex, bigint]>(view.settlement, SettlementAbi, 'batchRootAndWindow', [BigInt(batchId)]);
  if (/^0x0{64}$/.test(root)) {
    return { check: fail('ROOT_ON_CHAIN', `Settlement ${view.settlement} holds no batch ${batchId}`), windowEndsAt: null };
  }
  const proof = (inference.leafProof ?? []).map(asBytes32);
  if (proof.some((node) => node === null)) {
    return { check: fail('ROOT_ON_CHAIN', 'the leaf proof holds a node that is not 32 bytes'), windowEndsAt };
  }
  const ok = verifyResultProof(leafHash, proof as Hex[], root);
  return {
    check: check(
      'ROOT_ON_CHAIN',
      ok,
      ok
        ? `leaf ${leafHash} is in batch ${batchId}, root ${root} on chain`
        : `the leaf proof does not lead from leaf ${leafHash} to batch ${batchId}'s root ${root} on chain`,
    ),
    windowEndsAt,
  };
}

async function signerChecks(view: ChainView, inference: VerifiableInference, leaf: ResultLeaf): Promise<ResultCheck[]> {
  const signature = inference.workerSignature ?? '';
  const signer = await recoverResultSigner(verityDomain(view.chainId, view.settlement), leaf, signature as Hex);
  const signed = signer !== null && sameHex(signer, leaf.worker);
  const signatureCheck = check(
    'WORKER_SIGNATURE',
    signed,
    signed
      ? `the EIP-712 Result signature recovers ${signer}, the leaf's worker`
      : `the EIP-712 Result signature recovers ${signer ?? 'no one (malformed or not canonical)'}, the leaf names ${leaf.worker}`,
  );
  const worker: Address = leaf.worker;
  const [record, minimumStake] = await Promise.all([
    view.read<WorkerRecord>(view.workerRegistry, WorkerRegistryAbi, 'workerOf', [worker]),
    view.read<bigint>(view.workerRegistry, WorkerRegistryAbi, 'minimumStake'),
  ]);
  const staked = record.stake >= minimumStake;
  const leaving = record.withdrawableAt !== 0n ? ', withdrawal requested' : '';
  const stakeCheck = check(
    'SIGNER_STAKED',
    staked,
    `worker ${worker} holds ${formatEther(record.stake)} ETH in WorkerRegistry ${view.workerRegistry}${leaving}; the minimum stake is ${formatEther(minimumStake)} ETH`,
  );
  return [signatureCheck, stakeCheck];
}

async function finalityChecks(view: ChainView, leafHash: Hex, windowEndsAt: bigint | null): Promise<ResultCheck[]> {
  const windowCheck =
    windowEndsAt === null
      ? fail('WINDOW_OVER', 'no batch on chain holds the result, so no window runs')
      : check(
          'WINDOW_OVER',
          view.blockTimestamp >= windowEndsAt,
          `the batch's challenge window ends at ${new Date(Number(windowEndsAt) * 1000).toISOString()}; block ${view.blockNumber} is at ${new Date(Number(view.blockTimestamp) * 1000).toISOString()}`,
        );
  const [open, discarded] = await Promise.all([
    view.read<bigint>(view.settlement, SettlementAbi, 'openDisputesOf', [leafHash]),
    view.read<boolean>(view.settlement, SettlementAbi, 'isLeafDiscarded', [leafHash]),
  ]);
  return [
    windowCheck,
    check('NO_OPEN_DISPUTE', open === 0n, `${open} undecided dispute(s) on leaf ${leafHash}`),
    check('LEAF_NOT_DISCARDED', !discarded, discarded ? `a dispute found leaf ${leafHash} wrong: it is discarded` : `leaf ${leafHash} is not discarded`),
  ];
}

/** Every check of an optimistic result, in OPTIMISTIC_CHECKS order. */
export async function optimisticChecks(view: ChainView, inference: VerifiableInference): Promise<ResultCheck[]> {
  const leaf = leafOf(inference);
  const checks = commitmentChecks(inference, leaf);
  checks.push(await modelRegisteredCheck(view, inference, MODE_FLAG.OPTIMISTIC));
  if (typeof leaf === 'string') {
    for (const name of ['ROOT_ON_CHAIN', 'WORKER_SIGNATURE', 'SIGNER_STAKED', 'WINDOW_OVER', 'NO_OPEN_DISPUTE', 'LEAF_NOT_DISCARDED'] as const) {
      checks.push(fail(name, leaf));
    }
    return checks;
  }
  // The leaf hash is recomputed, never the API's: what is proven in the root is what was checked.
  const leafHash = hashResultLeaf(leaf);
  const root = await rootCheck(view, inference, leafHash);
  checks.push(root.check, ...(await signerChecks(view, inference, leaf)), ...(await finalityChecks(view, leafHash, root.windowEndsAt)));
  return checks;
}
