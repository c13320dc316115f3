/**
 * Reading the dispute game: any view function by name, and a dispute with its turn, both clocks and,
 * on the challenger's turn, the pages and values the defender revealed (from the game's events:
 * the game stores only the current node).
 */
import type { Abi, Address, Chain, Hex, PublicClient, Transport } from 'viem';
import { ChainError } from './chain.errors';
import { DisputePhase, DisputeSide } from './dispute-game';
import { DisputeGameAbi } from './generated/contracts';

/** The game's ABI, widened so a view function can be read by its name. */
const READ_ABI: Abi = DisputeGameAbi;

export interface DisputeGameAt {
  game: Address;
  publicClient: PublicClient<Transport, Chain>;
}

/** A view function of the game, by name. */
export type GameRead = <T>(functionName: string, args?: readonly unknown[]) => Promise<T>;

export function gameReader({ game, publicClient }: DisputeGameAt): GameRead {
  return <T>(functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address: game, abi: READ_ABI, functionName, args }) as Promise<T>;
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

/**
 * The dispute's state, its turn and both clocks (as of the latest block) and, on the challenger's
 * turn, the pages and values the defender revealed (read from events). `fromBlock`: the block the
 * dispute was opened in, when known, so a node that limits log ranges is asked only for the
 * dispute's own blocks; default the first block.
 */
export async function readDisputeView(
  at: DisputeGameAt,
  id: bigint,
  fromBlock?: bigint,
): Promise<DisputeView> {
  const read = gameReader(at);
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
      revealed ? revealedPages(at, 'TracePageRevealed', id, fromBlock) : [],
      revealed && stored.phase >= DisputePhase.AwaitChunkPick
        ? revealedPages(at, 'ChunkPageRevealed', id, fromBlock)
        : [],
      revealed && stored.phase === DisputePhase.AwaitOneStep ? revealedChunkValues(at, id, fromBlock) : [],
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
}

/** The arguments of every `eventName` the game emitted for dispute `id`, oldest first. */
async function revealedArgs<Args>(
  { game, publicClient }: DisputeGameAt,
  eventName: 'TracePageRevealed' | 'ChunkPageRevealed' | 'ChunkValuesRevealed',
  id: bigint,
  fromBlock: bigint | undefined,
): Promise<Args[]> {
  const logs = await publicClient.getContractEvents({
    address: game,
    abi: DisputeGameAbi,
    eventName,
    args: { disputeId: id },
    fromBlock: fromBlock ?? 'earliest',
  });
  return logs.map((log) => log.args as Args);
}

async function revealedPages(
  at: DisputeGameAt,
  eventName: 'TracePageRevealed' | 'ChunkPageRevealed',
  id: bigint,
  fromBlock: bigint | undefined,
): Promise<RevealedPage[]> {
  const pages = await revealedArgs<{ height: bigint; parentIndex: bigint; nodes: readonly Hex[] }>(
    at,
    eventName,
    id,
    fromBlock,
  );
  return pages.map((page) => ({
    height: Number(page.height),
    parentIndex: Number(page.parentIndex),
    nodes: page.nodes,
  }));
}

/** The values of the chunk revealed last (the picked one), or none. */
async function revealedChunkValues(
  at: DisputeGameAt,
  id: bigint,
  fromBlock: bigint | undefined,
): Promise<bigint[]> {
  const reveals = await revealedArgs<{ values: readonly bigint[] }>(at, 'ChunkValuesRevealed', id, fromBlock);
  const last = reveals.at(-1);
  return last ? [...last.values] : [];
}

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
