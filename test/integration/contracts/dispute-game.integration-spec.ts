/**
 * DisputeGame on a real anvil node, with a host mock (batch roots, windows, callbacks) and an
 * executor mock (configured step output length and one-step value). Every party is played
 * dishonestly somewhere: a worker whose trace is wrong inside a step, at its input or at its
 * output; a challenger disputing a correct result; either side going silent; outsiders and wrong
 * data at every move; a worker disputing its own wrong result to shield it; several disputes on
 * one leaf, side by side and one after another.
 */
import {
  createWalletClient,
  encodeAbiParameters,
  http,
  keccak256,
  parseEventLogs,
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { anvil } from 'viem/chains';
import {
  chunkAt,
  chunkLeaves,
  createDisputeClient,
  DisputeOutcome,
  DisputePhase,
  DisputeReason,
  DisputeSide,
  firstDifference,
  modelCommitmentOf,
  rootFromChunkLeaves,
  traceCommitmentOf,
  type ModelParts,
} from '../../../src/chain/dispute-client';
import {
  DisputeGameAbi,
  DisputeGameBytecode,
  DisputeHostMockAbi,
  DisputeHostMockBytecode,
  OneStepExecutorMockAbi,
  OneStepExecutorMockBytecode,
} from '../../../src/chain/generated/contracts';
import { buildResultTree, hashResultLeaf, type ResultLeaf } from '../../../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../../../src/chain/typed-data';
import { commitTensor } from '../../../src/engine';
import { leafHash } from '../../../src/engine/commitment/merkle-tree';
import { tensorRoot } from '../../../src/engine/commitment/tensor-root';
import { WordTree, pageProof, paddingNode } from '../../../src/engine/commitment/word-tree';
import { bytes32, expectRevert, startChain, type Chain, type ContractCall } from './contracts-fixture';

const BOND = 10n ** 17n;
const MAX_CLOCK = 1_000n;
const WINDOW = 3_600n;
const CHAIN_ID = 31337;
/** MNIST-MLP-sized: a 784-value input, steps linear (56), relu (56), linear (10). */
const INPUT_LENGTH = 784;
const STEP_OUTPUT_LENGTHS = [56, 56, 10];
const STEP_COUNT = STEP_OUTPUT_LENGTHS.length;
/** Game calls decode errors from the game and both mocks. */
const GAME_ERRORS_ABI = [...DisputeGameAbi, ...DisputeHostMockAbi, ...OneStepExecutorMockAbi] as Abi;
/** The game's ABI, widened for reads by name. */
const GAME_ABI: Abi = DisputeGameAbi;
/**
 * Gas given to every game call. anvil's own estimate (eth_sendTransaction without gas) runs on a
 * pending block whose time is not the one setNextBlockTimestamp fixes and can come out short.
 */
const MOVE_GAS = 5_000_000n;

/** Deterministic small integers (a linear congruential sequence). */
function values(length: number, seed: number): bigint[] {
  let x = seed;
  return Array.from({ length }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return BigInt((x % 20001) - 10000);
  });
}

interface Scenario {
  batchId: bigint;
  leaf: ResultLeaf;
  leafHash: Hex;
  proof: Hex[];
  parts: ModelParts;
  signature: Hex;
  /** The correct tensors: input, then each step's output. */
  honest: bigint[][];
  /** The tensors the worker committed to (its trace). */
  claimed: bigint[][];
  roots: Hex[];
}

