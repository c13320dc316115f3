/**
 * verifyResult: whether an inference's result holds, decided by the chain and by values the
 * client recomputes, never by what the API says about it (its status, its FINAL, its addresses).
 * The API is only where the candidate result and its evidence come from; every check below
 * either recomputes a hash from them or reads the contracts through the Settlement address the
 * dapp passes in.
 */
import type { Address, PublicClient } from 'viem';
import { IVerityResultsAbi } from '../chain/generated/contracts';
import { VerityClientError } from './client.errors';
import { openChainView, type ChainView } from './chain-view';
import { optimisticChecks } from './optimistic-checks';
import {
  asBytes32,
  asIntegers,
  CHAIN_REQUEST_CHECK,
  check,
  fail,
  sameIntegers,
  type ResultCheck,
  type VerifiableInference,
  type VerificationReport,
} from './result-checks';
import { zkChecks, type ZkHints } from './zk-checks';

/** Settlement's RequestStatus (contracts/interfaces/IVerityResults.sol). */
const REQUEST_STATUS_NAMES = ['None', 'Open', 'Pending', 'Disputed', 'Final'] as const;

export interface VerifyContext {
  publicClient: PublicClient;
  /** The Settlement contract the dapp trusts; the registries are read from it. */
  settlement: Address;
  hints: ZkHints;
}

/** A request made on-chain: Settlement's own record of it is final with the same output. */
async function chainRequestCheck(view: ChainView, inference: VerifiableInference): Promise<ResultCheck> {
  const requestId = asBytes32(inference.requestId);
  const output = asIntegers(inference.outputFixed);
  if (!requestId || !output) return fail(CHAIN_REQUEST_CHECK, 'the API shows no request id or no output');
  const [onChainOutput, isFinal, status] = await view.read<readonly [readonly bigint[], boolean, number, Address, bigint]>(
    view.settlement,
    IVerityResultsAbi,
    'resultOf',
    [requestId],
  );
  const same = sameIntegers(onChainOutput, output);
  return check(
    CHAIN_REQUEST_CHECK,
    isFinal && same,
    `Settlement holds request ${requestId} as ${REQUEST_STATUS_NAMES[status] ?? status}${
      onChainOutput.length === 0 ? ' with no output' : same ? ' with the same output' : ' with another output'
    }`,
  );
}

/** Runs every check of the inference's mode and reports each; never throws for a failed check. */
export async function checkResult(context: VerifyContext, inference: VerifiableInference): Promise<VerificationReport> {
  const view = await openChainView(context.publicClient, context.settlement);
  const checks =
    inference.mode === 'ZK' ? await zkChecks(view, inference, context.hints) : await optimisticChecks(view, inference);
  if (inference.origin === 'CHAIN') checks.push(await chainRequestCheck(view, inference));
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  return {
    inferenceId: inference.id,
    requestId: inference.requestId,
    mode: inference.mode,
    verified: failed.length === 0,
    checks,
    failed,
    chain: { chainId: view.chainId, settlement: view.settlement, blockNumber: view.blockNumber, blockTimestamp: view.blockTimestamp },
  };
}

/** The report when every check passed; RESULT_NOT_VERIFIED naming the failed checks otherwise. */
export async function verifyResult(context: VerifyContext, inference: VerifiableInference): Promise<VerificationReport> {
  const report = await checkResult(context, inference);
  if (!report.verified) {
    const reasons = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    throw new VerityClientError('RESULT_NOT_VERIFIED', `inference ${inference.id} is not verified: ${reasons.join('; ')}`, {
      failed: report.failed,
      report,
    });
  }
  return report;
}
