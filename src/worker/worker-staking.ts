/**
 * `verity worker --stake`: make the worker key active in WorkerRegistry by staking what is missing
 * up to the protocol's minimum stake (WorkerRegistry.register, payable), unless it is active already.
 */
import type { Hex, LocalAccount } from 'viem';
import type { Logger } from 'pino';
import { WorkerRegistryAbi } from '../chain/generated/contracts';
import { connectChain } from '../runtime/connect-chain';
import type { ProtocolInfo } from './worker-api-client';
import { WorkerError } from './worker.errors';

export interface StakeOutcome {
  /** Whether this call sent a stake transaction (false: already active). */
  staked: boolean;
  amountWei: bigint;
  transactionHash?: Hex;
}

export async function ensureStaked(options: {
  rpcUrl: string;
  account: LocalAccount;
  protocol: ProtocolInfo;
  log: Logger;
}): Promise<StakeOutcome> {
  const { rpcUrl, account, protocol, log } = options;
  const registry = { address: protocol.workerRegistry, abi: WorkerRegistryAbi } as const;
  try {
    const { publicClient, walletClient } = await connectChain({
      rpcUrl,
      account,
      chain: protocol.chainId,
      expected: `the API's protocol is on chain ${protocol.chainId}`,
    });
    if (await publicClient.readContract({ ...registry, functionName: 'isActive', args: [account.address] })) {
      log.info({ worker: account.address }, 'worker is already staked and active');
      return { staked: false, amountWei: 0n };
    }
    const current = await publicClient.readContract({
      ...registry,
      functionName: 'workerOf',
      args: [account.address],
    });
    if (current.withdrawableAt !== 0n) {
      throw new WorkerError(
        'STAKE_FAILED',
        `worker ${account.address} has a withdrawal pending (withdrawable at ${current.withdrawableAt}); it cannot stake until it withdraws`,
      );
    }
    const amountWei = BigInt(protocol.minimumStakeWei) - current.stake;
    log.info(
      { worker: account.address, amountWei: amountWei.toString(), registry: protocol.workerRegistry },
      'staking in WorkerRegistry',
    );
    const transactionHash = await walletClient.writeContract({
      ...registry,
      functionName: 'register',
      value: amountWei,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash });
    if (receipt.status !== 'success')
      throw new WorkerError('STAKE_FAILED', `the stake transaction ${transactionHash} reverted`);
    if (
      !(await publicClient.readContract({ ...registry, functionName: 'isActive', args: [account.address] }))
    ) {
      throw new WorkerError('STAKE_FAILED', `worker ${account.address} is still not active after staking`);
    }
    return { staked: true, amountWei, transactionHash };
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    const reason =
      error instanceof Error
        ? ((error as Error & { shortMessage?: string }).shortMessage ?? error.message)
        : String(error);
    throw new WorkerError('STAKE_FAILED', `staking failed: ${reason}`, {}, { cause: error });
  }
}
