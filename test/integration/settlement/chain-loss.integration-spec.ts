/**
 * F1 of issue 18 ("Hold under attack"): the database outlives the chain. A result is FINAL only
 * once the finalizer has read, from the current chain, the batch root its leaf proof leads to;
 * a batch the chain lost is committed again; another chain gets every commitment again.
 * The chain's loss is made with anvil's evm_snapshot / evm_revert, its clock moved with
 * evm_increaseTime.
 */
import { SettlementAbi } from '../../../src/chain/generated/contracts';
import { verifyResultProof } from '../../../src/chain/result-merkle';
import { loadBatchTree } from '../../../src/result-batches/batch-leaves';
import { BatchCommitter } from '../../../src/settlement/batch-committer';
import { ChainIdentityGuard } from '../../../src/settlement/chain-identity-guard';
import { ChainTxSender } from '../../../src/chain-tx/chain-tx-sender';
import { ResultFinalizer } from '../../../src/settlement/result-finalizer';
import { sqlFor } from '../../../src/database/sql';
import { TEST_PARAMETERS } from '../contracts/contracts-fixture';
import { insertComputed, insertModel, startHarness, type Harness } from './settlement-harness';

const WINDOW_SECONDS = Number(TEST_PARAMETERS.challengeWindowSeconds);

describe('results whose batch the chain does not hold', () => {
  let harness: Harness;
  let committer: BatchCommitter;
  let finalizer: ResultFinalizer;
  let model: { id: string; commitment: `0x${string}` };

  const statuses = async (ids: string[]) =>
    (
      await harness.sql<{ status: string }>('SELECT status FROM inferences WHERE id = ANY($1::uuid[])', [ids])
    ).map((row) => row.status);
  /** Whether the current chain holds, under the row's batch id, the root its leaf proof leads to. */
  const rootOnChain = async (id: string): Promise<boolean> => {
    const [row] = await harness.sql(
      `SELECT i.batch_id, i.leaf_index, b.chain_batch_id FROM inferences i JOIN result_batches b ON b.id = i.batch_id WHERE i.id = $1`,
      [id],
    );
    if (!row?.chain_batch_id) return false;
    const { tree } = await loadBatchTree(sqlFor(harness.dataSource), row.batch_id);
    const [root] = await harness.publicClient.readContract({
      address: harness.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'batchRootAndWindow',
      args: [BigInt(row.chain_batch_id)],
    });
    return verifyResultProof(tree.leafHashes[row.leaf_index], tree.proof(row.leaf_index), root);
  };
  /** Commits `count` fresh API results and returns their ids, with a snapshot of the chain from before. */
  const commitThenSnapshotBefore = async (count: number) => {
    const ids = await insertComputed(harness, count, { model });
    const before = await harness.testClient.snapshot();
    await committer.runOnce();
    expect(await statuses(ids)).toEqual(ids.map(() => 'CHALLENGEABLE'));
    return { ids, before };
  };
  /** The chain loses everything since `snapshot`, as a node restarted from an older state would. */
  const loseChainSince = async (snapshot: `0x${string}`) => {
    await harness.testClient.revert({ id: snapshot });
    // A restarted service reads its nonce from the node again.
    await harness.module.get(ChainTxSender).resyncNonce();
  };

  beforeAll(async () => {
    harness = await startHarness({ settlement: { maxBatchWaitMs: 0 } });
    committer = harness.module.get(BatchCommitter);
    finalizer = harness.module.get(ResultFinalizer);
    model = await insertModel(harness);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('never finalizes an API result whose batch root the chain lost, and commits it again first', async () => {
    const { ids, before } = await commitThenSnapshotBefore(3);
    await loseChainSince(before);
    await harness.increaseTime(WINDOW_SECONDS + 1);

    await finalizer.finalizeDue();
    expect(await statuses(ids)).toEqual(['COMPUTED', 'COMPUTED', 'COMPUTED']);
    const [batch] = await harness.sql(
      `SELECT status, last_error FROM result_batches b WHERE id = (SELECT batch_id FROM inferences WHERE id = $1)`,
      [ids[0]],
    );
    expect(batch.status).toBe('PENDING');
    expect(batch.last_error).toMatch(/does not hold its root/);

    await committer.runOnce();
    expect(await statuses(ids)).toEqual(ids.map(() => 'CHALLENGEABLE'));
    for (const id of ids) expect(await rootOnChain(id)).toBe(true);
    // The new commit opens a new window: not final before it is over.
    await finalizer.finalizeDue();
    expect(await statuses(ids)).toEqual(ids.map(() => 'CHALLENGEABLE'));
    await harness.increaseTime(WINDOW_SECONDS + 1);
    await finalizer.finalizeDue();
    expect(await statuses(ids)).toEqual(ids.map(() => 'FINAL'));
    for (const id of ids) expect(await rootOnChain(id)).toBe(true);
  });

  it('checks its committed batches against the chain before anything else and commits the lost ones again', async () => {
    const kept = (await commitThenSnapshotBefore(2)).ids;
    const { ids: lost, before } = await commitThenSnapshotBefore(2);
    await loseChainSince(before);

    expect(await committer.audit()).toHaveLength(1);
    expect(await statuses(lost)).toEqual(['COMPUTED', 'COMPUTED']);
    expect(await statuses(kept)).toEqual(['CHALLENGEABLE', 'CHALLENGEABLE']);
    await committer.runOnce();
    for (const id of [...kept, ...lost]) expect(await rootOnChain(id)).toBe(true);
    await harness.increaseTime(WINDOW_SECONDS + 1);
    await finalizer.finalizeDue();
    expect(await statuses([...kept, ...lost])).toEqual(['FINAL', 'FINAL', 'FINAL', 'FINAL']);
  });

  it('commits every result again on another chain, registers the models again and rescans from block 0, once', async () => {
    const guard = harness.module.get(ChainIdentityGuard);
    expect(await guard.check()).toEqual({ recommitted: 0 });
    const { ids } = await commitThenSnapshotBefore(2);
    await harness.sql(`INSERT INTO chain_cursors (name, block_number) VALUES ('settlement-requests', 42)`);
    await harness.sql(`UPDATE models SET chain_status = 'REGISTERED'`);
    // The database's commitments were made on a chain with another genesis block.
    await harness.sql(`UPDATE chain_identity SET genesis_hash = $1`, [`0x${'ab'.repeat(32)}`]);

    const changed = await guard.check();
    expect(changed).toEqual({
      changed: expect.stringMatching(/^genesis block 0x[0-9a-f]{64}, not 0x(ab){32}$/),
      recommitted: 2,
    });
    expect(await statuses(ids)).toEqual(['COMPUTED', 'COMPUTED']);
    expect(await harness.sql(`SELECT status FROM result_batches WHERE status <> 'PENDING'`)).toEqual([]);
    expect(await harness.sql(`SELECT * FROM chain_cursors`)).toEqual([]);
    expect(await harness.sql(`SELECT chain_status FROM models`)).toEqual([{ chain_status: 'PENDING' }]);
    // FINAL stays FINAL; its batch is committed again, so its root is back on this chain too.
    const finals = await harness.sql<{ id: string }>(`SELECT id FROM inferences WHERE status = 'FINAL'`);
    expect(finals).toHaveLength(7);
    expect(await guard.check()).toEqual({ recommitted: 0 });

    await committer.runOnce();
    for (const { id } of finals) expect(await rootOnChain(id)).toBe(true);
    expect(await statuses(ids)).toEqual(['CHALLENGEABLE', 'CHALLENGEABLE']);
  });
});
