/**
 * Pure builders for every move of the dispute game (`disputeCalls`): the contract write each move
 * is, usable with any sender (the dispute client's, the service's transaction sender).
 */
import type { Address, Hex } from 'viem';
import { ChainError } from './chain.errors';
import type { ModelParts } from './dispute-commitments';
import { DISPUTE_CHUNK_SIZE_VALUES } from './dispute-game';
import { DisputeGameAbi } from './generated/contracts';
import type { ResultLeaf } from './result-merkle';

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
