/**
 * A small viem helper for the dispute game (contracts/dispute/DisputeGame.sol, docs/disputes.md):
 * a client that simulates, sends and waits for each move and reads disputes, used by the defender
 * automation and the `verity challenger` daemon. It also stands for the game's other TypeScript
 * parts, which it re-exports: its constants (dispute-game.ts), the pure builders of every move
 * (dispute-calls.ts), the pure helpers both parties need (dispute-commitments.ts) and a dispute as
 * read from the chain (dispute-view.ts).
 */
import {
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem';
import { ChainError } from './chain.errors';
import { disputeCalls, type DisputeCall, type OpenDisputeArgs } from './dispute-calls';
import { gameReader, readDisputeView, type DisputeView } from './dispute-view';
import { DisputeGameAbi } from './generated/contracts';

export * from './dispute-calls';
export * from './dispute-commitments';
export * from './dispute-game';
export * from './dispute-view';

/**
 * Added to each move's gas estimate: the estimate runs on the latest block, the move lands in a
 * later one (the executor's one-step, a view call, may also take a path of its own).
 */
export const DISPUTE_GAS_MARGIN_PERCENT = 20n;

export interface SentMove {
  hash: Hash;
  receipt: TransactionReceipt;
  gasUsed: bigint;
}

export interface DisputeClientOptions {
  game: Address;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
}

/** Sends moves from the wallet's account and reads disputes. Reverts surface as ChainError DISPUTE_MOVE_REFUSED. */
export function createDisputeClient({ game, publicClient, walletClient }: DisputeClientOptions) {
  const calls = disputeCalls(game);
  const read = gameReader({ game, publicClient });

  async function send(call: DisputeCall): Promise<SentMove> {
    let hash: Hash;
    try {
      const parameters = { ...call, account: walletClient.account } as never;
      const { request } = await publicClient.simulateContract(parameters);
      const estimate = await publicClient.estimateContractGas(parameters);
      const gas = estimate + (estimate * DISPUTE_GAS_MARGIN_PERCENT) / 100n;
      hash = await walletClient.writeContract({ ...(request as object), gas } as never);
    } catch (cause) {
      throw new ChainError(
        'DISPUTE_MOVE_REFUSED',
        `${call.functionName} was refused`,
        { functionName: call.functionName },
        { cause },
      );
    }
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      throw new ChainError('DISPUTE_MOVE_REVERTED', `${call.functionName} reverted on-chain`, { hash });
    }
    return { hash, receipt, gasUsed: receipt.gasUsed };
  }

  return {
    calls,
    send,
    challengerBondWei: () => read<bigint>('challengerBondWei'),
    maxClockSeconds: () => read<bigint>('maxClockSeconds'),
    /**
     * Every dispute opened on a leaf, oldest first. A leaf may carry several (anyone may open one
     * while the window is open, until one is won by its challenger): a defender answers each.
     */
    disputeIdsOf: (leafHashValue: Hex) => read<readonly bigint[]>('disputeIdsOf', [leafHashValue]),
    /** How many disputes on a leaf are undecided (its result is held while this is above zero). */
    openDisputesOf: (leafHashValue: Hex) => read<bigint>('openDisputesOf', [leafHashValue]),
    /** Whether a dispute on the leaf was won by its challenger: the leaf is wrong and closed to disputes. */
    leafRefuted: (leafHashValue: Hex) => read<boolean>('leafRefuted', [leafHashValue]),
    /** The first dispute won by its challenger on a leaf (0n: none). */
    refutingDisputeOf: (leafHashValue: Hex) => read<bigint>('refutingDisputeOf', [leafHashValue]),
    claimable: (account: Address) => read<bigint>('claimable', [account]),

    /** Opens a dispute (paying the bond) and returns its id from the DisputeOpened event. */
    async openDispute(args: Omit<OpenDisputeArgs, 'bondWei'> & { bondWei?: bigint }) {
      const bondWei = args.bondWei ?? (await read<bigint>('challengerBondWei'));
      const sent = await send(calls.open({ ...args, bondWei }));
      const [event] = parseEventLogs({
        abi: DisputeGameAbi,
        logs: sent.receipt.logs,
        eventName: 'DisputeOpened',
      });
      if (!event)
        throw new ChainError('DISPUTE_EVENT_MISSING', 'open mined without a DisputeOpened event', {
          hash: sent.hash,
        });
      return { ...sent, disputeId: event.args.disputeId };
    },
    revealTracePage: (id: bigint, nodes: readonly Hex[]) => send(calls.revealTracePage(id, nodes)),
    pickTraceNode: (...args: Parameters<typeof calls.pickTraceNode>) => send(calls.pickTraceNode(...args)),
    revealChunkPage: (id: bigint, nodes: readonly Hex[]) => send(calls.revealChunkPage(id, nodes)),
    pickChunkNode: (...args: Parameters<typeof calls.pickChunkNode>) => send(calls.pickChunkNode(...args)),
    revealChunkValues: (id: bigint, values: readonly bigint[]) => send(calls.revealChunkValues(id, values)),
    oneStep: (id: bigint, offset: number, values: readonly bigint[], witness: Hex) =>
      send(calls.oneStep(id, offset, values, witness)),
    claimTimeout: (id: bigint) => send(calls.claimTimeout(id)),
    withdraw: () => send(calls.withdraw()),

    /** The dispute with its turn, clocks and revealed pages and values (readDisputeView). */
    readDispute: (id: bigint, fromBlock?: bigint): Promise<DisputeView> =>
      readDisputeView({ game, publicClient }, id, fromBlock),
  };
}

export type DisputeClient = ReturnType<typeof createDisputeClient>;
