import { SettlementAbi } from '../../../src/chain/generated/contracts';
import { verifyResultProof } from '../../../src/chain/result-merkle';
import { InferenceEvents } from '../../../src/inference/inference-events';
import { loadBatchTree } from '../../../src/result-batches/batch-leaves';
import { BatchCommitter } from '../../../src/settlement/batch-committer';
import { ResultFinalizer } from '../../../src/settlement/result-finalizer';
import { sqlFor } from '../../../src/database/sql';
import { TEST_PARAMETERS } from '../contracts/contracts-fixture';
import { insertComputed, insertModel, startHarness, type Harness } from './settlement-harness';

const WINDOW_SECONDS = Number(TEST_PARAMETERS.challengeWindowSeconds);

describe('the batch committer', () => {
  let harness: Harness;
  let committer: BatchCommitter;
  let model: { id: string; commitment: `0x${string}` };

  const batchCount = () =>
    harness.publicClient.readContract({
      address: harness.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'batchCount',
    });
  const snapshot = async () => ({
    inferences: await harness.sql('SELECT * FROM inferences ORDER BY id'),
    batches: await harness.sql('SELECT * FROM result_batches ORDER BY id'),
    batchCount: await batchCount(),
  });

  beforeAll(async () => {
    harness = await startHarness();
    committer = harness.module.get(BatchCommitter);
    model = await insertModel(harness);
  });
  afterAll(async () => {
    await harness?.stop();
  });
  afterEach(async () => {
    // Every test leaves the pipeline idle: nothing left to commit.
    await harness.sql(`UPDATE inferences SET status = 'FAILED' WHERE status = 'COMPUTED'`);
  });

  it("commits computed optimistic results in batches whose on-chain roots match, opens the API results' windows, and leaves zk results to the prover", async () => {
    const api = await insertComputed(harness, 9, { model });
    const chainOrigin = await insertComputed(harness, 1, { model, origin: 'CHAIN' });
    const zk = await insertComputed(harness, 1, { model, mode: 'ZK' });
    const published: string[] = [];
    const events = harness.module.get(InferenceEvents);
    for (const id of [...api, ...chainOrigin, ...zk])
      await events.pubsub.subscribe(
        `inferenceUpdated:${id}`,
        ({ id: changed }: { id: string }) => void published.push(changed),
      );

    await committer.runOnce();

    const batches = await harness.sql(`SELECT * FROM result_batches ORDER BY chain_batch_id`);
    expect(batches.map((b) => b.status)).toEqual(['COMMITTED', 'COMMITTED', 'COMMITTED']);
    expect(batches.map((b) => b.leaf_count)).toEqual([4, 4, 2]);
    expect(batches.map((b) => Number(b.tx_nonce))).toEqual(
      batches.map((_, i) => Number(batches[0].tx_nonce) + i),
    );
    for (const batch of batches) {
      const onChain = await harness.publicClient.readContract({
        address: harness.deployment.contracts.Settlement,
        abi: SettlementAbi,
        functionName: 'batchOf',
        args: [BigInt(batch.chain_batch_id)],
      });
      expect(onChain.root).toBe(batch.root);
      expect(onChain.count).toBe(batch.leaf_count);
      expect(new Date(Number(onChain.committedAt) * 1000)).toEqual(batch.committed_at);
      const block = await harness.publicClient.getBlock({ blockNumber: BigInt(batch.block_number) });
      expect(Number(block.timestamp)).toBe(Number(onChain.committedAt));
      const { tree } = await loadBatchTree(sqlFor(harness.dataSource), batch.id);
      expect(tree.root).toBe(batch.root);
      tree.leafHashes.forEach((leafHash, i) =>
        expect(verifyResultProof(leafHash, tree.proof(i), batch.root)).toBe(true),
      );
    }

    const rows = await harness.sql(
      `SELECT i.id, i.status, i.mode, i.origin, i.committed_at, i.challenge_ends_at, b.committed_at AS batch_committed_at
         FROM inferences i JOIN result_batches b ON b.id = i.batch_id WHERE i.id = ANY($1)`,
      [[...api, ...chainOrigin, ...zk]],
    );
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row.committed_at).toEqual(row.batch_committed_at);
      if (row.origin === 'API' && row.mode === 'OPTIMISTIC') {
        expect(row.status).toBe('CHALLENGEABLE');
        expect(row.challenge_ends_at.getTime()).toBe(
          row.batch_committed_at.getTime() + WINDOW_SECONDS * 1000,
        );
      } else {
        // A CHAIN result opens its window when revealed.
        expect(row.status).toBe('COMMITTED');
        expect(row.challenge_ends_at).toBeNull();
      }
    }
    expect(new Set(published)).toEqual(new Set([...api, ...chainOrigin]));
    // A zk result is never batched: it stays COMPUTED for the prover (src/proofs), which settles it with a proof.
    const [zkRow] = await harness.sql(`SELECT status, batch_id FROM inferences WHERE id = $1`, [zk[0]]);
    expect(zkRow).toEqual({ status: 'COMPUTED', batch_id: null });

    const before = await snapshot();
    await committer.runOnce();
    await committer.runOnce();
    expect(await snapshot()).toEqual(before);
  });

  it('waits for a full batch or for its oldest result to have waited long enough', async () => {
    const fresh = await insertComputed(harness, 3, { model, computedAgoMs: 0 });
    expect(await committer.formBatches()).toEqual([]);

    await harness.sql(`UPDATE inferences SET computed_at = now() - interval '2 minutes' WHERE id = $1`, [
      fresh[0],
    ]);
    const [partial] = await committer.formBatches();
    expect(partial).toBeDefined();
    const [{ leaf_count }] = await harness.sql(`SELECT leaf_count FROM result_batches WHERE id = $1`, [
      partial,
    ]);
    expect(leaf_count).toBe(3);

    await insertComputed(harness, 4, { model, computedAgoMs: 0 });
    expect(await committer.formBatches()).toHaveLength(1);
    await committer.runOnce();
    const open = await harness.sql(`SELECT id FROM result_batches WHERE status <> 'COMMITTED'`);
    expect(open).toEqual([]);
  });

  it('sends many batches back to back without a nonce error, even when another client used the account', async () => {
    await insertComputed(harness, 40, { model });
    await harness.testClient.setAutomine(false);
    try {
      expect(await committer.formBatches()).toHaveLength(10);
      await committer.sendPending();
      const submitted = await harness.sql(
        `SELECT tx_nonce FROM result_batches WHERE status = 'SUBMITTED' ORDER BY tx_nonce`,
      );
      expect(submitted).toHaveLength(10);
      expect(submitted.map((b) => Number(b.tx_nonce))).toEqual(
        submitted.map((_, i) => Number(submitted[0].tx_nonce) + i),
      );
      // Not mined yet, but known to the node: they stay SUBMITTED.
      await committer.confirmSubmitted();
      expect(await harness.sql(`SELECT id FROM result_batches WHERE status = 'SUBMITTED'`)).toHaveLength(10);
      await harness.testClient.mine({ blocks: 1 });
    } finally {
      await harness.testClient.setAutomine(true);
    }
    // The service key used by someone else: the sender's local nonce is now behind.
    const service = harness.runtime.chain;
    await service.walletClient.sendTransaction({ to: service.account.address, value: 0n });
    await insertComputed(harness, 8, { model });
    await committer.runOnce();
    await committer.runOnce();
    const batches = await harness.sql(`SELECT status, last_error FROM result_batches`);
    expect(batches.filter((b) => b.status !== 'COMMITTED')).toEqual([]);
    const rows = await harness.sql(
      `SELECT status FROM inferences WHERE status IN ('COMPUTED', 'COMMITTED') AND origin = 'API' AND mode = 'OPTIMISTIC'`,
    );
    expect(rows).toEqual([]);
  });

  it('sends a batch again when the node dropped its transaction', async () => {
    await insertComputed(harness, 2, { model });
    await harness.testClient.setAutomine(false);
    try {
      await committer.formBatches();
      await committer.sendPending();
      const [batch] = await harness.sql(`SELECT id, tx_hash FROM result_batches WHERE status = 'SUBMITTED'`);
      await harness.testClient.dropTransaction({ hash: batch.tx_hash });
      await committer.confirmSubmitted();
      const [dropped] = await harness.sql(`SELECT status, last_error FROM result_batches WHERE id = $1`, [
        batch.id,
      ]);
      expect(dropped.status).toBe('PENDING');
      expect(dropped.last_error).toMatch(/dropped/);
    } finally {
      await harness.testClient.setAutomine(true);
    }
    await committer.runOnce();
    const [again] = await harness.sql(
      `SELECT status, send_attempts FROM result_batches WHERE status <> 'COMMITTED' OR send_attempts > 1`,
    );
    expect(again).toEqual({ status: 'COMMITTED', send_attempts: 2 });
  });

  it('keeps a batch the Settlement refuses PENDING with the decoded error and goes on with the others', async () => {
    const [refused] = await harness.sql(
      `INSERT INTO result_batches (root, leaf_count, status) VALUES ($1, 1, 'PENDING') RETURNING id`,
      [`0x${'0'.repeat(64)}`],
    );
    await insertComputed(harness, 4, { model });
    await committer.runOnce();
    const [row] = await harness.sql(
      `SELECT status, send_attempts, last_error FROM result_batches WHERE id = $1`,
      [refused.id],
    );
    expect(row.status).toBe('PENDING');
    expect(row.send_attempts).toBe(1);
    expect(row.last_error).toMatch(/Settlement_EmptyBatch/);
    expect(
      await harness.sql(`SELECT id FROM result_batches WHERE status <> 'COMMITTED' AND id <> $1`, [
        refused.id,
      ]),
    ).toEqual([]);
    // Paused: the next iteration does not send it again at once.
    await committer.runOnce();
    const [after] = await harness.sql(`SELECT send_attempts FROM result_batches WHERE id = $1`, [refused.id]);
    expect(after.send_attempts).toBe(1);
    await harness.sql(`DELETE FROM result_batches WHERE id = $1`, [refused.id]);
  });

  it('makes API results FINAL once the latest block is past their window, with no transaction', async () => {
    const ids = await insertComputed(harness, 2, { model });
    await committer.runOnce();
    const finalizer = harness.module.get(ResultFinalizer);
    await finalizer.finalizeDue();
    const open = await harness.sql(`SELECT status FROM inferences WHERE id = ANY($1)`, [ids]);
    expect(open.map((r) => r.status)).toEqual(['CHALLENGEABLE', 'CHALLENGEABLE']);

    const nonceBefore = await harness.publicClient.getTransactionCount({
      address: harness.runtime.chain.account.address,
    });
    await harness.increaseTime(WINDOW_SECONDS);
    await finalizer.finalizeDue();
    const final = await harness.sql(
      `SELECT status, final_at, finalize_tx FROM inferences WHERE id = ANY($1)`,
      [ids],
    );
    for (const row of final) {
      expect(row.status).toBe('FINAL');
      expect(row.final_at).toBeInstanceOf(Date);
      expect(row.finalize_tx).toBeNull();
    }
    expect(
      await harness.publicClient.getTransactionCount({ address: harness.runtime.chain.account.address }),
    ).toBe(nonceBefore);
  });
});
