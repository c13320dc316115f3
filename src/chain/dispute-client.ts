/**
 * A small viem helper for the dispute game (contracts/dispute/DisputeGame.sol, docs/disputes.md):
 * pure builders for every move (`disputeCalls`, usable with any sender, e.g. the service's
 * transaction sender), a client that simulates, sends and waits for each move, a reader that
 * returns a dispute with the pages and values the defender revealed (from the game's events: the
 * game stores only the current node), and the pure helpers both parties need (chunk leaves of a
 * tensor, the first place two lists differ). Used by the defender automation and the
 * `verity challenger` daemon.
 */
import {
  type Abi,
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
import {
  chunkValues,
  leafHash,
  merkleLevels,
  merkleRootOfLevels,
  modelCommitmentOf as engineModelCommitmentOf,
  traceCommitmentFromRoots,
} from '../engine';
import { DisputeGameAbi } from './generated/contracts';
import type { ResultLeaf } from './result-merkle';

/** The game's ABI, widened so the client can read by function name. */
const READ_ABI: Abi = DisputeGameAbi;

/** Values per chunk of a tensor (DisputeGame.CHUNK_SIZE_VALUES). */
export const DISPUTE_CHUNK_SIZE_VALUES = 16;

/**
 * Added to each move's gas estimate: the estimate runs on the latest block, the move lands in a
 * later one (the executor's one-step, a view call, may also take a path of its own).
 */
export const DISPUTE_GAS_MARGIN_PERCENT = 20n;

/** DisputePhase in IDisputeGame.sol: the move awaited next. */
export const DisputePhase = {
  None: 0,
  AwaitTracePage: 1,
  AwaitTracePick: 2,
  AwaitChunkPage: 3,
  AwaitChunkPick: 4,
  AwaitChunkValues: 5,
  AwaitOneStep: 6,
  Resolved: 7,
} as const;

/** Levels one page spans (DisputeGame.PAGE_DEPTH): a page is at most 256 nodes. */
export const DISPUTE_PAGE_DEPTH = 8;
export const DisputeSide = { None: 0, Challenger: 1, Defender: 2 } as const;
export const DisputeOutcome = { Undecided: 0, ChallengerWon: 1, DefenderWon: 2 } as const;
export const DisputeReason = {
  None: 0,
  InputMismatch: 1,
  OutputMismatch: 2,
  OneStep: 3,
  Timeout: 4,
} as const;

/** The preimage of a model commitment (format v2). */
export interface ModelParts {
  headerHash: Hex;
  parametersRoot: Hex;
  parameterCount: bigint;
  stepsRoot: Hex;
  stepCount: bigint;
}

/** keccak256(abi.encode(headerHash, parametersRoot, parameterCount, stepsRoot, stepCount)): the engine's definition. */
export function modelCommitmentOf(parts: ModelParts): Hex {
  return engineModelCommitmentOf(parts);
}

/** The trace commitment (format v3): the Merkle root over the tensor roots. */
export function traceCommitmentOf(tensorRoots: readonly Hex[]): Hex {
  return traceCommitmentFromRoots(tensorRoots);
}

/** The chunk leaves of a tensor, in order (the leaves of its chunk tree; their root is the tensor root). */
export function chunkLeaves(values: readonly bigint[]): Hex[] {
  return chunkValues(values).map((chunk, index) => leafHash(index, chunk));
}

/** The tensor root over chunk leaves (LibTensorRoot.rootFromLeaves). */
export function rootFromChunkLeaves(leaves: readonly Hex[]): Hex {
  return merkleRootOfLevels(merkleLevels([...leaves]));
}

/** The 16 values of chunk `chunkIndex` of a tensor, zero-padded (what revealChunkValues posts). */
export function chunkAt(values: readonly bigint[], chunkIndex: number): bigint[] {
  const chunk = values.slice(
    chunkIndex * DISPUTE_CHUNK_SIZE_VALUES,
    (chunkIndex + 1) * DISPUTE_CHUNK_SIZE_VALUES,
  );
  while (chunk.length < DISPUTE_CHUNK_SIZE_VALUES) chunk.push(0n);
  return chunk;
}

/** The first index at which two lists differ (case-insensitive for hex), or -1 when they agree. */
export function firstDifference<T extends Hex | bigint>(ours: readonly T[], theirs: readonly T[]): number {
  const same = (a: T, b: T) =>
    typeof a === 'string' ? a.toLowerCase() === String(b).toLowerCase() : a === b;
  const length = Math.max(ours.length, theirs.length);
  for (let i = 0; i < length; i++) {
    if (i >= ours.length || i >= theirs.length || !same(ours[i], theirs[i])) return i;
  }
  return -1;
}

/** A contract write: address, ABI, function, arguments and value, for any sender. */
export interface DisputeCall {
  address: Address;
  abi: typeof DisputeGameAbi;
  functionName: DisputeFunction;
  args: readonly unknown[];
  value?: bigint;
}

export type DisputeFunction =
  | 'open'
  | 'revealTracePage'
  | 'pickTraceNode'
  | 'revealChunkPage'
  | 'pickChunkNode'
  | 'revealChunkValues'
  | 'oneStep'
  | 'claimTimeout'
  | 'withdraw';

export interface OpenDisputeArgs {
  batchId: bigint;
  leaf: ResultLeaf;
  leafProof: readonly Hex[];
  parts: ModelParts;
  workerSignature: Hex;
  /** The challenger bond (DisputeGame.challengerBondWei). */
  bondWei: bigint;
}

/** Builders of every move's call. */
export function disputeCalls(game: Address) {
  const call = (functionName: DisputeFunction, args: readonly unknown[], value?: bigint): DisputeCall => ({
    address: game,
    abi: DisputeGameAbi,
    functionName,
    args,
    value,
  });
  return {
    open: (a: OpenDisputeArgs) =>
      call('open', [a.batchId, a.leaf, a.leafProof, a.parts, a.workerSignature], a.bondWei),
    revealTracePage: (disputeId: bigint, nodes: readonly Hex[]) =>
      call('revealTracePage', [disputeId, nodes]),
    /** `step` carries the descriptor and its proof when the pick reaches a step's leaf (else empty). */
    pickTraceNode: (
      disputeId: bigint,
      position: number,
      node: Hex,
      siblings: readonly Hex[],
      step: { descriptor: Hex; proof: readonly Hex[] } = { descriptor: '0x', proof: [] },
    ) => call('pickTraceNode', [disputeId, BigInt(position), node, siblings, step.descriptor, step.proof]),
    revealChunkPage: (disputeId: bigint, nodes: readonly Hex[]) =>
      call('revealChunkPage', [disputeId, nodes]),
    pickChunkNode: (disputeId: bigint, position: number, node: Hex, siblings: readonly Hex[]) =>
      call('pickChunkNode', [disputeId, BigInt(position), node, siblings]),
    revealChunkValues: (disputeId: bigint, values: readonly bigint[]) => {
      if (values.length !== DISPUTE_CHUNK_SIZE_VALUES) {
        throw new ChainError(
          'INVALID_ARGUMENT',
          `a chunk has ${DISPUTE_CHUNK_SIZE_VALUES} values, got ${values.length}`,
        );
      }
      return call('revealChunkValues', [disputeId, values]);
    },
    oneStep: (disputeId: bigint, offset: number, values: readonly bigint[], witness: Hex) => {
      if (!Number.isInteger(offset) || offset < 0 || offset >= DISPUTE_CHUNK_SIZE_VALUES) {
        throw new ChainError(
          'INVALID_ARGUMENT',
          `a chunk offset is 0..${DISPUTE_CHUNK_SIZE_VALUES - 1}, got ${offset}`,
        );
      }
      return call('oneStep', [disputeId, offset, values, witness]);
    },
    claimTimeout: (disputeId: bigint) => call('claimTimeout', [disputeId]),
    withdraw: () => call('withdraw', []),
  };
}

/** A dispute as stored, with what the defender revealed and the clocks now. */
export interface DisputeView {
  id: bigint;
  challenger: Address;
  worker: Address;
  phase: number;
  outcome: number;
  reason: number;
  turn: number;
  batchId: bigint;
  leafHash: Hex;
  requestId: Hex;
  stepCount: number;
  stepIndex: number;
  outputLength: bigint;
  chunkCount: number;
  chunkIndex: number;
  /** The current node of the descent (trace tree, then the picked step's chunk tree), its height and index. */
  node: Hex;
  nodeHeight: number;
  nodeIndex: bigint;
  turnStartedAt: bigint;
  challengerClockUsed: bigint;
  defenderClockUsed: bigint;
  challengerClockRemaining: bigint;
  defenderClockRemaining: bigint;
  stepsRoot: Hex;
  parametersRoot: Hex;
  inputCommitment: Hex;
  outputCommitment: Hex;
  traceCommitment: Hex;
  /** Every trace page the defender revealed, oldest first (read on the challenger's turn only). */
  tracePages: readonly RevealedPage[];
  /** Every chunk page revealed (read on the challenger's turn only). */
  chunkPages: readonly RevealedPage[];
  /** The picked chunk's values, once revealed (else empty). */
  chunkValues: readonly bigint[];
}

/** A page as the game's event shows it: the 2^k nodes of height `height` under node (height + k, parentIndex). */
export interface RevealedPage {
  height: number;
  parentIndex: number;
  nodes: readonly Hex[];
}

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
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({
      address: game,
      abi: READ_ABI,
      functionName,
      args,
    }) as Promise<T>;

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

    /**
     * One dispute, its turn and both clocks (as of the latest block); on the challenger's turn also
     * the pages and values the defender revealed, read from the game's events.
     */
    /**
     * The dispute's state and, on the challenger's turn, the pages and values the defender revealed
     * (read from events). `fromBlock`: the block the dispute was opened in, when known, so a node
     * that limits log ranges is asked only for the dispute's own blocks; default the first block.
     */
    async readDispute(id: bigint, fromBlock?: bigint): Promise<DisputeView> {
      const [stored, turn] = await Promise.all([
        read<StoredDispute>('disputeOf', [id]),
        read<number>('turnOf', [id]),
      ]);
      if (stored.phase === DisputePhase.None) {
        throw new ChainError('DISPUTE_NOT_FOUND', `dispute ${id} does not exist`, {
          disputeId: id.toString(),
        });
      }
      const revealed = turn === DisputeSide.Challenger;
      const [challengerClockRemaining, defenderClockRemaining, tracePages, chunkPages, values] =
        await Promise.all([
          read<bigint>('clockRemaining', [id, DisputeSide.Challenger]),
          read<bigint>('clockRemaining', [id, DisputeSide.Defender]),
          revealed ? pages('TracePageRevealed', id, fromBlock) : [],
          revealed && stored.phase >= DisputePhase.AwaitChunkPick
            ? pages('ChunkPageRevealed', id, fromBlock)
            : [],
          revealed && stored.phase === DisputePhase.AwaitOneStep ? chunkValuesOf(id, fromBlock) : [],
        ]);
      return {
        id,
        ...stored,
        turn,
        challengerClockRemaining,
        defenderClockRemaining,
        tracePages,
        chunkPages,
        chunkValues: values,
      };
    },
  };

  async function pages(
    eventName: 'TracePageRevealed' | 'ChunkPageRevealed',
    id: bigint,
    fromBlock: bigint | undefined,
  ): Promise<RevealedPage[]> {
    const logs = await publicClient.getContractEvents({
      address: game,
      abi: DisputeGameAbi,
      eventName,
      args: { disputeId: id },
      fromBlock: fromBlock ?? 'earliest',
    });
    return logs.map((log) => {
      const args = log.args as { height: bigint; parentIndex: bigint; nodes: readonly Hex[] };
      return { height: Number(args.height), parentIndex: Number(args.parentIndex), nodes: args.nodes };
    });
  }

  async function chunkValuesOf(id: bigint, fromBlock: bigint | undefined): Promise<bigint[]> {
    const logs = await publicClient.getContractEvents({
      address: game,
      abi: DisputeGameAbi,
      eventName: 'ChunkValuesRevealed',
      args: { disputeId: id },
      fromBlock: fromBlock ?? 'earliest',
    });
    const last = logs.at(-1)?.args as { values: readonly bigint[] } | undefined;
    return last ? [...last.values] : [];
  }
}

export type DisputeClient = ReturnType<typeof createDisputeClient>;

/** The Dispute struct as viem decodes it. */
interface StoredDispute {
  turnStartedAt: bigint;
  challengerClockUsed: bigint;
  defenderClockUsed: bigint;
  phase: number;
  outcome: number;
  reason: number;
  stepCount: number;
  challenger: Address;
  stepIndex: number;
  chunkCount: number;
  nodeHeight: number;
  worker: Address;
  outputLength: bigint;
  chunkIndex: number;
  nodeIndex: bigint;
  node: Hex;
  batchId: bigint;
  leafHash: Hex;
  requestId: Hex;
  inputCommitment: Hex;
  outputCommitment: Hex;
  traceCommitment: Hex;
  stepsRoot: Hex;
  parametersRoot: Hex;
}
