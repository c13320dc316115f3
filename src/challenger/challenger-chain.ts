/**
 * The challenger's view of the chain: viem clients for its key on RPC_URL, checked to serve the
 * chain the API settles on, the dispute game the Settlement names (createDisputeClient), and the
 * few Settlement calls a challenger needs: a batch's root and window, the latest block time, the
 * slash rewards it is owed and claimRewards. The bond and the clock are read from the game itself,
 * never taken from the API.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport } from 'viem';
import { createDisputeClient, type DisputeClient } from '../chain/dispute-client';
import { SettlementAbi } from '../chain/generated/contracts';
import { connectChain } from '../runtime/connect-chain';
import type { BatchWindow } from './challenge-target';
import type { ChallengerProtocol } from './challenger-api-client';
import { ChallengerError } from './challenger.errors';

export interface ChallengerChain {
  account: Account;
  publicClient: PublicClient<Transport, Chain>;
  disputes: DisputeClient;
  game: Address;
  /** DisputeGame.challengerBondWei, read from the game. */
  bondWei: bigint;
  maxClockSeconds: bigint;
  batchWindow(chainBatchId: bigint): Promise<BatchWindow>;
  latestTimestamp(): Promise<bigint>;
  balance(): Promise<bigint>;
  claimableRewards(): Promise<bigint>;
  claimRewards(): Promise<Hex>;
}

/** Connects, refusing a node on another chain than the API's or a game the Settlement does not name. */
export async function connectChallengerChain(options: {
  rpcUrl: string;
  privateKey: Hex;
  protocol: ChallengerProtocol;
}): Promise<ChallengerChain> {
  const { protocol } = options;
  const { account, publicClient, walletClient } = await connectChain({
    rpcUrl: options.rpcUrl,
    privateKey: options.privateKey,
    chain: protocol.chainId,
    expected: `the API settles on chain ${protocol.chainId}; point RPC_URL at a node of chain ${protocol.chainId}`,
  });
  const settlement = { address: protocol.settlement, abi: SettlementAbi } as const;
  const game = await publicClient.readContract({ ...settlement, functionName: 'disputeGame' });
  if (game.toLowerCase() !== protocol.disputeGame.toLowerCase()) {
    throw new ChallengerError(
      'CHAIN_MISMATCH',
      `the API names dispute game ${protocol.disputeGame}, but Settlement ${protocol.settlement} uses ${game}`,
    );
  }
  const disputes = createDisputeClient({ game, publicClient, walletClient });
  const [bondWei, maxClockSeconds] = await Promise.all([
    disputes.challengerBondWei(),
    disputes.maxClockSeconds(),
  ]);
  return {
    account,
    publicClient,
    disputes,
    game,
    bondWei,
    maxClockSeconds,
    async batchWindow(chainBatchId) {
      const [root, challengeEndsAt] = await publicClient.readContract({
        ...settlement,
        functionName: 'batchRootAndWindow',
        args: [chainBatchId],
      });
      return { root, challengeEndsAt: BigInt(challengeEndsAt) };
    },
    latestTimestamp: async () => (await publicClient.getBlock({ blockTag: 'latest' })).timestamp,
    balance: () => publicClient.getBalance({ address: account.address }),
    claimableRewards: () =>
      publicClient.readContract({ ...settlement, functionName: 'claimableRewards', args: [account.address] }),
    async claimRewards() {
      const { request } = await publicClient.simulateContract({
        ...settlement,
        functionName: 'claimRewards',
        account,
      });
      const hash = await walletClient.writeContract(request);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success')
        throw new ChallengerError('CLAIM_REVERTED', `claimRewards reverted on-chain`, { hash });
      return hash;
    },
  };
}