describe('DisputeGame', () => {
  let chain: Chain;
  let game: Address, host: Address, executor: Address;
  let deployer: Address, worker: Address, challenger: Address, outsider: Address, otherWorker: Address;
  let batchCounter = 0n;
  let requestCounter = 0;

  const gameCall = (functionName: string, args: readonly unknown[] = [], value?: bigint): ContractCall => ({
    address: game,
    abi: GAME_ERRORS_ABI,
    functionName,
    args,
    value,
    gas: MOVE_GAS,
  });
  const readGame = <T>(functionName: string, args: readonly unknown[] = [], blockNumber?: bigint) =>
    chain.publicClient.readContract({
      address: game,
      abi: GAME_ABI,
      functionName,
      args,
      blockNumber,
    }) as Promise<T>;
  const readHost = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.read<T>({ address: host, abi: DisputeHostMockAbi, functionName, args });
  const setExecutor = (functionName: string, args: readonly unknown[]) =>
    chain.send(deployer, { address: executor, abi: OneStepExecutorMockAbi, functionName, args });
  const dispute = (id: bigint) => readGame<Record<string, any>>('disputeOf', [id]);
  const latestTimestamp = async () => (await chain.publicClient.getBlock()).timestamp;
  /**
   * The next mined block (and so the next transaction) gets timestamp `t`. Simulations (eth_call
   * on the latest block) still see the latest block's time: to make a call see `t`, mine at `t`.
   */
  const at = (t: bigint) => chain.testClient.setNextBlockTimestamp({ timestamp: t });
  const mineAt = async (t: bigint) => {
    await at(t);
    await chain.testClient.mine({ blocks: 1 });
  };
  /** Mines a block at `t` unless the chain is already there. */
  const reach = async (t: bigint) => {
    if ((await latestTimestamp()) < t) await mineAt(t);
  };
  const gasOf = (receipt: TransactionReceipt) => receipt.gasUsed;

  const descriptorFor = (stepsRoot: Hex, stepIndex: number, outputLength: number) => {
    const descriptor = encodeAbiParameters([{ type: 'uint256' }], [BigInt(outputLength)]);
    const proof = [
      keccak256(
        encodeAbiParameters(
          [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'bytes' }],
          [stepsRoot, BigInt(stepIndex), descriptor],
        ),
      ),
    ];
    return { descriptor, proof };
  };

  /**
   * A committed, signed leaf of `worker` in a fresh batch (with one other leaf) whose window is
   * open. `corrupt` edits the worker's tensors before it commits its trace (a dishonest worker);
   * `leafOverrides` edits the leaf after the trace commitment is computed.
   */
  async function scenario(
    options: {
      corrupt?: (tensors: bigint[][]) => void;
      leafOverrides?: Partial<ResultLeaf>;
      signer?: Address;
      window?: bigint;
      /** Step output lengths (default: the MNIST-sized STEP_OUTPUT_LENGTHS). */
      lengths?: number[];
      /** The trace commitment the worker signs, from its roots (default: the canonical tree's root). */
      traceRoot?: (roots: Hex[]) => Hex;
    } = {},
  ): Promise<Scenario> {
    const id = ++requestCounter;
    const lengths = options.lengths ?? STEP_OUTPUT_LENGTHS;
    const honest = [values(INPUT_LENGTH, id), ...lengths.map((n, i) => values(n, id * 31 + i))];
    const claimed = honest.map((t) => [...t]);
    options.corrupt?.(claimed);
    const roots = claimed.map((t) => tensorRoot(t));
    const parts: ModelParts = {
      headerHash: bytes32(`header-${id}`),
      parametersRoot: bytes32(`parameters-${id}`),
      parameterCount: 44_522n,
      stepsRoot: bytes32(`steps-${id}`),
      stepCount: BigInt(lengths.length),
    };
    const leaf: ResultLeaf = {
      requestId: bytes32(`request-${id}`),
      modelCommitment: modelCommitmentOf(parts),
      inputCommitment: commitTensor(honest[0]),
      outputCommitment: commitTensor(claimed[lengths.length]),
      traceCommitment: options.traceRoot ? options.traceRoot(roots) : traceCommitmentOf(roots),
      worker,
      ...options.leafOverrides,
    };
    const other: ResultLeaf = { ...leaf, requestId: bytes32(`other-${id}`), worker: otherWorker };
    const tree = buildResultTree([other, leaf]);
    const batchId = ++batchCounter;
    const endsAt = (await latestTimestamp()) + (options.window ?? WINDOW);
    await chain.send(deployer, {
      address: host,
      abi: DisputeHostMockAbi,
      functionName: 'setBatch',
      args: [batchId, tree.root, endsAt],
    });
    const signature = await chain.signer(options.signer ?? leaf.worker).signTypedData({
      domain: verityDomain(CHAIN_ID, host),
      types: RESULT_TYPES,
      primaryType: 'Result',
      message: leaf,
    });
    return {
      batchId,
      leaf,
      leafHash: hashResultLeaf(leaf),
      proof: tree.proof(1),
      parts,
      signature,
      honest,
      claimed,
      roots,
    };
  }

  const openArgs = (s: Scenario) => [s.batchId, s.leaf, s.proof, s.parts, s.signature];

  /** Commits the scenario's leaf alone in a new batch with an open window; returns the batch id. */
  async function commitAgain(s: Scenario) {
    const batchId = ++batchCounter;
    await chain.send(deployer, {
      address: host,
      abi: DisputeHostMockAbi,
      functionName: 'setBatch',
      args: [batchId, buildResultTree([s.leaf]).root, (await latestTimestamp()) + WINDOW],
    });
    return batchId;
  }

  async function open(s: Scenario, from = challenger, value = BOND) {
    const receipt = await chain.send(from, gameCall('open', openArgs(s), value));
    const [event] = parseEventLogs({ abi: DisputeGameAbi, logs: receipt.logs, eventName: 'DisputeOpened' });
    return { id: event.args.disputeId, receipt };
  }

  // The moves, each from the party that normally plays it (defender moves from the service
  // account). The trace tree of STEP_COUNT + 1 = 4 tensor roots has depth 2: one page, the roots
  // themselves; a 56-value step output has 4 chunks (one page of 4 leaves); 10 values, one chunk.
  const revealedChunkLeaves = new Map<bigint, Hex[]>();
  const revealedValues = new Map<bigint, bigint[]>();
  const revealTrace = (id: bigint, nodes: readonly Hex[], from = deployer) =>
    chain.send(from, gameCall('revealTracePage', [id, nodes]));
  /** Picks trace leaf `leaf` of the one-page trace tree (with step leaf - 1's descriptor). */
  const pickLeaf = (s: Scenario, id: bigint, leaf: number, from = challenger, node = s.roots[leaf]) => {
    const step = Math.max(leaf - 1, 0);
    const { descriptor, proof } = descriptorFor(s.parts.stepsRoot, step, STEP_OUTPUT_LENGTHS[step]);
    return chain.send(
      from,
      gameCall('pickTraceNode', [id, BigInt(leaf), node, pageProof(s.roots, leaf), descriptor, proof]),
    );
  };
  const pickStep = (s: Scenario, id: bigint, step: number, from = challenger) => pickLeaf(s, id, step + 1, from);
  const revealChunks = (id: bigint, leaves: readonly Hex[], from = deployer) => {
    revealedChunkLeaves.set(id, [...leaves]);
    return chain.send(from, gameCall('revealChunkPage', [id, leaves]));
  };
  const pickChunk = (id: bigint, chunk: number, from = challenger) => {
    const leaves = revealedChunkLeaves.get(id) ?? [];
    return chain.send(
      from,
      gameCall('pickChunkNode', [id, BigInt(chunk), leaves[chunk] ?? bytes32('none'), pageProof(leaves, chunk)]),
    );
  };
  const revealChunkValues = (id: bigint, chunk: readonly bigint[], from = deployer) => {
    revealedValues.set(id, [...chunk]);
    return chain.send(from, gameCall('revealChunkValues', [id, chunk]));
  };
  const oneStep = (id: bigint, offset: number, from = challenger, witness: Hex = '0x1234') =>
    chain.send(from, gameCall('oneStep', [id, offset, revealedValues.get(id) ?? new Array(16).fill(0n), witness]));
  const claimTimeout = (id: bigint, from = outsider) => chain.send(from, gameCall('claimTimeout', [id]));

  /** Plays the defender honestly (for its own trace) and the challenger down to oneStep at (step, chunk). */
  async function playToOneStep(s: Scenario, id: bigint, step: number, chunk: number, from = challenger) {
    const receipts = [await revealTrace(id, s.roots)];
    receipts.push(await pickStep(s, id, step, from));
    const leaves = chunkLeaves(s.claimed[step + 1]);
    if (leaves.length > 1) {
      receipts.push(await revealChunks(id, leaves));
      receipts.push(await pickChunk(id, chunk, from));
    }
    receipts.push(await revealChunkValues(id, chunkAt(s.claimed[step + 1], chunk)));
    return receipts;
  }

  /** Makes the executor return `value` only for exactly this call (else it reverts). */
  async function expectOneStep(s: Scenario, step: number, element: number, value: bigint) {
    await setExecutor('expectCall', [
      s.parts.stepsRoot,
      s.parts.parametersRoot,
      s.leaf.traceCommitment,
      BigInt(step),
      BigInt(element),
    ]);
    await setExecutor('setValue', [value, false]);
  }

  beforeAll(async () => {
    chain = await startChain();
    [deployer, worker, challenger, outsider, otherWorker] = chain.accounts;
    host = await chain.deployAs(deployer, DisputeHostMockAbi, DisputeHostMockBytecode);
    executor = await chain.deployAs(deployer, OneStepExecutorMockAbi, OneStepExecutorMockBytecode);
    game = await chain.deployAs(deployer, DisputeGameAbi, DisputeGameBytecode, [
      host,
      executor,
      BOND,
      MAX_CLOCK,
    ]);
    await chain.send(deployer, {
      address: host,
      abi: DisputeHostMockAbi,
      functionName: 'setGame',
      args: [game],
    });
  });
  afterAll(async () => chain?.anvil.stop());

  describe('the tensor-root helpers agree with LibTensorRoot', () => {
    it('builds chunk leaves whose root is the tensor root', () => {
      const tensor = values(100, 7);
      expect(rootFromChunkLeaves(chunkLeaves(tensor))).toBe(tensorRoot(tensor));
      expect(chunkAt(tensor, 6)).toEqual([
        ...tensor.slice(96),
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
      ]);
      expect(
        firstDifference(chunkLeaves(tensor), chunkLeaves([...tensor.slice(0, 40), 1n, ...tensor.slice(41)])),
      ).toBe(2);
    });
  });

  describe('open', () => {
    it('test_open_validLeaf_opensDisputeWithDefenderToMove', async () => {
      const s = await scenario();
      const { id, receipt } = await open(s);
      const stored = await dispute(id);
      const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(stored).toMatchObject({
        challenger,
        worker,
        phase: DisputePhase.AwaitTracePage,
        outcome: DisputeOutcome.Undecided,
        stepCount: STEP_COUNT,
        batchId: s.batchId,
        leafHash: s.leafHash,
        requestId: s.leaf.requestId,
        traceCommitment: s.leaf.traceCommitment,
        stepsRoot: s.parts.stepsRoot,
        parametersRoot: s.parts.parametersRoot,
        turnStartedAt: block.timestamp,
      });
      expect(await readGame<number>('turnOf', [id])).toBe(DisputeSide.Defender);
      expect(await readGame<bigint[]>('disputeIdsOf', [s.leafHash])).toEqual([id]);
      expect(await readGame<bigint>('disputeCountOf', [s.leafHash])).toBe(1n);
      expect(await readGame<bigint>('disputeIdOfLeafAt', [s.leafHash, 0n])).toBe(id);
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(1n);
      expect(await readGame<boolean>('leafRefuted', [s.leafHash])).toBe(false);
      expect(await readHost<bigint>('openedCount', [s.leafHash])).toBe(1n);
      expect(await readHost<bigint>('openedBatch', [s.leafHash])).toBe(s.batchId);
      // The host is told the leaf's worker with the dispute (it never reads the game back).
      expect((await readHost<Address>('openedWorker', [s.leafHash])).toLowerCase()).toBe(s.leaf.worker.toLowerCase());
      expect(await readHost<boolean>('isHeld', [s.leafHash])).toBe(true);
    });

    it('test_open_wrongBond_reverts', async () => {
      const s = await scenario();
      await expectRevert(open(s, challenger, BOND - 1n), 'DisputeGame_IncorrectBond', [BOND - 1n, BOND]);
      await expectRevert(open(s, challenger, BOND + 1n), 'DisputeGame_IncorrectBond', [BOND + 1n, BOND]);
      await expectRevert(open(s, challenger, 0n), 'DisputeGame_IncorrectBond', [0n, BOND]);
    });

    it('test_open_unknownBatch_reverts', async () => {
      const s = await scenario();
      await expectRevert(
        chain.send(challenger, gameCall('open', [999_999n, s.leaf, s.proof, s.parts, s.signature], BOND)),
        'DisputeGame_UnknownBatch',
        [999_999n],
      );
    });

    it('test_open_afterWindow_reverts', async () => {
      const s = await scenario({ window: 50n });
      const [, challengeEndsAt] = await readHost<[Hex, bigint]>('batchRootAndWindow', [s.batchId]);
      await mineAt(challengeEndsAt);
      await expectRevert(open(s), 'DisputeGame_ChallengeWindowOver', [s.batchId, challengeEndsAt]);
    });

    it('test_open_lastSecondOfWindow_opens', async () => {
      const s = await scenario({ window: 50n });
      const [, challengeEndsAt] = await readHost<[Hex, bigint]>('batchRootAndWindow', [s.batchId]);
      await at(challengeEndsAt - 1n);
      const { receipt } = await open(s);
      expect((await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp).toBe(
        challengeEndsAt - 1n,
      );
    });

    it('test_open_leafNotInBatch_reverts', async () => {
      const s = await scenario();
      const forged = { ...s.leaf, outputCommitment: bytes32('another output') };
      await expectRevert(
        chain.send(challenger, gameCall('open', [s.batchId, forged, s.proof, s.parts, s.signature], BOND)),
        'DisputeGame_LeafNotInBatch',
        [s.batchId, hashResultLeaf(forged)],
      );
      const other = await scenario();
      await expectRevert(
        chain.send(
          challenger,
          gameCall('open', [other.batchId, s.leaf, s.proof, s.parts, s.signature], BOND),
        ),
        'DisputeGame_LeafNotInBatch',
      );
    });

    it('test_open_modelPartsNotMatching_reverts', async () => {
      const s = await scenario();
      const parts = { ...s.parts, stepCount: 2n };
      await expectRevert(
        chain.send(challenger, gameCall('open', [s.batchId, s.leaf, s.proof, parts, s.signature], BOND)),
        'DisputeGame_ModelMismatch',
        [s.leaf.modelCommitment, modelCommitmentOf(parts)],
      );
    });

    it('test_open_leafNotSignedByItsWorker_reverts', async () => {
      const s = await scenario({ signer: outsider });
      await expectRevert(open(s), 'DisputeGame_BadWorkerSignature', [s.leafHash, worker]);
      const t = await scenario();
      await expectRevert(
        chain.send(challenger, gameCall('open', [t.batchId, t.leaf, t.proof, t.parts, '0x1234'], BOND)),
        'DisputeGame_BadWorkerSignature',
      );
    });

    it('test_open_severalOnOneLeaf_eachOpensWithItsOwnBond', async () => {
      const s = await scenario();
      const balance = await chain.publicClient.getBalance({ address: game });
      const first = await open(s);
      // The same challenger again, and anybody else: no dispute bars another.
      const second = await open(s);
      const third = await open(s, outsider);
      // The same leaf committed again in another batch is the same leaf, with the same record.
      const batchId = await commitAgain(s);
      const receipt = await chain.send(
        outsider,
        gameCall('open', [batchId, s.leaf, [], s.parts, s.signature], BOND),
      );
      const [event] = parseEventLogs({ abi: DisputeGameAbi, logs: receipt.logs, eventName: 'DisputeOpened' });
      const ids = [first.id, second.id, third.id, event.args.disputeId];
      expect(new Set(ids).size).toBe(4);
      expect(await readGame<bigint[]>('disputeIdsOf', [s.leafHash])).toEqual(ids);
      expect(await readGame<bigint>('disputeCountOf', [s.leafHash])).toBe(4n);
      expect(await readGame<bigint>('disputeIdOfLeafAt', [s.leafHash, 3n])).toBe(ids[3]);
      await expectRevert(
        readGame('disputeIdOfLeafAt', [s.leafHash, 4n]),
        'DisputeGame_LeafDisputeIndexOutOfRange',
        [s.leafHash, 4n, 4n],
      );
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(4n);
      expect(await chain.publicClient.getBalance({ address: game })).toBe(balance + 4n * BOND);
      for (const [i, id] of ids.entries()) {
        expect(await dispute(id)).toMatchObject({
          challenger: i < 2 ? challenger : outsider,
          batchId: i < 3 ? s.batchId : batchId,
          leafHash: s.leafHash,
          phase: DisputePhase.AwaitTracePage,
          outcome: DisputeOutcome.Undecided,
        });
      }
      expect(await readHost<bigint>('openedCount', [s.leafHash])).toBe(4n);
      expect(await readHost<bigint>('openDisputes', [s.leafHash])).toBe(4n);
      expect(await readHost<bigint>('openedBatch', [s.leafHash])).toBe(batchId);
    });

    it('test_open_afterChallengerWin_revertsWithLeafAlreadyDiscarded', async () => {
      const s = await scenario();
      const { id } = await open(s);
      const { id: other } = await open(s, outsider);
      // A silent defender loses the first dispute: the leaf is refuted, for good.
      await reach(((await dispute(id)).turnStartedAt as bigint) + MAX_CLOCK);
      const timeout = await claimTimeout(id);
      const [refuted] = parseEventLogs({ abi: DisputeGameAbi, logs: timeout.logs, eventName: 'LeafRefuted' });
      expect(refuted.args).toEqual({ leafHash: s.leafHash, disputeId: id });
      expect(await readGame<boolean>('leafRefuted', [s.leafHash])).toBe(true);
      expect(await readGame<bigint>('refutingDisputeOf', [s.leafHash])).toBe(id);
      // Refused while another dispute on the leaf is still undecided and the window is open, in
      // any batch holding the leaf.
      expect((await dispute(other)).outcome).toBe(DisputeOutcome.Undecided);
      await expectRevert(open(s, outsider), 'DisputeGame_LeafAlreadyDiscarded', [s.leafHash, id]);
      const batchId = await commitAgain(s);
      await expectRevert(
        chain.send(challenger, gameCall('open', [batchId, s.leaf, [], s.parts, s.signature], BOND)),
        'DisputeGame_LeafAlreadyDiscarded',
        [s.leafHash, id],
      );
      // The other dispute's challenger winning too refutes nothing twice.
      await reach(((await dispute(other)).turnStartedAt as bigint) + MAX_CLOCK);
      await claimTimeout(other);
      expect(await readGame<bigint>('refutingDisputeOf', [s.leafHash])).toBe(id);
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(0n);
      expect(await readHost<Record<string, unknown>>('refutationOf', [s.leafHash])).toMatchObject({
        defenderWon: false,
        challenger,
      });
      expect(await readGame<bigint[]>('disputeIdsOf', [s.leafHash])).toEqual([id, other]);
    });

    it('test_open_hostRefuses_revertsWithNothingRecorded', async () => {
      const s = await scenario();
      await chain.send(deployer, {
        address: host,
        abi: DisputeHostMockAbi,
        functionName: 'setRefuseOpen',
        args: [true],
      });
      try {
        await expectRevert(open(s), 'DisputeHostMock_Refused', [s.leafHash]);
      } finally {
        await chain.send(deployer, {
          address: host,
          abi: DisputeHostMockAbi,
          functionName: 'setRefuseOpen',
          args: [false],
        });
      }
      expect(await readGame<bigint>('disputeCountOf', [s.leafHash])).toBe(0n);
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(0n);
      expect(await readHost<bigint>('openDisputes', [s.leafHash])).toBe(0n);
    });

    it('test_callbacks_fromAnyoneButTheGame_revert', async () => {
      await expectRevert(
        chain.send(outsider, {
          address: host,
          abi: DisputeHostMockAbi,
          functionName: 'onDisputeResolved',
          args: [1n, bytes32('leaf'), bytes32('request'), worker, false, outsider],
        }),
        'DisputeHostMock_NotGame',
        [outsider],
      );
    });
  });

  describe('a full dispute', () => {
    it('test_oneStep_valueMismatch_challengerWinsAndIsRefunded', async () => {
      // The worker's step 0 (linear, 56 values) is wrong at element 21 (chunk 1, offset 5); it
      // carries the wrong value on, so steps 1 and 2 follow from it and its output is its own.
      const s = await scenario({
        corrupt: (t) => {
          t[1][21] += 1n;
          t[2][21] = t[1][21] < 0n ? 0n : t[1][21];
          t[3][0] += 7n;
        },
      });
      // The honest challenger locates the first differing step, chunk and value.
      const honestRoots = s.honest.map((t) => tensorRoot(t));
      const step = firstDifference(honestRoots, s.roots) - 1;
      expect(step).toBe(0);
      const { id, receipt: openReceipt } = await open(s);
      const receipts = [openReceipt, await revealTrace(id, s.roots)];
      receipts.push(await pickStep(s, id, step));
      receipts.push(await revealChunks(id, chunkLeaves(s.claimed[step + 1])));
      const chunk = firstDifference(chunkLeaves(s.honest[step + 1]), revealedChunkLeaves.get(id)!);
      expect(chunk).toBe(1);
      receipts.push(await pickChunk(id, chunk));
      receipts.push(await revealChunkValues(id, chunkAt(s.claimed[step + 1], chunk)));
      const offset = firstDifference(chunkAt(s.honest[step + 1], chunk), revealedValues.get(id)!);
      expect(offset).toBe(5);
      await expectOneStep(s, step, chunk * 16 + offset, s.honest[step + 1][21]);
      const final = await oneStep(id, offset);
      receipts.push(final);

      const [resolved] = parseEventLogs({
        abi: DisputeGameAbi,
        logs: final.logs,
        eventName: 'DisputeResolved',
      });
      expect(resolved.args).toMatchObject({
        disputeId: id,
        defenderWon: false,
        reason: DisputeReason.OneStep,
      });
      const [executed] = parseEventLogs({
        abi: DisputeGameAbi,
        logs: final.logs,
        eventName: 'OneStepExecuted',
      });
      expect(executed.args).toMatchObject({
        element: 21n,
        claimed: s.claimed[1][21],
        computed: s.honest[1][21],
      });
      expect(await dispute(id)).toMatchObject({
        phase: DisputePhase.Resolved,
        outcome: DisputeOutcome.ChallengerWon,
      });
      expect(await readGame<bigint>('claimable', [challenger])).toBeGreaterThanOrEqual(BOND);
      expect(await readHost<Record<string, unknown>>('resolutionOf', [s.leafHash])).toMatchObject({
        batchId: s.batchId,
        requestId: s.leaf.requestId,
        worker,
        defenderWon: false,
        challenger,
      });
      expect(await readHost<bigint>('resolvedCount', [s.leafHash])).toBe(1n);

      // The goal for MNIST: at most 12 transactions and under 3M gas (the mock's one-step is cheap).
      const gas = receipts.reduce((sum, r) => sum + gasOf(r), 0n);
      expect(receipts).toHaveLength(7);
      expect(gas).toBeLessThan(3_000_000n);
    });

    it('test_oneStep_correctValue_defenderWinsAndBondGoesToWorker', async () => {
      const s = await scenario();
      const before = await readGame<bigint>('claimable', [worker]);
      const { id } = await open(s);
      await playToOneStep(s, id, 2, 0);
      await expectOneStep(s, 2, 3, s.honest[3][3]);
      await oneStep(id, 3);
      expect(await dispute(id)).toMatchObject({
        outcome: DisputeOutcome.DefenderWon,
        reason: DisputeReason.OneStep,
        stepIndex: 2,
        chunkIndex: 0,
        outputLength: 10n,
        chunkCount: 1,
      });
      expect(await readGame<bigint>('claimable', [worker])).toBe(before + BOND);
      expect(await readHost<Record<string, unknown>>('resolutionOf', [s.leafHash])).toMatchObject({
        defenderWon: true,
        challenger,
      });
    });

    it('test_oneStep_paddingValue_checkedLikeAnyOther', async () => {
      // Step 2 has 10 values: offsets 10..15 of chunk 0 are padding, which the executor returns as 0.
      const s = await scenario();
      const { id } = await open(s);
      await playToOneStep(s, id, 2, 0);
      await expectOneStep(s, 2, 12, 0n);
      await oneStep(id, 12);
      expect((await dispute(id)).outcome).toBe(DisputeOutcome.DefenderWon);
    });

    it('test_oneStep_executorRefusesWitness_revertsAndChallengerMayRetry', async () => {
      const s = await scenario({ corrupt: (t) => void (t[2][40] = 99_999n) });
      const { id } = await open(s);
      await playToOneStep(s, id, 1, 2);
      await setExecutor('setValue', [s.honest[2][40], true]);
      await expectRevert(oneStep(id, 8), 'OneStepExecutorMock_Refused', [40n]);
      expect((await dispute(id)).phase).toBe(DisputePhase.AwaitOneStep);
      await expectOneStep(s, 1, 40, s.honest[2][40]);
      await oneStep(id, 8);
      expect((await dispute(id)).outcome).toBe(DisputeOutcome.ChallengerWon);
    });

    it('test_oneStep_offsetPastChunk_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await playToOneStep(s, id, 0, 0);
      await expectRevert(oneStep(id, 16), 'DisputeGame_OffsetOutOfRange', [id, 16n]);
    });

    it('test_defenderMoves_byAnyone_accepted', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots, outsider);
      await pickStep(s, id, 0);
      await revealChunks(id, chunkLeaves(s.claimed[1]), worker);
      await pickChunk(id, 3);
      const receipt = await revealChunkValues(id, chunkAt(s.claimed[1], 3), challenger);
      const [event] = parseEventLogs({
        abi: DisputeGameAbi,
        logs: receipt.logs,
        eventName: 'ChunkValuesRevealed',
      });
      expect(event.args.by).toBe(challenger);
      expect(event.args.values).toEqual(chunkAt(s.claimed[1], 3));
    });
  });

  describe('boundary picks', () => {
    it('test_pickTraceNode_leaf0WrongInputRoot_challengerWins', async () => {
      // The worker computed on another input than the committed one.
      const s = await scenario({ corrupt: (t) => void (t[0][100] += 1n) });
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      const receipt = await pickLeaf(s, id, 0);
      const [event] = parseEventLogs({ abi: DisputeGameAbi, logs: receipt.logs, eventName: 'BoundaryChallenged' });
      expect(event.args).toMatchObject({
        isOutput: false,
        claimedRoot: s.roots[0],
        committedRoot: tensorRoot(s.honest[0]),
      });
      expect(await dispute(id)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        reason: DisputeReason.InputMismatch,
      });
    });

    it('test_pickTraceNode_leaf0RightInputRoot_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      await expectRevert(pickLeaf(s, id, 0), 'DisputeGame_BoundaryRootMatches', [id, s.roots[0]]);
      expect((await dispute(id)).phase).toBe(DisputePhase.AwaitTracePick);
    });

    it('test_pickTraceNode_lastLeafWrongOutputRoot_challengerWins', async () => {
      // The worker's last tensor is not the output it committed to.
      const output = values(10, 4242);
      const s = await scenario({ leafOverrides: { outputCommitment: commitTensor(output) } });
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      await pickLeaf(s, id, STEP_COUNT);
      expect(await dispute(id)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        reason: DisputeReason.OutputMismatch,
      });
      expect(await readHost<bigint>('resolvedCount', [s.leafHash])).toBe(1n);
    });

    it('test_pickTraceNode_zeroStepsLeaf0NotTheOutput_challengerWins', async () => {
      // A model with no step (the service refuses them; the game must not rely on it): tensor 0 is
      // both the input and the output, so a leaf whose output commitment is not the input's root
      // is refuted at leaf 0; an honest one is not.
      const wrong = await scenario({ lengths: [], leafOverrides: { outputCommitment: commitTensor(values(10, 77)) } });
      const { id } = await open(wrong);
      await revealTrace(id, wrong.roots);
      await pickLeaf(wrong, id, 0);
      expect(await dispute(id)).toMatchObject({ outcome: DisputeOutcome.ChallengerWon, reason: DisputeReason.OutputMismatch });

      const honest = await scenario({ lengths: [] });
      const opened = await open(honest);
      await revealTrace(opened.id, honest.roots);
      await expectRevert(pickLeaf(honest, opened.id, 0), 'DisputeGame_BoundaryRootMatches', [opened.id, honest.roots[0]]);
    });

    it('test_pickTraceNode_lastLeafRightOutputRoot_picksTheLastStep', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      await pickLeaf(s, id, STEP_COUNT);
      expect(await dispute(id)).toMatchObject({
        outcome: DisputeOutcome.Undecided,
        phase: DisputePhase.AwaitChunkValues,
        stepIndex: STEP_COUNT - 1,
        node: s.roots[STEP_COUNT],
      });
    });
  });

  describe('moves that do not match the commitments', () => {
    it('test_revealTracePage_pageNotHashingToTheNode_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      const wrong = [...s.roots];
      wrong[2] = bytes32('not the root');
      await expectRevert(revealTrace(id, wrong), 'DisputeGame_PageMismatch', [
        id,
        s.leaf.traceCommitment,
        traceCommitmentOf(wrong),
      ]);
      await expectRevert(revealTrace(id, s.roots.slice(0, 3)), 'DisputeGame_PageSize', [id, 3n, 4n]);
      await expectRevert(revealTrace(id, [...s.roots, ...s.roots]), 'DisputeGame_PageSize', [id, 8n, 4n]);
    });

    it('test_pickTraceNode_badProofOrOutsideThePage_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      const { descriptor, proof } = descriptorFor(s.parts.stepsRoot, 0, 56);
      const pick = (position: bigint, node: Hex, siblings: Hex[]) =>
        chain.send(challenger, gameCall('pickTraceNode', [id, position, node, siblings, descriptor, proof]));
      // another node at position 1, a right node at the wrong position, a short proof, past the page
      await expectRevert(pick(1n, bytes32('x'), pageProof(s.roots, 1)), 'DisputeGame_PickProof', [id, 1n, bytes32('x')]);
      await expectRevert(pick(2n, s.roots[1], pageProof(s.roots, 1)), 'DisputeGame_PickProof');
      await expectRevert(pick(1n, s.roots[1], pageProof(s.roots, 1).slice(1)), 'DisputeGame_PickProof');
      await expectRevert(pick(4n, s.roots[1], pageProof(s.roots, 1)), 'DisputeGame_PickOutOfPage', [id, 4n, 4n]);
      // a descriptor that is not step 1's
      await expectRevert(
        chain.send(challenger, gameCall('pickTraceNode', [id, 2n, s.roots[2], pageProof(s.roots, 2), descriptor, proof])),
        'OneStepExecutorMock_BadDescriptor',
        [1n],
      );
      expect((await dispute(id)).phase).toBe(DisputePhase.AwaitTracePick);
    });

    it('test_revealChunkPage_wrongLeaves_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      await pickStep(s, id, 0);
      const leaves = chunkLeaves(s.claimed[1]);
      expect(leaves).toHaveLength(4);
      const wrong = [...leaves];
      wrong[3] = bytes32('wrong leaf');
      await expectRevert(revealChunks(id, wrong), 'DisputeGame_PageMismatch', [
        id,
        s.roots[1],
        rootFromChunkLeaves(wrong),
      ]);
      await expectRevert(revealChunks(id, leaves.slice(0, 3)), 'DisputeGame_PageSize', [id, 3n, 4n]);
      // Leaves of another step's tensor.
      await expectRevert(revealChunks(id, chunkLeaves(s.claimed[2])), 'DisputeGame_PageMismatch');
    });

    it('test_pickChunkNode_badProof_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      await pickStep(s, id, 0);
      const leaves = chunkLeaves(s.claimed[1]);
      await revealChunks(id, leaves);
      await expectRevert(
        chain.send(challenger, gameCall('pickChunkNode', [id, 1n, leaves[2], pageProof(leaves, 1)])),
        'DisputeGame_PickProof',
      );
      await expectRevert(
        chain.send(challenger, gameCall('pickChunkNode', [id, 4n, leaves[0], pageProof(leaves, 0)])),
        'DisputeGame_PickOutOfPage',
        [id, 4n, 4n],
      );
    });

    it('test_revealChunkValues_wrongValues_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      await pickStep(s, id, 0);
      await revealChunks(id, chunkLeaves(s.claimed[1]));
      await pickChunk(id, 3);
      const chunk = chunkAt(s.claimed[1], 3);
      const wrong = [...chunk];
      wrong[0] += 1n;
      await expectRevert(revealChunkValues(id, wrong), 'DisputeGame_ChunkValuesMismatch', [
        id,
        chunkLeaves(s.claimed[1])[3],
        leafHash(3, wrong),
      ]);
      // oneStep re-checks the values it is given against the same leaf
      await revealChunkValues(id, chunk);
      revealedValues.set(id, wrong);
      await expectRevert(oneStep(id, 0), 'DisputeGame_ChunkValuesMismatch');
      revealedValues.set(id, chunk);
    });
  });

  describe('paged descents (long traces, wide steps)', () => {
    /** 300 steps: 301 trace leaves, depth 9 (a page of 256 under the root, then one of 2). */
    const LONG = Array.from({ length: 300 }, (_, i) => (i === 150 ? 16 * 300 : 3));

    /** The defender's page under the current node of `tree`, sent as `move`. */
    async function revealPage(id: bigint, tree: WordTree, move: 'revealTracePage' | 'revealChunkPage') {
      const d = await dispute(id);
      const k = Math.min(8, Number(d.nodeHeight));
      const nodes = tree.page(Number(d.nodeHeight) - k, Number(d.nodeIndex), k);
      await chain.send(deployer, gameCall(move, [id, nodes]));
      return { nodes, height: Number(d.nodeHeight) - k, parent: Number(d.nodeIndex) };
    }

    /** Descends `tree` to leaf `leaf` (trace or chunk tree), the defender revealing honestly. */
    async function descend(s: Scenario, id: bigint, tree: WordTree, leaf: number, kind: 'trace' | 'chunk') {
      const receipts: TransactionReceipt[] = [];
      for (;;) {
        const page = await revealPage(id, tree, kind === 'trace' ? 'revealTracePage' : 'revealChunkPage');
        const position = Math.floor(leaf / 2 ** page.height) - page.parent * page.nodes.length;
        const proof = pageProof(page.nodes, position);
        const step = Math.max(leaf - 1, 0);
        const { descriptor, proof: dProof } = descriptorFor(s.parts.stepsRoot, step, LONG[step]);
        receipts.push(
          await chain.send(
            challenger,
            kind === 'trace'
              ? gameCall('pickTraceNode', [id, BigInt(position), page.nodes[position], proof, descriptor, dProof])
              : gameCall('pickChunkNode', [id, BigInt(position), page.nodes[position], proof]),
          ),
        );
        if (page.height === 0) return receipts;
      }
    }

    it('test_descent_longTraceAndWideStep_reachesOneValueInBoundedMoves', async () => {
      // Step 150 (4,800 values, 300 chunks) is wrong at element 4,000 (chunk 250, offset 0).
      const s = await scenario({ lengths: LONG, corrupt: (t) => void (t[151][4000] += 1n) });
      const { id } = await open(s);
      const traceTree = new WordTree(s.roots);
      expect(traceTree.depth).toBe(9);
      const receipts = await descend(s, id, traceTree, 151, 'trace');
      expect(await dispute(id)).toMatchObject({ stepIndex: 150, chunkCount: 300, phase: DisputePhase.AwaitChunkPage });
      receipts.push(...(await descend(s, id, new WordTree(chunkLeaves(s.claimed[151])), 250, 'chunk')));
      await revealChunkValues(id, chunkAt(s.claimed[151], 250));
      await expectOneStep(s, 150, 4000, s.honest[151][4000]);
      await oneStep(id, 0);
      expect(await dispute(id)).toMatchObject({ outcome: DisputeOutcome.ChallengerWon, reason: DisputeReason.OneStep });
      const gas = receipts.map((r) => r.gasUsed);
      console.log(`paged descent, 301 trace leaves and 300 chunks: picks use ${gas.join(', ')} gas`);
      for (const g of gas) expect(g).toBeLessThan(200_000n);
    });

    it('test_revealTracePage_nonCanonicalPadding_reverts', async () => {
      // The worker's trace tree puts something in padding leaf 301 of 512: its root is not the
      // canonical one. The first page passes (node (1, 150) also covers real leaf 300), the
      // honest challenger picks that node (the first that differs from its tree), and the page
      // under it cannot be revealed: the defender can only lose on time.
      const tamper = (roots: Hex[]) => new WordTree([...roots, bytes32('hidden')]);
      const s = await scenario({ lengths: LONG, traceRoot: (roots) => tamper(roots).root });
      const tampered = tamper(s.roots);
      const { id } = await open(s);
      const honest = new WordTree(s.roots);
      const page = await revealPage(id, tampered, 'revealTracePage');
      const position = page.nodes.findIndex((n, j) => n !== honest.node(page.height, j));
      expect(position).toBe(150);
      const step = descriptorFor(s.parts.stepsRoot, 0, LONG[0]);
      await chain.send(
        challenger,
        gameCall('pickTraceNode', [id, 150n, page.nodes[150], pageProof(page.nodes, 150), step.descriptor, step.proof]),
      );
      await expect(revealPage(id, tampered, 'revealTracePage')).rejects.toThrow(/DisputeGame_PageMismatch/);
      expect((await dispute(id)).phase).toBe(DisputePhase.AwaitTracePage);
    });

    it('test_pickTraceNode_paddingNode_reverts', async () => {
      const s = await scenario({ lengths: LONG });
      const { id } = await open(s);
      const tree = new WordTree(s.roots);
      const page = await revealPage(id, tree, 'revealTracePage');
      // nodes 151..255 of height 1 cover leaves 302.. : padding only
      expect(page.nodes[200]).toBe(paddingNode(1));
      const step = descriptorFor(s.parts.stepsRoot, 0, LONG[0]);
      await expectRevert(
        chain.send(
          challenger,
          gameCall('pickTraceNode', [id, 200n, page.nodes[200], pageProof(page.nodes, 200), step.descriptor, step.proof]),
        ),
        'DisputeGame_PaddingPicked',
        [id, 1n, 200n, 301n],
      );
      // the node over the last real leaf (300) is fine
      await chain.send(
        challenger,
        gameCall('pickTraceNode', [id, 150n, page.nodes[150], pageProof(page.nodes, 150), step.descriptor, step.proof]),
      );
      expect(await dispute(id)).toMatchObject({ nodeHeight: 1, nodeIndex: 150n, phase: DisputePhase.AwaitTracePage });
      // its page: leaf 300 (real) and leaf 301 (padding); picking 301 reverts
      const leafPage = await revealPage(id, tree, 'revealTracePage');
      await expectRevert(
        chain.send(challenger, gameCall('pickTraceNode', [id, 1n, leafPage.nodes[1], pageProof(leafPage.nodes, 1), step.descriptor, step.proof])),
        'DisputeGame_PaddingPicked',
        [id, 0n, 301n, 301n],
      );
    });
  });

  describe('turns and parties', () => {
    it('test_moves_outOfTurn_revert', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await expectRevert(pickStep(s, id, 0), 'DisputeGame_WrongPhase', [
        id,
        DisputePhase.AwaitTracePick,
        DisputePhase.AwaitTracePage,
      ]);
      await expectRevert(pickLeaf(s, id, 0), 'DisputeGame_WrongPhase');
      await expectRevert(revealChunks(id, chunkLeaves(s.claimed[1])), 'DisputeGame_WrongPhase', [
        id,
        DisputePhase.AwaitChunkPage,
        DisputePhase.AwaitTracePage,
      ]);
      await revealTrace(id, s.roots);
      await expectRevert(revealTrace(id, s.roots), 'DisputeGame_WrongPhase', [
        id,
        DisputePhase.AwaitTracePage,
        DisputePhase.AwaitTracePick,
      ]);
      await expectRevert(pickChunk(id, 0), 'DisputeGame_WrongPhase');
      await pickStep(s, id, 0);
      await expectRevert(pickStep(s, id, 0), 'DisputeGame_WrongPhase');
      await expectRevert(revealChunkValues(id, chunkAt(s.claimed[1], 0)), 'DisputeGame_WrongPhase');
      await revealChunks(id, chunkLeaves(s.claimed[1]));
      await expectRevert(oneStep(id, 0), 'DisputeGame_WrongPhase', [
        id,
        DisputePhase.AwaitOneStep,
        DisputePhase.AwaitChunkPick,
      ]);
      await pickChunk(id, 0);
      await expectRevert(pickChunk(id, 1), 'DisputeGame_WrongPhase');
      await revealChunkValues(id, chunkAt(s.claimed[1], 0));
      await expectRevert(revealChunkValues(id, chunkAt(s.claimed[1], 0)), 'DisputeGame_WrongPhase');
    });

    it('test_challengerMoves_byAnyoneElse_revert', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await revealTrace(id, s.roots);
      for (const intruder of [worker, outsider, deployer]) {
        await expectRevert(pickStep(s, id, 0, intruder), 'DisputeGame_NotChallenger', [id, intruder]);
      }
      await expectRevert(pickLeaf(s, id, STEP_COUNT, worker), 'DisputeGame_NotChallenger');
      await pickStep(s, id, 0);
      await revealChunks(id, chunkLeaves(s.claimed[1]));
      await expectRevert(pickChunk(id, 0, outsider), 'DisputeGame_NotChallenger', [id, outsider]);
      await pickChunk(id, 0);
      await revealChunkValues(id, chunkAt(s.claimed[1], 0));
      await expectRevert(oneStep(id, 0, worker), 'DisputeGame_NotChallenger', [id, worker]);
    });

    it('test_moves_afterResolution_revert', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await playToOneStep(s, id, 0, 0);
      await expectOneStep(s, 0, 0, s.honest[1][0]);
      await oneStep(id, 0);
      await expectRevert(oneStep(id, 0), 'DisputeGame_NotInProgress', [id, DisputeOutcome.DefenderWon]);
      await expectRevert(revealTrace(id, s.roots), 'DisputeGame_NotInProgress');
      await expectRevert(claimTimeout(id), 'DisputeGame_NotInProgress', [id, DisputeOutcome.DefenderWon]);
      await chain.increaseTime(MAX_CLOCK * 3n);
      await expectRevert(claimTimeout(id), 'DisputeGame_NotInProgress');
      expect(await readGame<number>('turnOf', [id])).toBe(DisputeSide.None);
      expect(await readHost<bigint>('resolvedCount', [s.leafHash])).toBe(1n);
      expect(await readHost<bigint>('openedCount', [s.leafHash])).toBe(1n);
    });

    it('test_moves_unknownDispute_revert', async () => {
      await expectRevert(claimTimeout(10_000n), 'DisputeGame_UnknownDispute', [10_000n]);
      await expectRevert(revealTrace(10_000n, []), 'DisputeGame_UnknownDispute', [10_000n]);
      await expectRevert(
        readGame('clockRemaining', [10_000n, DisputeSide.Defender]),
        'DisputeGame_UnknownDispute',
      );
    });
  });

  describe('clocks', () => {
    it('test_claimTimeout_silentDefender_challengerWins', async () => {
      const s = await scenario();
      const { id, receipt } = await open(s);
      const opened = (await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
      await mineAt(opened + MAX_CLOCK);
      const timeout = await claimTimeout(id);
      const [event] = parseEventLogs({
        abi: DisputeGameAbi,
        logs: timeout.logs,
        eventName: 'DisputeResolved',
      });
      expect(event.args).toMatchObject({ defenderWon: false, reason: DisputeReason.Timeout });
      expect(await dispute(id)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        defenderClockUsed: MAX_CLOCK,
      });
      expect(await readHost<Record<string, unknown>>('resolutionOf', [s.leafHash])).toMatchObject({
        defenderWon: false,
        challenger,
      });
    });

    it('test_claimTimeout_silentChallenger_defenderWins', async () => {
      const s = await scenario();
      const { id } = await open(s);
      const reveal = await revealTrace(id, s.roots);
      const revealedAt = (await chain.publicClient.getBlock({ blockNumber: reveal.blockNumber })).timestamp;
      await mineAt(revealedAt + MAX_CLOCK);
      await claimTimeout(id);
      expect(await dispute(id)).toMatchObject({
        outcome: DisputeOutcome.DefenderWon,
        reason: DisputeReason.Timeout,
        challengerClockUsed: MAX_CLOCK,
      });
      expect(await readHost<Record<string, unknown>>('resolutionOf', [s.leafHash])).toMatchObject({
        defenderWon: true,
      });
    });

    it('test_claimTimeout_beforeClockRanOut_reverts', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await chain.increaseTime(MAX_CLOCK / 2n);
      await expectRevert(claimTimeout(id), 'DisputeGame_ClockNotExpired');
      await revealTrace(id, s.roots);
      // The challenger's clock is whole: the defender's thinking time is not charged to it.
      await expectRevert(claimTimeout(id), 'DisputeGame_ClockNotExpired');
      await chain.increaseTime(MAX_CLOCK - 20n);
      await expectRevert(claimTimeout(id), 'DisputeGame_ClockNotExpired');
    });

    it('test_move_afterClockRanOut_reverts', async () => {
      const s = await scenario();
      const { id, receipt } = await open(s);
      const opened = (await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
      await mineAt(opened + MAX_CLOCK);
      await expectRevert(revealTrace(id, s.roots), 'DisputeGame_ClockExpired', [id, DisputeSide.Defender]);
    });

    it('test_move_lastSecondOfClock_accepted', async () => {
      const s = await scenario();
      const { id, receipt } = await open(s);
      const opened = (await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
      await at(opened + MAX_CLOCK - 1n);
      await revealTrace(id, s.roots);
      expect(await dispute(id)).toMatchObject({
        defenderClockUsed: MAX_CLOCK - 1n,
        phase: DisputePhase.AwaitTracePick,
      });
      expect(await readGame<bigint>('clockRemaining', [id, DisputeSide.Defender])).toBe(1n);
    });

    it('test_clocks_severalMoves_addUpPerSide', async () => {
      const s = await scenario();
      const t0 = (await latestTimestamp()) + 10n;
      await at(t0);
      const { id } = await open(s);
      const schedule: [bigint, () => Promise<unknown>][] = [
        [100n, () => revealTrace(id, s.roots)], // defender 100
        [250n, () => pickStep(s, id, 1)], // challenger 250
        [40n, () => revealChunks(id, chunkLeaves(s.claimed[2]))], // defender 140
        [60n, () => pickChunk(id, 2)], // challenger 310
        [5n, () => revealChunkValues(id, chunkAt(s.claimed[2], 2))], // defender 145
      ];
      let t = t0;
      for (const [delay, move] of schedule) {
        t += delay;
        await at(t);
        await move();
      }
      expect(await dispute(id)).toMatchObject({
        challengerClockUsed: 310n,
        defenderClockUsed: 145n,
        turnStartedAt: t,
      });
      // 30 s into the challenger's turn: only its clock has moved.
      await mineAt(t + 30n);
      const { number: block, timestamp } = await chain.publicClient.getBlock();
      expect(timestamp).toBe(t + 30n);
      expect(await readGame<bigint>('clockRemaining', [id, DisputeSide.Challenger], block)).toBe(
        MAX_CLOCK - 340n,
      );
      expect(await readGame<bigint>('clockRemaining', [id, DisputeSide.Defender], block)).toBe(
        MAX_CLOCK - 145n,
      );
      await expectOneStep(s, 1, 2 * 16 + 1, s.honest[2][33]);
      t += 50n;
      await at(t);
      await oneStep(id, 1);
      expect(await dispute(id)).toMatchObject({ challengerClockUsed: 360n, defenderClockUsed: 145n });
      // A decided dispute's clocks stop.
      await chain.increaseTime(500n);
      expect(await readGame<bigint>('clockRemaining', [id, DisputeSide.Challenger])).toBe(MAX_CLOCK - 360n);
      expect(await readGame<bigint>('clockRemaining', [id, DisputeSide.Defender])).toBe(MAX_CLOCK - 145n);
    });
  });

  describe('several disputes on one leaf', () => {
    /** Step 0 wrong at element 21 (chunk 1, offset 5), carried on; the output is the worker's own. */
    const wrongAtStep0 = (t: bigint[][]) => {
      t[1][21] += 1n;
      t[2][21] = t[1][21] < 0n ? 0n : t[1][21];
      t[3][0] += 7n;
    };
    /** The honest challenger's winning line against wrongAtStep0 (the defender plays its trace). */
    async function winAgainstWrongStep0(s: Scenario, id: bigint) {
      await playToOneStep(s, id, 0, 1);
      await expectOneStep(s, 0, 21, s.honest[1][21]);
      return oneStep(id, 5);
    }
    const claimables = (accounts: Address[]) =>
      Promise.all(accounts.map((a) => readGame<bigint>('claimable', [a])));

    it('test_open_workerSelfDisputesAndGoesSilent_cannotShieldItsWrongLeaf', async () => {
      const accomplice = chain.accounts[5];
      const s = await scenario({ corrupt: wrongAtStep0 });
      const refutationsBefore = await readHost<bigint>('refutations');
      const [workerBefore, challengerBefore, accompliceBefore] = await claimables([
        worker,
        challenger,
        accomplice,
      ]);
      // The worker opens a dispute on its own wrong leaf from another account, answers it (its
      // trace is the committed one), then never moves as challenger.
      const { id: self } = await open(s, accomplice);
      const reveal = await revealTrace(self, s.roots, worker);
      const revealedAt = (await chain.publicClient.getBlock({ blockNumber: reveal.blockNumber })).timestamp;
      // Meanwhile an honest challenger opens its own dispute on the same leaf and wins it.
      const { id: honest } = await open(s);
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(2n);
      await winAgainstWrongStep0(s, honest);
      expect(await dispute(honest)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        reason: DisputeReason.OneStep,
      });
      expect(await readGame<boolean>('leafRefuted', [s.leafHash])).toBe(true);
      expect(await readGame<bigint>('refutingDisputeOf', [s.leafHash])).toBe(honest);
      expect(await readHost<boolean>('discarded', [s.leafHash])).toBe(true);
      // The self-dispute is still undecided and still holds the leaf; no new dispute opens.
      expect(await dispute(self)).toMatchObject({
        outcome: DisputeOutcome.Undecided,
        phase: DisputePhase.AwaitTracePick,
      });
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(1n);
      expect(await readHost<boolean>('isHeld', [s.leafHash])).toBe(true);
      await expectRevert(open(s, outsider), 'DisputeGame_LeafAlreadyDiscarded', [s.leafHash, honest]);
      // The silent self-challenger loses on time: its bond goes to the worker, and that is all.
      await reach(revealedAt + MAX_CLOCK);
      await claimTimeout(self);
      expect(await dispute(self)).toMatchObject({
        outcome: DisputeOutcome.DefenderWon,
        reason: DisputeReason.Timeout,
        challengerClockUsed: MAX_CLOCK,
      });
      expect(await readGame<boolean>('leafRefuted', [s.leafHash])).toBe(true);
      expect(await readGame<bigint>('refutingDisputeOf', [s.leafHash])).toBe(honest);
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(0n);
      expect(await claimables([worker, challenger, accomplice])).toEqual([
        workerBefore + BOND,
        challengerBefore + BOND,
        accompliceBefore,
      ]);
      // The host: two opens, two resolutions (the last one the self-dispute's), one refutation.
      expect(await readHost<bigint>('openedCount', [s.leafHash])).toBe(2n);
      expect(await readHost<bigint>('resolvedCount', [s.leafHash])).toBe(2n);
      expect(await readHost<bigint>('openDisputes', [s.leafHash])).toBe(0n);
      expect(await readHost<bigint>('refutations')).toBe(refutationsBefore + 1n);
      expect(await readHost<boolean>('discarded', [s.leafHash])).toBe(true);
      expect(await readHost<Record<string, unknown>>('refutationOf', [s.leafHash])).toMatchObject({
        batchId: s.batchId,
        requestId: s.leaf.requestId,
        worker,
        defenderWon: false,
        challenger,
      });
      expect(await readHost<Record<string, unknown>>('resolutionOf', [s.leafHash])).toMatchObject({
        defenderWon: true,
        challenger: accomplice,
      });
    });

    it('test_open_afterSelfDisputeUpheldWrongLeaf_honestChallengerStillWins', async () => {
      // The same attack played in sequence: the self-dispute is decided for the defender first.
      const accomplice = chain.accounts[5];
      const output = values(10, 777);
      const s = await scenario({ leafOverrides: { outputCommitment: commitTensor(output) } });
      const { id: self } = await open(s, accomplice);
      const reveal = await revealTrace(self, s.roots, worker);
      await reach(
        (await chain.publicClient.getBlock({ blockNumber: reveal.blockNumber })).timestamp + MAX_CLOCK,
      );
      await claimTimeout(self);
      expect((await dispute(self)).outcome).toBe(DisputeOutcome.DefenderWon);
      expect(await readGame<boolean>('leafRefuted', [s.leafHash])).toBe(false);
      expect(await readHost<boolean>('isHeld', [s.leafHash])).toBe(false);
      const { id: honest } = await open(s);
      await revealTrace(honest, s.roots);
      await pickLeaf(s, honest, STEP_COUNT);
      expect(await dispute(honest)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        reason: DisputeReason.OutputMismatch,
      });
      expect(await readGame<bigint>('refutingDisputeOf', [s.leafHash])).toBe(honest);
      expect(await readHost<Record<string, unknown>>('refutationOf', [s.leafHash])).toMatchObject({
        challenger,
        defenderWon: false,
      });
    });

    it('test_open_afterDefenderWin_opensInsideWindowAndRevertsAfter', async () => {
      // A correct leaf: every dispute on it is lost by its challenger, whose bond pays the worker.
      const s = await scenario();
      const [, challengeEndsAt] = await readHost<[Hex, bigint]>('batchRootAndWindow', [s.batchId]);
      const [workerBefore] = await claimables([worker]);
      const { id: first } = await open(s, outsider);
      await playToOneStep(s, first, 2, 0, outsider);
      await expectOneStep(s, 2, 4, s.honest[3][4]);
      await oneStep(first, 4, outsider);
      expect((await dispute(first)).outcome).toBe(DisputeOutcome.DefenderWon);
      expect(await readHost<boolean>('isHeld', [s.leafHash])).toBe(false);
      // Upheld once is not upheld for good: another challenger may still try, inside the window.
      expect(await latestTimestamp()).toBeLessThan(challengeEndsAt);
      const { id: second } = await open(s);
      expect(await readHost<boolean>('isHeld', [s.leafHash])).toBe(true);
      await playToOneStep(s, second, 0, 2);
      await expectOneStep(s, 0, 2 * 16 + 7, s.honest[1][39]);
      await oneStep(second, 7);
      expect((await dispute(second)).outcome).toBe(DisputeOutcome.DefenderWon);
      expect(await claimables([worker])).toEqual([workerBefore + 2n * BOND]);
      expect(await readGame<boolean>('leafRefuted', [s.leafHash])).toBe(false);
      expect(await readGame<bigint[]>('disputeIdsOf', [s.leafHash])).toEqual([first, second]);
      expect(await readHost<bigint>('resolvedCount', [s.leafHash])).toBe(2n);
      expect(await readHost<boolean>('discarded', [s.leafHash])).toBe(false);
      // Once the window is over, nobody can dispute the leaf any more.
      await reach(challengeEndsAt);
      await expectRevert(open(s, outsider), 'DisputeGame_ChallengeWindowOver', [s.batchId, challengeEndsAt]);
    });

    it('test_moves_twoDisputesOnOneLeaf_advanceIndependently', async () => {
      const s = await scenario();
      const t0 = (await latestTimestamp()) + 10n;
      await at(t0);
      const { id: a } = await open(s);
      await at(t0 + 10n);
      const { id: b } = await open(s, outsider);
      await at(t0 + 100n);
      await revealTrace(a, s.roots);
      await mineAt(t0 + 150n);
      // a: the challenger's turn, 100 s of the defender's clock used; b: untouched, the defender's turn.
      expect(await readGame<number>('turnOf', [a])).toBe(DisputeSide.Challenger);
      expect(await readGame<number>('turnOf', [b])).toBe(DisputeSide.Defender);
      const remaining = (id: bigint, side: number) => readGame<bigint>('clockRemaining', [id, side]);
      expect(await remaining(a, DisputeSide.Defender)).toBe(MAX_CLOCK - 100n);
      expect(await remaining(a, DisputeSide.Challenger)).toBe(MAX_CLOCK - 50n);
      expect(await remaining(b, DisputeSide.Defender)).toBe(MAX_CLOCK - 140n);
      expect(await remaining(b, DisputeSide.Challenger)).toBe(MAX_CLOCK);
      // Each dispute takes only its own challenger, in its own phase.
      await expectRevert(pickStep(s, a, 0, outsider), 'DisputeGame_NotChallenger', [a, outsider]);
      await expectRevert(pickStep(s, b, 0), 'DisputeGame_WrongPhase', [
        b,
        DisputePhase.AwaitTracePick,
        DisputePhase.AwaitTracePage,
      ]);
      await at(t0 + 200n);
      await pickStep(s, a, 1);
      // b's defender stays silent and loses b on time; a goes on, its clocks untouched by b.
      await mineAt(t0 + 10n + MAX_CLOCK);
      await claimTimeout(b);
      expect(await dispute(b)).toMatchObject({ outcome: DisputeOutcome.ChallengerWon, challenger: outsider });
      expect(await dispute(a)).toMatchObject({
        outcome: DisputeOutcome.Undecided,
        phase: DisputePhase.AwaitChunkPage,
        defenderClockUsed: 100n,
        challengerClockUsed: 100n,
        turnStartedAt: t0 + 200n,
      });
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(1n);
      await expectOneStep(s, 1, 16 + 2, s.honest[2][18]);
      const schedule: [bigint, () => Promise<unknown>][] = [
        [1_050n, () => revealChunks(a, chunkLeaves(s.claimed[2]))], // defender 100 + 850
        [1_060n, () => pickChunk(a, 1)], // challenger 100 + 10
        [1_070n, () => revealChunkValues(a, chunkAt(s.claimed[2], 1))], // defender 950 + 10
        [1_080n, () => oneStep(a, 2)], // challenger 110 + 10
      ];
      for (const [offset, move] of schedule) {
        await at(t0 + offset);
        await move();
      }
      expect(await dispute(a)).toMatchObject({
        outcome: DisputeOutcome.DefenderWon,
        defenderClockUsed: 960n,
        challengerClockUsed: 120n,
      });
      expect(await readGame<bigint>('refutingDisputeOf', [s.leafHash])).toBe(b);
      expect(await readGame<bigint>('openDisputesOf', [s.leafHash])).toBe(0n);
      expect(await readHost<bigint>('resolvedCount', [s.leafHash])).toBe(2n);
      expect(await readHost<Record<string, unknown>>('refutationOf', [s.leafHash])).toMatchObject({
        challenger: outsider,
      });
    });
  });

  describe('the dispute client', () => {
    it('opens, plays and reads a dispute from its own account', async () => {
      const s = await scenario({ corrupt: (t) => void (t[3][9] -= 3n) });
      const account = chain.signer(challenger);
      const client = createDisputeClient({
        game,
        publicClient: chain.publicClient,
        walletClient: createWalletClient({ chain: anvil, transport: http(chain.anvil.rpcUrl), account }),
      });
      expect(await client.challengerBondWei()).toBe(BOND);
      const { disputeId: id } = await client.openDispute({
        batchId: s.batchId,
        leaf: s.leaf,
        leafProof: s.proof,
        parts: s.parts,
        workerSignature: s.signature,
      });
      expect(await client.disputeIdsOf(s.leafHash)).toEqual([id]);
      expect(await client.openDisputesOf(s.leafHash)).toBe(1n);
      await revealTrace(id, s.roots);
      const view = await client.readDispute(id);
      expect(view).toMatchObject({
        challenger,
        worker,
        phase: DisputePhase.AwaitTracePick,
        turn: DisputeSide.Challenger,
        node: s.leaf.traceCommitment,
        nodeHeight: 2,
        tracePages: [{ height: 0, parentIndex: 0, nodes: s.roots }],
      });
      expect(view.defenderClockRemaining).toBe(MAX_CLOCK - view.defenderClockUsed);
      const { descriptor, proof } = descriptorFor(s.parts.stepsRoot, 2, 10);
      await client.pickTraceNode(id, 3, s.roots[3], pageProof(s.roots, 3), { descriptor, proof });
      // one chunk (10 values): straight to its values
      expect((await client.readDispute(id)).phase).toBe(DisputePhase.AwaitChunkValues);
      await revealChunkValues(id, chunkAt(s.claimed[3], 0));
      const values = (await client.readDispute(id)).chunkValues;
      expect(values).toEqual(chunkAt(s.claimed[3], 0));
      await expectOneStep(s, 2, 9, s.honest[3][9]);
      await client.oneStep(id, 9, values, '0x');
      expect(await client.readDispute(id)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        turn: DisputeSide.None,
      });
      expect(await client.openDisputesOf(s.leafHash)).toBe(0n);
      expect(await client.leafRefuted(s.leafHash)).toBe(true);
      expect(await client.refutingDisputeOf(s.leafHash)).toBe(id);
      await expect(
        client.openDispute({
          batchId: s.batchId,
          leaf: s.leaf,
          leafProof: s.proof,
          parts: s.parts,
          workerSignature: s.signature,
        }),
      ).rejects.toMatchObject({ code: 'DISPUTE_MOVE_REFUSED' });
      await expect(client.pickChunkNode(id, 0, s.roots[0], [])).rejects.toMatchObject({ code: 'DISPUTE_MOVE_REFUSED' });
      await expect(client.readDispute(10_000n)).rejects.toMatchObject({ code: 'DISPUTE_NOT_FOUND' });
    });
  });

  describe('bonds', () => {
    it('test_withdraw_paysWhatWasCreditedOnce', async () => {
      const s = await scenario();
      const { id } = await open(s);
      await chain.increaseTime(MAX_CLOCK);
      await claimTimeout(id);
      const owed = await readGame<bigint>('claimable', [challenger]);
      expect(owed).toBeGreaterThanOrEqual(BOND);
      const before = await chain.publicClient.getBalance({ address: challenger });
      const receipt = await chain.send(challenger, gameCall('withdraw'));
      const after = await chain.publicClient.getBalance({ address: challenger });
      expect(after - before).toBe(owed - receipt.gasUsed * receipt.effectiveGasPrice);
      expect(await readGame<bigint>('claimable', [challenger])).toBe(0n);
      await expectRevert(chain.send(challenger, gameCall('withdraw')), 'DisputeGame_NothingToWithdraw', [
        challenger,
      ]);
    });

    it('test_bonds_balanceIsUndecidedBondsPlusClaimable', async () => {
      // Leave two disputes open on one leaf so the sum has both parts (the run before left leaves
      // with several disputes, decided either way).
      const s = await scenario();
      await open(s);
      await open(s, outsider);
      const count = await readGame<bigint>('disputeCount');
      let undecided = 0n;
      let decided = 0n;
      for (let id = 1n; id <= count; id++) {
        if ((await dispute(id)).outcome === DisputeOutcome.Undecided) undecided++;
        else decided++;
      }
      let claimable = 0n;
      for (const account of chain.accounts) claimable += await readGame<bigint>('claimable', [account]);
      const withdrawn = await chain.publicClient.getLogs({
        address: game,
        event: DisputeGameAbi.find((x) => x.type === 'event' && x.name === 'Withdrawn') as never,
        fromBlock: 0n,
      });
      const paidOut = withdrawn.reduce((sum, log) => sum + ((log as any).args.amount as bigint), 0n);
      const balance = await chain.publicClient.getBalance({ address: game });
      expect(undecided).toBeGreaterThan(0n);
      expect(balance).toBe(undecided * BOND + claimable);
      // Every bond paid in is either held, claimable or paid out, exactly once.
      expect(count * BOND).toBe(balance + paidOut);
      expect(claimable + paidOut).toBe(decided * BOND);
      expect(await readHost<bigint>('openedCalls')).toBe(count);
      expect(await readHost<bigint>('resolvedCalls')).toBe(decided);
      // Per leaf: the disputes opened on it add up to all of them, its open ones to the undecided.
      const opened = await chain.publicClient.getLogs({
        address: game,
        event: DisputeGameAbi.find((x) => x.type === 'event' && x.name === 'DisputeOpened') as never,
        fromBlock: 0n,
      });
      const leaves = [...new Set(opened.map((log) => (log as any).args.leafHash as Hex))];
      let perLeaf = 0n;
      let openPerLeaf = 0n;
      let severalOnOneLeaf = 0;
      for (const leaf of leaves) {
        const disputes = await readGame<bigint>('disputeCountOf', [leaf]);
        perLeaf += disputes;
        openPerLeaf += await readGame<bigint>('openDisputesOf', [leaf]);
        if (disputes > 1n) severalOnOneLeaf++;
        expect(await readGame<bigint>('openDisputesOf', [leaf])).toBe(
          await readHost<bigint>('openDisputes', [leaf]),
        );
      }
      expect(perLeaf).toBe(count);
      expect(openPerLeaf).toBe(undecided);
      expect(severalOnOneLeaf).toBeGreaterThan(3);
    });
  });
});
