/**
 * The service's side of disputes on a real anvil with the real one-step executor and the MNIST
 * MLP: the watcher picks up disputes on our leaves, the defender answers every move from the
 * engine's trace (or claims a silent challenger's timeout), the outcome is applied to the rows, and
 * the finalizer never calls a disputed result final. A result the engine does not reproduce is not
 * defended: it is discarded, its request computed again by another worker, and the batch's other
 * leaves still reveal and finalize.
 */
import { parseEther, parseEventLogs, zeroAddress, type Hex } from 'viem';
import {
  createDisputeClient,
  DisputeOutcome,
  DisputeReason,
  type DisputeClient,
} from '../../../src/chain/dispute-client';
import { DisputeGameAbi, SettlementAbi, WorkerRegistryAbi } from '../../../src/chain/generated/contracts';
import { ChallengesService } from '../../../src/challenges/challenges.service';
import { DisputeDefender, UNDEFENDABLE_NOTE } from '../../../src/challenges/dispute-defender';
import { DisputeWatcher } from '../../../src/challenges/dispute-watcher';
import { toDisputeModel } from '../../../src/challenges/to-dispute-model';
import { challengerMove } from '../../../src/challenges/dispute-strategy';
import { InferenceEvents } from '../../../src/inference/inference-events';
import { JobSignal } from '../../../src/inference/job-signal';
import { ModelCatalog } from '../../../src/inference/model-catalog';
import { BatchCommitter } from '../../../src/settlement/batch-committer';
import { loadBatchTree } from '../../../src/result-batches/batch-leaves';
import { ChainRequestWatcher } from '../../../src/settlement/chain-request-watcher';
import { ModelAnchorer } from '../../../src/settlement/model-anchorer';
import { ResultFinalizer } from '../../../src/settlement/result-finalizer';
import { sqlFor } from '../../../src/database/sql';
import { JobsService } from '../../../src/workers/jobs.service';
import { ProtocolService } from '../../../src/workers/protocol.service';
import {
  firstPositive,
  honestTrace,
  loadDisputeModel,
  tamperedTrace,
  type DisputeModel,
  type Trace,
} from '../../support/dispute-fixtures';
import { ANVIL_WORKER_KEYS, testWorker } from '../../support/worker-auth';
import { TEST_PARAMETERS } from '../contracts/contracts-fixture';
import { REQUESTER, WORKER, startHarness, storeTracedResult, type Harness } from './settlement-harness';

const BOND = parseEther('0.1');
const SLASH = parseEther('0.6');
const MAX_CLOCK = 60n;
const WORKER_STAKE = parseEther('2');
const WINDOW = TEST_PARAMETERS.challengeWindowSeconds;
const MODE_OPTIMISTIC = 2;

