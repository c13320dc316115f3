import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, keccak256, parseEventLogs, stringToHex, type Address, type Hex } from 'viem';
import {
  ConsumerMockAbi,
  ConsumerMockBytecode,
  ModelRegistryAbi,
  SettlementAbi,
  WorkerRegistryAbi,
} from '../../../src/chain/generated/contracts';
import { outputCommitment, type ResultLeaf } from '../../../src/chain/result-merkle';
import { evaluateFixed, quantizeInput, type QuantizedModel } from '../../../src/engine';
import { ModelsService } from '../../../src/models/models.service';
import { BatchCommitter } from '../../../src/settlement/batch-committer';
import { loadBatchTree } from '../../../src/result-batches/batch-leaves';
import { sqlFor } from '../../../src/database/sql';
import { ChainRequestWatcher } from '../../../src/settlement/chain-request-watcher';
import { ModelAnchorer } from '../../../src/settlement/model-anchorer';
import { ResultFinalizer } from '../../../src/settlement/result-finalizer';
import { REQUEST_CURSOR_NAME } from '../../../src/settlement/settlement.constants';
import { TEST_PARAMETERS } from '../contracts/contracts-fixture';
import { malleate } from '../../support/worker-auth';
import { REQUESTER, WORKER, signResult, startHarness, type Harness } from './settlement-harness';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'mnist');
const RequestStatus = { Open: 1, Pending: 2, Final: 4 } as const;
const MODE_OPTIMISTIC = 2;

