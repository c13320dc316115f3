/**
 * The challenger's view of the chain: viem clients for its key on RPC_URL, checked to serve the
 * chain the API settles on, the dispute game the Settlement names (createDisputeClient), the few
 * Settlement calls a challenger needs (a batch's root and window, the latest block time), and the
 * Escrow the Settlement names, where its slash rewards are credited: what it is owed and its
 * claim. The bond, the clock and the Escrow are read from the chain, never taken from the API.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport } from 'viem';
import { createDisputeClient, type DisputeClient } from '../chain/dispute-client';
import { EscrowAbi, SettlementAbi } from '../chain/generated/contracts';
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
  /** Wei credited to this account in the Escrow (slash rewards; fees too, were it a worker). */
  escrowCredit(): Promise<bigint>;
  /** Escrow.claim: pays this account everything credited to it. */
  claimEscrow(): Promise<Hex>;
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
  const escrowAddress = await publicClient.readContract({ ...settlement, functionName: 'escrow' });
  const escrow = { address: escrowAddress, abi: EscrowAbi } as const;
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
    escrowCredit: () =>
      publicClient.readContract({ ...escrow, functionName: 'claimableOf', args: [account.address] }),
    async claimEscrow() {
      const { request } = await publicClient.simulateContract({ ...escrow, functionName: 'claim', account });
      const hash = await walletClient.writeContract(request);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success')
        throw new ChallengerError('CLAIM_REVERTED', `Escrow.claim reverted on-chain`, { hash });
      return hash;
    },
  };
}