describe('the dispute defender', () => {
  let harness: Harness;
  let mnist: DisputeModel;
  let honest: Trace[];
  let model: { id: string; commitment: Hex };
  let committer: BatchCommitter, finalizer: ResultFinalizer, requests: ChainRequestWatcher;
  let watcher: DisputeWatcher, defender: DisputeDefender, challenges: ChallengesService;
  let challenger: DisputeClient;
  const challengerAccount = testWorker(ANVIL_WORKER_KEYS[2]);

  const rowOf = async (id: string) => (await harness.sql(`SELECT * FROM inferences WHERE id = $1`, [id]))[0];
  const disputeOf = async (disputeId: bigint) =>
    (await harness.sql(`SELECT * FROM disputes WHERE dispute_id = $1`, [disputeId.toString()]))[0];
  const claimableBonds = (account: Hex) =>
    harness.publicClient.readContract({
      address: harness.deployment.contracts.DisputeGame,
      abi: DisputeGameAbi,
      functionName: 'claimable',
      args: [account],
    });

  /** Opens a dispute, as the challenger, on the leaf inference `id` holds in its committed batch. */
  async function openOn(id: string): Promise<bigint> {
    const [row] = await harness.sql(
      `SELECT i.leaf_index, i.worker_signature, i.batch_id, b.chain_batch_id
         FROM inferences i JOIN result_batches b ON b.id = i.batch_id WHERE i.id = $1`,
      [id],
    );
    const { tree, leaves } = await loadBatchTree(sqlFor(harness.dataSource), row.batch_id);
    const opened = await challenger.openDispute({
      batchId: BigInt(row.chain_batch_id),
      leaf: leaves[row.leaf_index],
      leafProof: tree.proof(row.leaf_index),
      parts: mnist.parts,
      workerSignature: row.worker_signature,
    });
    return opened.disputeId;
  }

  /** A dapp's on-chain request of `trace`'s input (no callback); returns the request id. */
  async function requestOnChain(trace: Trace): Promise<Hex> {
    const hash = await harness.walletOf(REQUESTER).writeContract({
      address: harness.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'requestInference',
      args: [model.commitment, trace.inputCommitment, trace.input, MODE_OPTIMISTIC, zeroAddress, 0],
      value: TEST_PARAMETERS.minimumFeeWei,
    });
    const receipt = await harness.publicClient.waitForTransactionReceipt({ hash });
    return parseEventLogs({ abi: SettlementAbi, eventName: 'InferenceRequested', logs: receipt.logs })[0].args
      .requestId;
  }

  beforeAll(async () => {
    harness = await startHarness({
      parameters: { challengerBondWei: BOND, disputeSlashAmountWei: SLASH, maxClockSeconds: MAX_CLOCK },
    });
    committer = harness.module.get(BatchCommitter);
    finalizer = harness.module.get(ResultFinalizer);
    requests = harness.module.get(ChainRequestWatcher);
    watcher = harness.module.get(DisputeWatcher);
    defender = harness.module.get(DisputeDefender);
    challenges = harness.module.get(ChallengesService);
    mnist = loadDisputeModel('mnist-mlp');
    honest = mnist.sampleInputs.map((input) => honestTrace(mnist.model, input));
    const [row] = await harness.sql<{ id: string }>(
      `INSERT INTO models (name, commitment, onnx_sha256, onnx, quantized, ops, parameter_count, input_shape,
                           output_shape, fraction_bits, accuracy)
       VALUES ('mnist-mlp', $1, $2, '\\x00', $3, '{Gemm,Relu}', $4, '{1,784}', '{1,10}', $5, '{}')
       RETURNING id`,
      [
        mnist.commitment.commitment,
        '0'.repeat(64),
        JSON.stringify(mnist.model),
        mnist.commitment.parameterCount,
        mnist.model.fractionBits,
      ],
    );
    model = { id: row.id, commitment: mnist.commitment.commitment };
    await harness.module.get(ModelAnchorer).runOnce();
    await harness.publicClient.waitForTransactionReceipt({
      hash: await harness.walletOf(WORKER).writeContract({
        address: harness.deployment.contracts.WorkerRegistry,
        abi: WorkerRegistryAbi,
        functionName: 'register',
        value: WORKER_STAKE,
      }),
    });
    challenger = createDisputeClient({
      game: harness.deployment.contracts.DisputeGame,
      publicClient: harness.publicClient,
      walletClient: harness.walletOf(challengerAccount),
    });
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('answers every move of a challenger disputing a correct result, which loses at the one-step, and the result becomes final after its window', async () => {
    const id = await storeTracedResult(harness, { model, claimed: honest[0] });
    await committer.runOnce();
    expect((await rowOf(id)).status).toBe('CHALLENGEABLE');

    const disputeId = await openOn(id);
    expect(await watcher.runOnce()).toEqual([disputeId.toString()]);
    expect((await rowOf(id)).status).toBe('DISPUTED');
    expect(await disputeOf(disputeId)).toMatchObject({
      status: 'OPEN',
      phase: 'AWAIT_TRACE_PAGE',
      defending: true,
      inference_id: id,
    });

    // A challenger disputing a correct result: nothing differs, so the strategy goes to the last
    // leaf (the last step, whose 10 values are one chunk) and the first value; the service answers
    // each move (a page of the trace tree, then the chunk's values).
    const knowledge = { model: mnist.model, steps: mnist.steps, own: honest[0] };
    const defenderMoves: string[] = [];
    for (;;) {
      await defender.runOnce();
      defenderMoves.push((await disputeOf(disputeId)).last_move);
      const view = await challenger.readDispute(disputeId);
      const move = challengerMove(view, knowledge, challenger.calls);
      if (!move) break;
      await challenger.send(move.call);
      if (move.move === 'oneStep') break;
    }
    expect(defenderMoves).toEqual(['revealTracePage', 'revealChunkValues']);
    expect(await challenger.readDispute(disputeId)).toMatchObject({
      outcome: DisputeOutcome.DefenderWon,
      reason: DisputeReason.OneStep,
    });

    await defender.runOnce();
    const recorded = await disputeOf(disputeId);
    expect(recorded).toMatchObject({
      status: 'DEFENDER_WON',
      reason: 'ONE_STEP',
      phase: 'RESOLVED',
      slashed_wei: '0',
    });
    expect(recorded.resolved_at).toBeInstanceOf(Date);
    expect((await rowOf(id)).status).toBe('CHALLENGEABLE');
    // The challenger's bond is credited to the worker the leaf names.
    expect(await claimableBonds(WORKER.address)).toBe(BOND);
    const [api] = (await challenges.ofInference(id)).map(toDisputeModel);
    expect(api).toMatchObject({
      disputeId: disputeId.toString(),
      status: 'DEFENDER_WON',
      moves: 2,
      inferenceId: id,
    });
    expect((await challenges.list(20, 'DEFENDER_WON')).map((d) => d.dispute_id)).toContain(
      disputeId.toString(),
    );

    await harness.increaseTime(WINDOW);
    await finalizer.finalizeDue();
    expect((await rowOf(id)).status).toBe('FINAL');
  });

  it('claims the timeout of a challenger that stops moving', async () => {
    const id = await storeTracedResult(harness, { model, claimed: honest[1] });
    await committer.runOnce();
    const disputeId = await openOn(id);
    await watcher.runOnce();
    await defender.runOnce();
    expect(await disputeOf(disputeId)).toMatchObject({ last_move: 'revealTracePage', phase: 'AWAIT_TRACE_PAGE' });
    await defender.runOnce();
    expect(await disputeOf(disputeId)).toMatchObject({ phase: 'AWAIT_TRACE_PICK', moves: 1 });

    await harness.increaseTime(MAX_CLOCK);
    await defender.runOnce();
    expect(await disputeOf(disputeId)).toMatchObject({ last_move: 'claimTimeout', moves: 2 });
    await defender.runOnce();
    expect(await disputeOf(disputeId)).toMatchObject({ status: 'DEFENDER_WON', reason: 'TIMEOUT' });
    expect((await rowOf(id)).status).toBe('CHALLENGEABLE');
    expect(await claimableBonds(WORKER.address)).toBe(2n * BOND);
  });

  it('does not defend a trace the engine does not produce: the leaf is discarded, the request recomputed by another worker, and the batch’s other results still reveal and finalize', async () => {
    const wrong = tamperedTrace(mnist.model, honest[2], {
      step: 0,
      element: firstPositive(honest[2], 0),
      recompute: true,
    });
    const refuted = await storeTracedResult(harness, { model, claimed: wrong });
    const requestIds = [await requestOnChain(honest[2]), await requestOnChain(honest[3])];
    await requests.runOnce();
    const others = [
      await storeTracedResult(harness, { model, claimed: honest[2], requestId: requestIds[0] }),
      await storeTracedResult(harness, { model, claimed: honest[3], requestId: requestIds[1] }),
    ];
    await committer.runOnce();
    const before = await rowOf(refuted);
    expect(before.status).toBe('CHALLENGEABLE');
    expect((await rowOf(others[0])).batch_id).toBe(before.batch_id);

    const disputeId = await openOn(refuted);
    await watcher.runOnce();
    await defender.runOnce();
    expect(await disputeOf(disputeId)).toMatchObject({ defending: false, note: UNDEFENDABLE_NOTE, moves: 0 });
    await harness.increaseTime(MAX_CLOCK);
    await challenger.claimTimeout(disputeId);
    await defender.runOnce();

    expect(await disputeOf(disputeId)).toMatchObject({
      status: 'CHALLENGER_WON',
      reason: 'TIMEOUT',
      slashed_wei: SLASH.toString(),
    });
    const after = await rowOf(refuted);
    expect(after).toMatchObject({
      status: 'REQUESTED',
      worker_address: null,
      batch_id: null,
      output_fixed: null,
    });
    expect(after.excluded_workers).toEqual([WORKER.address.toLowerCase()]);
    const [discarded] = await harness.sql(`SELECT * FROM discarded_results WHERE inference_id = $1`, [
      refuted,
    ]);
    expect(discarded).toMatchObject({
      batch_id: before.batch_id,
      leaf_index: before.leaf_index,
      trace_commitment: wrong.traceCommitment,
      worker_signature: before.worker_signature,
      dispute_id: disputeId.toString(),
    });
    const { tree } = await loadBatchTree(sqlFor(harness.dataSource), before.batch_id);
    const [batch] = await harness.sql(`SELECT root FROM result_batches WHERE id = $1`, [before.batch_id]);
    expect(tree.root).toBe(batch.root);

    // The refuted worker is never leased the request again; another worker is.
    const jobs = new JobsService(
      harness.dataSource,
      harness.module.get(ModelCatalog),
      harness.module.get(InferenceEvents),
      harness.module.get(JobSignal),
      new ProtocolService(harness.runtime),
      harness.runtime,
    );
    const claim = { maxJobs: 5, waitMs: 0, leaseSeconds: 60 };
    expect(await jobs.claim(WORKER.address, claim)).toEqual([]);
    expect((await jobs.claim(testWorker(ANVIL_WORKER_KEYS[1]).address, claim)).map((job) => job.id)).toEqual([
      refuted,
    ]);

    await finalizer.revealCommitted();
    for (const id of others) expect((await rowOf(id)).status).toBe('CHALLENGEABLE');
    await harness.increaseTime(WINDOW);
    await finalizer.finalizeDue();
    for (const id of others) expect((await rowOf(id)).status).toBe('FINAL');
  });

  it('never calls an API result final while a dispute on its leaf is open, even before the watcher saw it', async () => {
    const id = await storeTracedResult(harness, { model, claimed: honest[3] });
    await committer.runOnce();
    const disputeId = await openOn(id);
    await harness.increaseTime(WINDOW);
    await finalizer.finalizeDue();
    expect((await rowOf(id)).status).toBe('CHALLENGEABLE');
    await watcher.runOnce();
    expect((await rowOf(id)).status).toBe('DISPUTED');
    expect(await disputeOf(disputeId)).toMatchObject({
      status: 'OPEN',
      request_id: (await rowOf(id)).request_id,
    });
  });
});