describe('on-chain requests', () => {
  let harness: Harness;
  let committer: BatchCommitter,
    watcher: ChainRequestWatcher,
    finalizer: ResultFinalizer,
    anchorer: ModelAnchorer;
  let model: { id: string; commitment: Hex; quantized: QuantizedModel };
  let consumer: Address;
  let input: bigint[];

  const settlement = () => harness.deployment.contracts.Settlement;
  const resultOf = (requestId: Hex) =>
    harness.publicClient.readContract({
      address: settlement(),
      abi: SettlementAbi,
      functionName: 'resultOf',
      args: [requestId],
    });
  const statusOf = (requestId: Hex) =>
    harness.publicClient.readContract({
      address: settlement(),
      abi: SettlementAbi,
      functionName: 'statusOf',
      args: [requestId],
    });
  const consumerCalls = () =>
    harness.publicClient.readContract({ address: consumer, abi: ConsumerMockAbi, functionName: 'calls' });
  const rowOf = async (requestId: Hex) =>
    (await harness.sql(`SELECT * FROM inferences WHERE request_id = $1`, [requestId]))[0];

  /** A dapp's requestInference from the requester account; returns the request id. */
  async function requestOnChain(values: bigint[]): Promise<Hex> {
    const wallet = harness.walletOf(REQUESTER);
    const hash = await wallet.writeContract({
      address: settlement(),
      abi: SettlementAbi,
      functionName: 'requestInference',
      args: [model.commitment, outputCommitment(values), values, MODE_OPTIMISTIC, consumer, 300_000],
      value: TEST_PARAMETERS.minimumFeeWei,
    });
    const receipt = await harness.publicClient.waitForTransactionReceipt({ hash });
    const [event] = parseEventLogs({
      abi: SettlementAbi,
      eventName: 'InferenceRequested',
      logs: receipt.logs,
    });
    return event.args.requestId;
  }

  /**
   * What the worker API leaves after a worker computed and submitted the request's result
   * (`malleated`: signed in a form the API accepted before it applied LibSignature's rule).
   */
  async function computeAsWorker(requestId: Hex, malleated?: 'high-s' | 'y-parity'): Promise<bigint[]> {
    const row = await rowOf(requestId);
    const { outputFixed } = evaluateFixed(model.quantized, Float64Array.from(row.input_fixed.map(Number)), {
      trace: false,
    });
    const leaf: ResultLeaf = {
      requestId,
      modelCommitment: model.commitment,
      inputCommitment: row.input_commitment,
      outputCommitment: outputCommitment(outputFixed),
      traceCommitment: keccak256(stringToHex(`trace-${requestId}`)),
      worker: WORKER.address,
    };
    await harness.sql(
      `UPDATE inferences SET status = 'COMPUTED', attempts = 1, worker_address = $2, backend = 'cpu', output_fixed = $3,
              output_commitment = $4, trace_commitment = $5, worker_signature = $6, computed_at = now() - interval '1 hour'
        WHERE request_id = $1 AND status = 'REQUESTED'`,
      [
        requestId,
        WORKER.address.toLowerCase(),
        outputFixed.map(String),
        leaf.outputCommitment,
        leaf.traceCommitment,
        malleated ? malleate(await signResult(harness, leaf), malleated) : await signResult(harness, leaf),
      ],
    );
    return outputFixed;
  }

  beforeAll(async () => {
    harness = await startHarness();
    committer = harness.module.get(BatchCommitter);
    watcher = harness.module.get(ChainRequestWatcher);
    finalizer = harness.module.get(ResultFinalizer);
    anchorer = harness.module.get(ModelAnchorer);

    const calibration = JSON.parse(readFileSync(join(FIXTURES, 'calibration.json'), 'utf8')) as {
      input_data: number[][];
    };
    const { model: registered } = await harness.module.get(ModelsService).register({
      name: 'mnist-mlp',
      onnxBase64: readFileSync(join(FIXTURES, 'mnist-mlp.onnx')).toString('base64'),
      calibration: calibration.input_data,
    });
    model = {
      id: registered.id,
      commitment: registered.commitment as Hex,
      quantized: registered.quantized as QuantizedModel,
    };
    input = Array.from(quantizeInput(model.quantized, calibration.input_data[0]), (v) => BigInt(v));

    // The worker stakes (reveal needs an active worker); a consumer contract waits for results.
    const worker = harness.walletOf(WORKER);
    await harness.publicClient.waitForTransactionReceipt({
      hash: await worker.writeContract({
        address: harness.deployment.contracts.WorkerRegistry,
        abi: WorkerRegistryAbi,
        functionName: 'register',
        value: TEST_PARAMETERS.minimumStakeWei,
      }),
    });
    const deployed = await harness.publicClient.waitForTransactionReceipt({
      hash: await harness
        .walletOf(REQUESTER)
        .deployContract({ abi: ConsumerMockAbi, bytecode: ConsumerMockBytecode }),
    });
    consumer = getAddress(deployed.contractAddress!);
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('registers a model on-chain before contracts can request it', async () => {
    const allows = () =>
      harness.publicClient.readContract({
        address: harness.deployment.contracts.ModelRegistry,
        abi: ModelRegistryAbi,
        functionName: 'allows',
        args: [model.commitment, MODE_OPTIMISTIC],
      });
    expect(await allows()).toBe(false);
    await anchorer.runOnce();
    expect(await allows()).toBe(true);
    const [row] = await harness.sql(`SELECT chain_status, chain_tx FROM models WHERE id = $1`, [model.id]);
    expect(row.chain_status).toBe('REGISTERED');
    expect(row.chain_tx).toMatch(/^0x[0-9a-f]{64}$/);
    await anchorer.runOnce();
    expect((await harness.sql(`SELECT chain_tx FROM models WHERE id = $1`, [model.id]))[0].chain_tx).toBe(
      row.chain_tx,
    );
  });

  it('refuses to anchor a commitment the registry already holds for another owner, and reports it', async () => {
    const squatted = keccak256(stringToHex('a commitment registered for someone else'));
    const [copy] = await harness.sql<{ id: string }>(
      `INSERT INTO models (name, commitment, onnx_sha256, onnx, quantized, ops, parameter_count, input_shape, output_shape,
                           fraction_bits, accuracy, modes, chain_status)
       SELECT 'copy', $1, onnx_sha256, onnx, quantized, ops, parameter_count, input_shape, output_shape,
              fraction_bits, accuracy, modes, 'PENDING' FROM models WHERE id = $2
       RETURNING id`,
      [squatted, model.id],
    );
    // Only the registrar (the service's account) can register; here it registered the commitment
    // for another owner, who alone (with the registrar) could then attach circuits to it.
    const other = getAddress('0x00000000000000000000000000000000000b0b00');
    const service = harness.runtime.chain.walletClient;
    await harness.publicClient.waitForTransactionReceipt({
      hash: await service.writeContract({
        address: harness.deployment.contracts.ModelRegistry,
        abi: ModelRegistryAbi,
        functionName: 'register',
        args: [squatted, MODE_OPTIMISTIC, other, 10],
        account: harness.runtime.chain.account,
        chain: service.chain,
      }),
    });
    await anchorer.runOnce();
    const [row] = await harness.sql(`SELECT chain_status, chain_tx FROM models WHERE id = $1`, [copy.id]);
    expect(row).toEqual({ chain_status: 'CONFLICT', chain_tx: null });
    await harness.sql(`DELETE FROM models WHERE id = $1`, [copy.id]);
  });

  it('picks up an on-chain request once, and refuses a wrong-length input as INVALID_INPUT', async () => {
    const good = await requestOnChain(input);
    const bad = await requestOnChain([1n, 2n, 3n]);

    const inserted = await watcher.runOnce();
    expect(inserted).toHaveLength(2);
    const row = await rowOf(good);
    expect(row).toMatchObject({
      origin: 'CHAIN',
      mode: 'OPTIMISTIC',
      status: 'REQUESTED',
      model_id: model.id,
      client_id: REQUESTER.address,
      chain_requester: REQUESTER.address,
      callback: consumer,
      fee_wei: TEST_PARAMETERS.minimumFeeWei.toString(),
      input_commitment: outputCommitment(input),
    });
    expect(row.input_fixed).toEqual(input.map(String));
    expect(row.request_tx).toMatch(/^0x[0-9a-f]{64}$/);
    const refused = await rowOf(bad);
    expect(refused.status).toBe('FAILED');
    expect(refused.error_code).toBe('INVALID_INPUT');
    expect(refused.error_message).toMatch(/3 values.*784/);

    expect(await watcher.runOnce()).toEqual([]);
    expect(
      await harness.sql(`SELECT id FROM inferences WHERE request_id IN ($1, $2)`, [good, bad]),
    ).toHaveLength(2);
    const [cursor] = await harness.sql(`SELECT block_number FROM chain_cursors WHERE name = $1`, [
      REQUEST_CURSOR_NAME,
    ]);
    expect(BigInt(cursor.block_number)).toBe(
      (await harness.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n,
    );
  });

  it('scans again from block 0 when its cursor is beyond the chain head, without duplicating a request', async () => {
    await harness.sql(`UPDATE chain_cursors SET block_number = block_number + 1000 WHERE name = $1`, [
      REQUEST_CURSOR_NAME,
    ]);
    const before = await harness.sql(`SELECT count(*)::int AS n FROM inferences`);
    expect(await watcher.runOnce()).toEqual([]);
    expect(await harness.sql(`SELECT count(*)::int AS n FROM inferences`)).toEqual(before);
    const [cursor] = await harness.sql(`SELECT block_number FROM chain_cursors WHERE name = $1`, [
      REQUEST_CURSOR_NAME,
    ]);
    expect(BigInt(cursor.block_number)).toBe(
      (await harness.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n,
    );
  });

  it('reveals a result, finalizes it after the window, and the consumer is called back only then', async () => {
    const requestId = await requestOnChain(input);
    await watcher.runOnce();
    const output = await computeAsWorker(requestId);
    await committer.runOnce();
    expect((await rowOf(requestId)).status).toBe('COMMITTED');

    await finalizer.runOnce();
    const revealed = await rowOf(requestId);
    expect(revealed.status).toBe('CHALLENGEABLE');
    expect(revealed.reveal_tx).toMatch(/^0x[0-9a-f]{64}$/);
    const [, isFinal, status, worker, challengeEndsAt] = await resultOf(requestId);
    expect([isFinal, status, worker]).toEqual([false, RequestStatus.Pending, WORKER.address]);
    expect(revealed.challenge_ends_at.getTime()).toBe(Number(challengeEndsAt) * 1000);

    // Inside the window: nothing final, no callback.
    await finalizer.runOnce();
    expect((await rowOf(requestId)).status).toBe('CHALLENGEABLE');
    expect(await consumerCalls()).toBe(0n);

    await harness.increaseTime(TEST_PARAMETERS.challengeWindowSeconds);
    await finalizer.runOnce();
    const final = await rowOf(requestId);
    expect(final.status).toBe('FINAL');
    expect(final.finalize_tx).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await statusOf(requestId)).toBe(RequestStatus.Final);
    expect(await consumerCalls()).toBe(1n);
    expect(
      await harness.publicClient.readContract({
        address: consumer,
        abi: ConsumerMockAbi,
        functionName: 'lastRequestId',
      }),
    ).toBe(requestId);
    expect(
      await harness.publicClient.readContract({
        address: consumer,
        abi: ConsumerMockAbi,
        functionName: 'lastOutput',
      }),
    ).toEqual(output);

    await finalizer.runOnce();
    expect(await rowOf(requestId)).toEqual(final);
    expect(await consumerCalls()).toBe(1n);
  });

  it('reveals a result stored with a malleated worker signature (high s, v as 0 or 1) by its canonical twin', async () => {
    for (const form of ['high-s', 'y-parity'] as const) {
      const requestId = await requestOnChain(input);
      await watcher.runOnce();
      await computeAsWorker(requestId, form);
      await committer.runOnce();
      expect((await rowOf(requestId)).status).toBe('COMMITTED');
      await finalizer.runOnce();
      expect((await rowOf(requestId)).status).toBe('CHALLENGEABLE');
      expect(await statusOf(requestId)).toBe(RequestStatus.Pending);
    }
  });

  it('takes the state from the chain when a result was revealed and finalized behind its back', async () => {
    const requestId = await requestOnChain(input);
    await watcher.runOnce();
    const output = await computeAsWorker(requestId);
    await committer.runOnce();
    const row = await rowOf(requestId);
    const [batch] = await harness.sql(`SELECT chain_batch_id FROM result_batches WHERE id = $1`, [
      row.batch_id,
    ]);
    const { tree, leaves } = await loadBatchTree(sqlFor(harness.dataSource), row.batch_id);

    // Anyone may reveal: here the requester does, as if the service crashed after sending it.
    const outsider = harness.walletOf(REQUESTER);
    const hash = await outsider.writeContract({
      address: settlement(),
      abi: SettlementAbi,
      functionName: 'reveal',
      args: [
        BigInt(batch.chain_batch_id),
        leaves[row.leaf_index],
        output,
        tree.proof(row.leaf_index),
        row.worker_signature,
      ],
    });
    await harness.publicClient.waitForTransactionReceipt({ hash });
    await finalizer.revealCommitted();
    const reconciled = await rowOf(requestId);
    expect(reconciled.status).toBe('CHALLENGEABLE');
    expect(reconciled.reveal_tx).toBe(hash);
    const [, , , , challengeEndsAt] = await resultOf(requestId);
    expect(reconciled.challenge_ends_at.getTime()).toBe(Number(challengeEndsAt) * 1000);

    await harness.increaseTime(TEST_PARAMETERS.challengeWindowSeconds);
    const finalizeHash = await outsider.writeContract({
      address: settlement(),
      abi: SettlementAbi,
      functionName: 'finalize',
      args: [requestId],
    });
    await harness.publicClient.waitForTransactionReceipt({ hash: finalizeHash });
    await finalizer.finalizeDue();
    const final = await rowOf(requestId);
    expect(final.status).toBe('FINAL');
    expect(final.finalize_tx).toBeNull();
  });
});
