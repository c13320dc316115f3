import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../../src/common/free-port';
import { SettlementAbi } from '../../../src/chain/generated/contracts';
import { verifyResultProof } from '../../../src/chain/result-merkle';
import { loadBatchTree } from '../../../src/result-batches/batch-leaves';
import { sqlFor } from '../../../src/database/sql';
import { until } from '../../support/until';
import { insertComputed, insertModel, startHarness, type Harness } from './settlement-harness';

/** Order of the statuses a committed API result moves through; a row must never move back. */
const RANK: Record<string, number> = { COMPUTED: 0, COMMITTED: 1, CHALLENGEABLE: 2, FINAL: 3 };
const BATCH_RANK: Record<string, number> = { PENDING: 0, SUBMITTED: 1, COMMITTED: 2 };

/**
 * Watches every row while the pipeline runs and records any transition the lifecycle forbids:
 * an inference moving back, changing batch, or leaving a batch; a committed batch changing.
 */
function startMonitor(harness: Harness) {
  const violations: string[] = [];
  const rows = new Map<string, { status: string; batch_id: string | null }>();
  const batches = new Map<string, { status: string; root: string; chain_batch_id: string | null }>();
  let running = true;
  const done = (async () => {
    while (running) {
      for (const row of await harness.sql('SELECT id, status, batch_id FROM inferences')) {
        const seen = rows.get(row.id);
        if (seen && RANK[row.status] < RANK[seen.status])
          violations.push(`inference ${row.id}: ${seen.status} -> ${row.status}`);
        if (seen?.batch_id && seen.batch_id !== row.batch_id)
          violations.push(`inference ${row.id} left batch ${seen.batch_id}`);
        rows.set(row.id, row);
      }
      for (const batch of await harness.sql('SELECT id, status, root, chain_batch_id FROM result_batches')) {
        const seen = batches.get(batch.id);
        // SUBMITTED -> PENDING is allowed (a dropped or reverted transaction); a commit is final.
        if (
          seen?.status === 'COMMITTED' &&
          (batch.status !== 'COMMITTED' || batch.chain_batch_id !== seen.chain_batch_id)
        ) {
          violations.push(`batch ${batch.id}: COMMITTED -> ${batch.status}`);
        }
        if (seen && BATCH_RANK[batch.status] === undefined)
          violations.push(`batch ${batch.id}: unknown status ${batch.status}`);
        if (seen && seen.root !== batch.root) violations.push(`batch ${batch.id} changed its root`);
        batches.set(batch.id, batch);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    violations,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('the settlement pipeline across a chain node outage', () => {
  let harness: Harness;

  beforeAll(async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'verity-anvil-state-')), 'state.json');
    harness = await startHarness({
      anvil: { port: await findFreePort(), statePath },
      settlement: { autoStart: true, maxBatchWaitMs: 100, droppedTxGraceMs: 500 },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('keeps retrying while the node is down and commits every result once it is back, none lost or duplicated', async () => {
    const model = await insertModel(harness);
    const monitor = startMonitor(harness);
    const statusOf = async (ids: string[]) =>
      (await harness.sql('SELECT status FROM inferences WHERE id = ANY($1)', [ids])).map((r) => r.status);

    // Before the outage: the loops commit as usual.
    const before = await insertComputed(harness, 8, { model });
    await until('the first results to be CHALLENGEABLE', async () =>
      (await statusOf(before)).every((s) => s === 'CHALLENGEABLE'),
    );

    // The node stops while results keep arriving (some being formed or sent as it goes).
    const during = await insertComputed(harness, 6, { model, computedAgoMs: 0 });
    await harness.stopChain();
    during.push(...(await insertComputed(harness, 6, { model, computedAgoMs: 0 })));

    // Batches still form (database only); sending fails and is retried, loop after loop.
    await until('every new result to be in a batch', async () => {
      const [{ unbatched }] = await harness.sql(
        `SELECT count(*)::int AS unbatched FROM inferences WHERE id = ANY($1) AND batch_id IS NULL`,
        [during],
      );
      return unbatched === 0;
    });
    await until('a batch retried while the node is down', async () => {
      const [row] = await harness.sql(
        `SELECT send_attempts, last_error FROM result_batches WHERE status = 'PENDING' AND send_attempts >= 2 LIMIT 1`,
      );
      return row && /did not answer|HTTP request failed/.test(row.last_error) ? row : undefined;
    });
    // Nothing is lost or failed meanwhile: the results not committed before the stop wait as COMPUTED.
    const stuck = await statusOf(during);
    expect(stuck).toHaveLength(during.length);
    expect(stuck).toContain('COMPUTED');
    expect(stuck.every((s) => ['COMPUTED', 'COMMITTED', 'CHALLENGEABLE'].includes(s))).toBe(true);

    // The node comes back on the same port with its state: everything lands.
    await harness.restartChain();
    await until(
      'every result to be CHALLENGEABLE',
      async () => (await statusOf([...before, ...during])).every((s) => s === 'CHALLENGEABLE'),
      120_000,
    );
    await monitor.stop();
    expect(monitor.violations).toEqual([]);

    const rows = await harness.sql(`SELECT id, request_id, batch_id, leaf_index FROM inferences`);
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(20);
    const batches = await harness.sql(
      `SELECT id, status, root, leaf_count, chain_batch_id FROM result_batches`,
    );
    expect(batches.every((b) => b.status === 'COMMITTED')).toBe(true);
    expect(batches.reduce((sum, b) => sum + b.leaf_count, 0)).toBe(20);
    for (const batch of batches) {
      const onChain = await harness.publicClient.readContract({
        address: harness.deployment.contracts.Settlement,
        abi: SettlementAbi,
        functionName: 'batchOf',
        args: [BigInt(batch.chain_batch_id)],
      });
      expect(onChain.root).toBe(batch.root);
      const { tree } = await loadBatchTree(sqlFor(harness.dataSource), batch.id);
      expect(tree.root).toBe(batch.root);
      tree.leafHashes.forEach((leafHash, i) =>
        expect(verifyResultProof(leafHash, tree.proof(i), onChain.root)).toBe(true),
      );
    }
  });
});
