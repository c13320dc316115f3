/**
 * Optimistic mode end to end on a real anvil: the deployed system (Settlement as the dispute
 * game's host, WorkerRegistry, DisputeGame, the real OneStepExecutor), real models (the MNIST MLP
 * and the 3l_relu_conv_fc fixture) evaluated by the engine, EIP-712-signed result leaves, and both
 * parties of each dispute played with the engine: a dishonest worker is slashed and its request
 * recomputed; a dishonest challenger loses its bond; a silent side loses on time.
 */
import {
  createWalletClient,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  toHex,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { anvil } from 'viem/chains';
import {
  createDisputeClient,
  DisputeOutcome,
  DisputeReason,
  type DisputeClient,
} from '../../../src/chain/dispute-client';
import type { Deployment, ProtocolParameters } from '../../../src/chain/deployments';
import {
  DisputeGameAbi,
  EscrowAbi,
  SettlementAbi,
  WorkerRegistryAbi,
} from '../../../src/chain/generated/contracts';
import { buildResultTree, hashResultLeaf, type ResultLeaf } from '../../../src/chain/result-merkle';
import { verityDomain } from '../../../src/chain/typed-data';
import {
  firstPositive,
  honestTrace,
  loadDisputeModel,
  playDispute,
  resultLeafOf,
  tamperedTrace,
  type DisputeModel,
  type PlayedMove,
  type Trace,
} from '../../support/dispute-fixtures';
import { traceTreeOf } from '../../../src/challenges/dispute-strategy';
import { MAX_DISPUTE_MOVE_GAS, disputeGasReport } from '../../../src/chain/dispute-gas';
import { ANVIL_WORKER_KEYS, signResult, testWorker } from '../../support/worker-auth';
import {
  expectRevert,
  MODE_OPTIMISTIC,
  startChain,
  TEST_PARAMETERS,
  type Chain,
  type ContractCall,
  deployConsumer,
  readConsumer,
} from './contracts-fixture';

const SLASH = parseEther('0.6');
const BOND = parseEther('0.1');
const MAX_CLOCK = 60n;
/** The test windows, a 0.6 ETH slash (two lost disputes exceed a 1 ETH stake) and 60 s clocks. */
const PARAMETERS: ProtocolParameters = {
  ...TEST_PARAMETERS,
  disputeSlashAmountWei: SLASH,
  challengerBondWei: BOND,
  maxClockSeconds: MAX_CLOCK,
};
const { challengeWindowSeconds: WINDOW, minimumFeeWei: FEE, minimumStakeWei: STAKE } = TEST_PARAMETERS;
const STATUS = { None: 0, Open: 1, Pending: 2, Disputed: 3, Final: 4 } as const;
const CALLBACK_GAS_LIMIT = 300_000;
/** Goals for a full MNIST dispute, both parties' transactions together. */
const MAX_DISPUTE_TRANSACTIONS = 12;
const MAX_DISPUTE_GAS = 3_000_000n;
const MAX_ONE_STEP_GAS = 5_000_000n;
/** Committed batches hold this many leaves (the service's batch size), the disputed one among them. */
const BATCH_LEAVES = 64;


/** The first page of a trace's tree (the whole leaf level while the tree is at most PAGE_DEPTH deep). */
function firstTracePage(trace: Trace): Hex[] {
  const tree = traceTreeOf(trace);
  return tree.page(0, 0, tree.depth);
}

describe('optimistic disputes with the real one-step executor', () => {
  let chain: Chain;
  let contracts: Deployment['contracts'];
  let mnist: DisputeModel, conv: DisputeModel;
  let service: Address, requester: Address, challengerAddress: Address;
  const workerKeys = ANVIL_WORKER_KEYS.map((key) => testWorker(key));
  let challenger: DisputeClient, defender: DisputeClient;
  let fillerCounter = 0;

  const settlementCall = (
    functionName: string,
    args: readonly unknown[] = [],
    value?: bigint,
  ): ContractCall => ({
    address: contracts.Settlement,
    abi: SettlementAbi,
    functionName,
    args,
    value,
  });
  const gameCall = (functionName: string, args: readonly unknown[] = [], value?: bigint): ContractCall => ({
    address: contracts.DisputeGame,
    abi: DisputeGameAbi,
    functionName,
    args,
    value,
  });
  const readSettlement = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.read<T>(settlementCall(functionName, args));
  const readGame = <T>(functionName: string, args: readonly unknown[] = []) =>
    chain.read<T>(gameCall(functionName, args));
  const escrowCall = (functionName: string, args: readonly unknown[] = []): ContractCall => ({
    address: contracts.Escrow,
    abi: EscrowAbi,
    functionName,
    args,
  });
  /** What the Escrow owes `account` (fees, slash rewards). */
  const escrowCredit = (account: Address) => chain.read<bigint>(escrowCall('claimableOf', [account]));
  const status = (requestId: Hex) => readSettlement<number>('statusOf', [requestId]);
  const workerOf = (worker: Address) =>
    chain.read<{ stake: bigint; withdrawableAt: bigint; frozen: number }>({
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'workerOf',
      args: [worker],
    });
  const balance = (address: Address) => chain.publicClient.getBalance({ address });
  const feesOf = (receipt: TransactionReceipt) => receipt.gasUsed * receipt.effectiveGasPrice;

  function clientFor(address: Address): DisputeClient {
    return createDisputeClient({
      game: contracts.DisputeGame,
      publicClient: chain.publicClient,
      walletClient: createWalletClient({
        chain: anvil,
        transport: http(chain.anvil.rpcUrl),
        account: chain.signer(address),
      }),
    });
  }

  async function stake(workerIndex: number, amount = STAKE): Promise<Address> {
    const worker = workerKeys[workerIndex].address;
    await chain.send(worker, {
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: amount,
    });
    return worker;
  }

  /** An on-chain request of `model` on the trace's input, calling `callback` back at finalize. */
  async function requestOnChain(model: DisputeModel, trace: Trace, callback: Address): Promise<Hex> {
    const receipt = await chain.send(
      requester,
      settlementCall(
        'requestInference',
        [
          model.commitment.commitment,
          trace.inputCommitment,
          trace.input,
          MODE_OPTIMISTIC,
          callback,
          CALLBACK_GAS_LIMIT,
        ],
        FEE,
      ),
    );
    const [event] = parseEventLogs({
      abi: SettlementAbi,
      logs: receipt.logs,
      eventName: 'InferenceRequested',
    });
    return event.args.requestId;
  }

  /** The id of an API-origin request (never on-chain). */
  const apiRequestId = (label: string): Hex => keccak256(toHex(`api-request-${label}`));

  /** A signed leaf: `workerIndex`'s signature over its leaf for `trace`. */
  async function signedLeaf(requestId: Hex, model: DisputeModel, trace: Trace, workerIndex: number) {
    const worker = workerKeys[workerIndex];
    const leaf = resultLeafOf(requestId, model, trace, worker.address);
    const signature = await signResult(verityDomain(anvil.id, contracts.Settlement), worker, leaf);
    return { leaf, signature };
  }

  /** Commits `leaves` in one batch of BATCH_LEAVES (filled with other leaves) from the service account. */
  async function commit(leaves: ResultLeaf[]) {
    const fillers = Array.from({ length: BATCH_LEAVES - leaves.length }, () => ({
      ...leaves[0],
      requestId: apiRequestId(`filler-${fillerCounter++}`),
    }));
    const tree = buildResultTree([...leaves, ...fillers]);
    const receipt = await chain.send(service, settlementCall('commitBatch', [tree.root, BATCH_LEAVES]));
    const [event] = parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'BatchCommitted' });
    return { batchId: event.args.batchId, proof: (index: number) => tree.proof(index) };
  }

  async function reveal(batchId: bigint, leaf: ResultLeaf, output: bigint[], proof: Hex[], signature: Hex) {
    return chain.send(service, settlementCall('reveal', [batchId, leaf, output, proof, signature]));
  }

  async function open(
    by: DisputeClient,
    model: DisputeModel,
    batchId: bigint,
    signed: { leaf: ResultLeaf; signature: Hex },
    proof: Hex[],
  ) {
    return by.openDispute({
      batchId,
      leaf: signed.leaf,
      leafProof: proof,
      parts: model.parts,
      workerSignature: signed.signature,
    });
  }

  const newConsumer = () => deployConsumer(chain, requester);
  const consumerRead = <T>(consumer: Address, functionName: string) => readConsumer<T>(chain, consumer, functionName);

  const dispute = (id: bigint) =>
    readGame<{ outcome: number; reason: number; worker: Address; challenger: Address }>('disputeOf', [id]);

  beforeAll(async () => {
    mnist = loadDisputeModel('mnist-mlp');
    conv = loadDisputeModel('3l_relu_conv_fc');
    chain = await startChain();
    [service] = chain.accounts;
    requester = chain.accounts[4];
    challengerAddress = chain.accounts[5];
    contracts = await chain.deploy(PARAMETERS);
    await chain.registerModel(contracts.ModelRegistry, mnist.commitment.commitment);
    await chain.registerModel(contracts.ModelRegistry, conv.commitment.commitment);
    challenger = clientFor(challengerAddress);
    defender = clientFor(service);
  });
  afterAll(async () => chain?.anvil.stop());

  it('slashes a worker whose MNIST result is wrong, reopens the request and finalizes an honest recomputed result once', async () => {
    const cheat = await stake(0);
    const honestWorker = await stake(1);
    const consumer = await newConsumer();
    const honest = honestTrace(mnist.model, mnist.sampleInputs[0]);
    // One hidden-layer value off by one, every later tensor recomputed: a consistent, wrong output.
    const wrong = tamperedTrace(mnist.model, honest, {
      step: 0,
      element: firstPositive(honest, 0),
      recompute: true,
    });
    expect(wrong.output).not.toEqual(honest.output);
    const requestId = await requestOnChain(mnist, honest, consumer);
    const signed = await signedLeaf(requestId, mnist, wrong, 0);
    const batch = await commit([signed.leaf]);
    await reveal(batch.batchId, signed.leaf, wrong.output, batch.proof(0), signed.signature);
    expect(await status(requestId)).toBe(STATUS.Pending);

    const opened = await open(challenger, mnist, batch.batchId, signed, batch.proof(0));
    const leafHash = hashResultLeaf(signed.leaf);
    expect(await status(requestId)).toBe(STATUS.Disputed);
    expect(await readSettlement('isLeafDisputed', [leafHash])).toBe(true);
    expect((await workerOf(cheat)).frozen).toBe(1);
    await expectRevert(
      chain.send(service, settlementCall('finalize', [requestId])),
      'Settlement_NotPending',
      [requestId, STATUS.Disputed],
    );

    const moves: PlayedMove[] = [{ move: 'open', by: 'challenger', gasUsed: opened.gasUsed }];
    moves.push(
      ...(await playDispute({
        disputeId: opened.disputeId,
        model: mnist,
        challenger,
        defender,
        claimed: wrong,
        own: honest,
      })),
    );
    const decided = await dispute(opened.disputeId);
    expect(decided.outcome).toBe(DisputeOutcome.ChallengerWon);
    expect(decided.reason).toBe(DisputeReason.OneStep);
    expect(moves.map((m) => m.move)).toEqual([
      'open',
      'revealTracePage',
      'pickTraceNode',
      'revealChunkPage',
      'pickChunkNode',
      'revealChunkValues',
      'oneStep',
    ]);

    // The leaf is discarded, the request reopened, the worker slashed by SLASH to the challenger.
    expect(await status(requestId)).toBe(STATUS.Open);
    expect(await readSettlement('isLeafDisputed', [leafHash])).toBe(false);
    expect(await readSettlement('isLeafDiscarded', [leafHash])).toBe(true);
    expect(await workerOf(cheat)).toMatchObject({ stake: STAKE - SLASH, frozen: 0 });
    expect(await escrowCredit(challengerAddress)).toBe(SLASH);
    expect(await readGame('claimable', [challengerAddress])).toBe(BOND);
    const before = await balance(challengerAddress);
    const withdrawn = await challenger.withdraw();
    moves.push({ move: 'withdraw (bond)', by: 'challenger', gasUsed: withdrawn.gasUsed });
    const claimed = await chain.send(challengerAddress, escrowCall('claim'));
    moves.push({ move: 'Escrow.claim (slash)', by: 'challenger', gasUsed: claimed.gasUsed });
    expect((await balance(challengerAddress)) - before).toBe(
      BOND + SLASH - feesOf(withdrawn.receipt) - feesOf(claimed),
    );

    const totalGas = moves.reduce((sum, m) => sum + m.gasUsed, 0n);
    const oneStepGas = moves.find((m) => m.move === 'oneStep')!.gasUsed;
    expect(moves.length).toBeLessThanOrEqual(MAX_DISPUTE_TRANSACTIONS);
    expect(totalGas).toBeLessThan(MAX_DISPUTE_GAS);
    expect(oneStepGas).toBeLessThan(MAX_ONE_STEP_GAS);

    // Nothing can finalize the reopened request until an honest result is revealed and its window passes.
    await expectRevert(
      chain.send(service, settlementCall('finalize', [requestId])),
      'Settlement_NotPending',
      [requestId, STATUS.Open],
    );
    const again = await commit([signed.leaf]);
    await expectRevert(
      reveal(again.batchId, signed.leaf, wrong.output, again.proof(0), signed.signature),
      'Settlement_LeafDiscarded',
      [leafHash],
    );
    await expectRevert(
      chain.send(
        challengerAddress,
        gameCall('open', [again.batchId, signed.leaf, again.proof(0), mnist.parts, signed.signature], BOND),
      ),
      'DisputeGame_LeafAlreadyDiscarded',
      [leafHash, opened.disputeId],
    );
    const recomputed = await signedLeaf(requestId, mnist, honest, 1);
    const honestBatch = await commit([recomputed.leaf]);
    await reveal(
      honestBatch.batchId,
      recomputed.leaf,
      honest.output,
      honestBatch.proof(0),
      recomputed.signature,
    );
    await expectRevert(
      chain.send(service, settlementCall('finalize', [requestId])),
      'Settlement_ChallengeWindowOpen',
    );
    await chain.increaseTime(WINDOW);
    await chain.send(service, settlementCall('finalize', [requestId]));
    expect(await status(requestId)).toBe(STATUS.Final);
    expect(await consumerRead(consumer, 'calls')).toBe(1n);
    expect(await consumerRead(consumer, 'lastOutput')).toEqual(honest.output);
    expect(await escrowCredit(honestWorker)).toBe(FEE);
    await expectRevert(
      chain.send(service, settlementCall('finalize', [requestId])),
      'Settlement_NotPending',
      [requestId, STATUS.Final],
    );
    expect(await consumerRead(consumer, 'calls')).toBe(1n);
  });

  it.each([
    { variant: 'later tensors kept (the output is the honest one)', recompute: false },
    { variant: 'later tensors recomputed (a consistent, wrong output)', recompute: true },
  ])(
    'the challenger wins against a conv-fixture trace with one wrong conv value, $variant, on an API-origin leaf',
    async ({ recompute }) => {
      const cheat = workerKeys[2].address;
      if ((await workerOf(cheat)).stake === 0n) await stake(2);
      const stakeBefore = (await workerOf(cheat)).stake;
      const honest = honestTrace(conv.model, conv.sampleInputs[0]);
      // Step 1 is the first conv (step 0 reshapes the input).
      const wrong = tamperedTrace(conv.model, honest, {
        step: 1,
        element: firstPositive(honest, 1),
        recompute,
      });
      if (!recompute) expect(wrong.output).toEqual(honest.output);
      const signed = await signedLeaf(apiRequestId(`conv-${String(recompute)}`), conv, wrong, 2);
      const batch = await commit([signed.leaf]);
      const leafHash = hashResultLeaf(signed.leaf);
      const window = await readSettlement<readonly [Hex, bigint]>('batchRootAndWindow', [batch.batchId]);
      const committedAt = (await readSettlement<{ committedAt: bigint }>('batchOf', [batch.batchId]))
        .committedAt;
      expect(window[1]).toBe(committedAt + WINDOW);

      const opened = await open(challenger, conv, batch.batchId, signed, batch.proof(0));
      expect(await readSettlement('isLeafDisputed', [leafHash])).toBe(true);
      const moves = await playDispute({
        disputeId: opened.disputeId,
        model: conv,
        challenger,
        defender,
        claimed: wrong,
        own: honest,
      });
      expect(moves.find((m) => m.move === 'pickTraceNode')).toBeDefined();
      expect(await dispute(opened.disputeId)).toMatchObject({ stepIndex: 1 });
      expect(moves[moves.length - 1].move).toBe('oneStep');
      expect(moves[moves.length - 1].gasUsed).toBeLessThan(MAX_ONE_STEP_GAS);
      expect(await dispute(opened.disputeId)).toMatchObject({
        outcome: DisputeOutcome.ChallengerWon,
        reason: DisputeReason.OneStep,
      });
      expect(await readSettlement('isLeafDisputed', [leafHash])).toBe(false);
      expect(await readSettlement('isLeafDiscarded', [leafHash])).toBe(true);
      const slashed = stakeBefore < SLASH ? stakeBefore : SLASH;
      expect((await workerOf(cheat)).stake).toBe(stakeBefore - slashed);
    },
  );

  it('pays the bonds of challengers that dispute an honest MNIST result to its worker, holds the result until both disputes are decided, and it finalizes after its window', async () => {
    const worker = workerKeys[1].address;
    const consumer = await newConsumer();
    const honest = honestTrace(mnist.model, mnist.sampleInputs[1]);
    const requestId = await requestOnChain(mnist, honest, consumer);
    const signed = await signedLeaf(requestId, mnist, honest, 1);
    const leafHash = hashResultLeaf(signed.leaf);
    const batch = await commit([signed.leaf]);
    const revealed = await reveal(batch.batchId, signed.leaf, honest.output, batch.proof(0), signed.signature);
    const revealBound = disputeGasReport(mnist.model).moves.find((m) => m.move === 'reveal')!.gas;
    console.log(`Settlement.reveal of a 10-value MNIST output: ${revealed.gasUsed} gas (bound ${revealBound})`);
    expect(Number(revealed.gasUsed)).toBeLessThanOrEqual(revealBound);
    const stakeBefore = (await workerOf(worker)).stake;
    const claimableBefore = await readGame<bigint>('claimable', [worker]);

    // Two challengers dispute the same correct leaf: the first plays to the one-step, the second stops.
    const first = await open(challenger, mnist, batch.batchId, signed, batch.proof(0));
    const second = await open(clientFor(chain.accounts[6]), mnist, batch.batchId, signed, batch.proof(0));
    expect(await status(requestId)).toBe(STATUS.Disputed);
    expect(await readSettlement('openDisputesOf', [leafHash])).toBe(2n);
    await defender.revealTracePage(second.disputeId, firstTracePage(honest));
    // Nothing differs: a challenger that insists picks step 0, chunk 0, value 0 and the executor agrees with the worker.
    const moves = await playDispute({
      disputeId: first.disputeId,
      model: mnist,
      challenger,
      defender,
      claimed: honest,
      own: honest,
      insist: { step: 0, chunk: 0, offset: 0 },
    });
    expect(moves[moves.length - 1].move).toBe('oneStep');
    expect(await dispute(first.disputeId)).toMatchObject({
      outcome: DisputeOutcome.DefenderWon,
      reason: DisputeReason.OneStep,
    });
    expect(await status(requestId)).toBe(STATUS.Disputed);

    await chain.increaseTime(MAX_CLOCK);
    await chain.send(service, gameCall('claimTimeout', [second.disputeId]));
    expect(await dispute(second.disputeId)).toMatchObject({
      outcome: DisputeOutcome.DefenderWon,
      reason: DisputeReason.Timeout,
    });
    expect((await readGame<bigint>('claimable', [worker])) - claimableBefore).toBe(2n * BOND);
    expect(await workerOf(worker)).toMatchObject({ stake: stakeBefore, frozen: 0 });
    expect(await readSettlement('isLeafDisputed', [leafHash])).toBe(false);
    expect(await readSettlement('isLeafDiscarded', [leafHash])).toBe(false);
    expect(await status(requestId)).toBe(STATUS.Pending);

    await expectRevert(
      chain.send(service, settlementCall('finalize', [requestId])),
      'Settlement_ChallengeWindowOpen',
    );
    await chain.increaseTime(WINDOW);
    await chain.send(service, settlementCall('finalize', [requestId]));
    expect(await status(requestId)).toBe(STATUS.Final);
    expect(await consumerRead(consumer, 'calls')).toBe(1n);
    expect(await consumerRead(consumer, 'lastOutput')).toEqual(honest.output);
  });

  it('decides on time: a silent defender loses, a silent challenger loses, and a worker with several open disputes stays frozen until the last is decided', async () => {
    const workerIndex = 2;
    const worker = workerKeys[workerIndex].address;
    const topUp = STAKE - (await workerOf(worker)).stake;
    if (topUp > 0n) await stake(workerIndex, topUp);
    expect((await workerOf(worker)).stake).toBe(STAKE);
    const traces = [2, 3, 0].map((i) => honestTrace(mnist.model, mnist.sampleInputs[i]));
    const signed = await Promise.all(
      traces.map((trace, i) => signedLeaf(apiRequestId(`timeouts-${i}`), mnist, trace, workerIndex)),
    );
    const tree = buildResultTree(signed.map((s) => s.leaf));
    const receipt = await chain.send(service, settlementCall('commitBatch', [tree.root, signed.length]));
    const [event] = parseEventLogs({ abi: SettlementAbi, logs: receipt.logs, eventName: 'BatchCommitted' });
    const ids: bigint[] = [];
    for (const [i, s] of signed.entries())
      ids.push((await open(challenger, mnist, event.args.batchId, s, tree.proof(i))).disputeId);
    expect((await workerOf(worker)).frozen).toBe(3);
    await chain.send(worker, {
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'requestWithdrawal',
    });

    // Dispute 1: the defender never answers. Dispute 2: the challenger stops after the first page.
    await defender.revealTracePage(ids[1], firstTracePage(traces[1]));
    await expectRevert(
      chain.send(service, gameCall('claimTimeout', [ids[0]])),
      'DisputeGame_ClockNotExpired',
    );
    await chain.increaseTime(MAX_CLOCK);
    await chain.send(service, gameCall('claimTimeout', [ids[0]]));
    expect(await dispute(ids[0])).toMatchObject({
      outcome: DisputeOutcome.ChallengerWon,
      reason: DisputeReason.Timeout,
    });
    expect(await workerOf(worker)).toMatchObject({ stake: STAKE - SLASH, frozen: 2 });
    await chain.send(service, gameCall('claimTimeout', [ids[1]]));
    expect(await dispute(ids[1])).toMatchObject({
      outcome: DisputeOutcome.DefenderWon,
      reason: DisputeReason.Timeout,
    });
    expect(await readGame('claimable', [worker])).toBeGreaterThanOrEqual(BOND);
    expect(await readSettlement('isLeafDisputed', [hashResultLeaf(signed[1].leaf)])).toBe(false);
    expect(await readSettlement('isLeafDiscarded', [hashResultLeaf(signed[1].leaf)])).toBe(false);
    expect((await workerOf(worker)).frozen).toBe(1);

    // Dispute 3 is still undecided (its defender's clock ran out, nobody claimed yet): the stake stays.
    await chain.increaseTime(TEST_PARAMETERS.withdrawalDelaySeconds);
    await expectRevert(
      chain.send(worker, {
        address: contracts.WorkerRegistry,
        abi: WorkerRegistryAbi,
        functionName: 'withdraw',
      }),
      'WorkerRegistry_StakeIsFrozen',
      [worker, 1],
    );
    const rewardsBefore = await escrowCredit(challengerAddress);
    await chain.send(service, gameCall('claimTimeout', [ids[2]]));
    // The stake left (STAKE - SLASH) is below the slash amount: the slash takes what remains.
    expect(await workerOf(worker)).toMatchObject({ stake: 0n, frozen: 0 });
    expect((await escrowCredit(challengerAddress)) - rewardsBefore).toBe(
      STAKE - SLASH,
    );
    await chain.send(worker, {
      address: contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'withdraw',
    });
  });

  describe('the registration bound (docs/disputes.md, "The bound")', () => {
    /** Each played move's gas against the bound's estimate for that move (and step). */
    function checkAgainstBound(name: string, model: DisputeModel, moves: PlayedMove[], step: number) {
      const report = disputeGasReport(model.model);
      const estimateOf = (move: string) =>
        move === 'oneStep'
          ? report.oneStepByStep[step].gas
          : report.moves.find((m) => m.move === move)!.gas;
      const rows = moves.map((m) => `${m.move} ${m.gasUsed} (bound ${estimateOf(m.move)})`);
      console.log(`${name}: costliest estimate ${report.costliest.move} ${report.costliest.gas}; played: ${rows.join(', ')}`);
      for (const m of moves) {
        expect([m.move, Number(m.gasUsed) <= estimateOf(m.move)]).toEqual([m.move, true]);
        expect(m.gasUsed).toBeLessThan(BigInt(MAX_DISPUTE_MOVE_GAS));
      }
      expect(report.costliest.gas).toBeLessThanOrEqual(MAX_DISPUTE_MOVE_GAS);
    }

    it.each(['mnist-mlp', '3l_relu_conv_fc', 'wide-conv', 'relu-chain'] as const)(
      'plays the costliest one-step of %s on anvil, every move within its bound and under MAX_DISPUTE_MOVE_GAS',
      async (name) => {
        const model = name === 'mnist-mlp' ? mnist : loadDisputeModel(name);
        const report = disputeGasReport(model.model);
        const costliest = report.oneStepByStep.reduce((a, b) => (b.gas > a.gas ? b : a));
        const step = costliest.step!;
        const honest = honestTrace(model.model, model.sampleInputs[0]);
        const length = honest.tensors[step + 1].length;
        const element = Math.floor(length / 2);
        const signed = await signedLeaf(apiRequestId(`bound-${name}`), model, honest, 1);
        const batch = await commit([signed.leaf]);
        const opened = await open(challenger, model, batch.batchId, signed, batch.proof(0));
        // A challenger insisting on a correct leaf: the same moves and data as a winning one.
        const moves: PlayedMove[] = [{ move: 'open', by: 'challenger', gasUsed: opened.gasUsed }];
        moves.push(
          ...(await playDispute({
            disputeId: opened.disputeId,
            model,
            challenger,
            defender,
            claimed: honest,
            own: honest,
            insist: { step, chunk: Math.floor(element / 16), offset: element % 16 },
          })),
        );
        expect(moves.at(-1)!.move).toBe('oneStep');
        expect(await dispute(opened.disputeId)).toMatchObject({ outcome: DisputeOutcome.DefenderWon });
        checkAgainstBound(name, model, moves, step);
      },
      300_000,
    );

    it('measures, for a model the bound refuses (a 62x62 average pool), a one-step over the budget and within its estimate', async () => {
      const model = loadDisputeModel('global-pool-conv');
      const report = disputeGasReport(model.model);
      expect(report.costliest).toMatchObject({ move: 'oneStep', step: 2, op: 'avgPool' });
      const honest = honestTrace(model.model, model.sampleInputs[0]);
      const signed = await signedLeaf(apiRequestId('bound-global-pool'), model, honest, 1);
      const batch = await commit([signed.leaf]);
      const opened = await open(challenger, model, batch.batchId, signed, batch.proof(0));
      const moves = await playDispute({
        disputeId: opened.disputeId,
        model,
        challenger,
        defender,
        claimed: honest,
        own: honest,
        insist: { step: 2, chunk: 1, offset: 0 },
      });
      const oneStep = moves.at(-1)!;
      console.log(`global 62x62 pool: oneStep ${oneStep.gasUsed} gas (bound ${report.costliest.gas})`);
      expect(oneStep.move).toBe('oneStep');
      expect(oneStep.gasUsed).toBeGreaterThan(BigInt(MAX_DISPUTE_MOVE_GAS));
      expect(Number(oneStep.gasUsed)).toBeLessThanOrEqual(report.costliest.gas);
    }, 300_000);
  });
});
