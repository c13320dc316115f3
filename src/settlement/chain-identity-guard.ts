import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { genesisHashOf } from '../chain/deployments';
import { InferenceEvents } from '../inference/inference-events';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { sendBackToCommit } from './batch-recommit';
import { transaction } from '../database/sql';

/** What the database recorded as its chain, next to the chain the service runs on now. */
export interface ChainIdentityCheck {
  /** Why the chain is another one than the database's commitments were made on; unset when it is the same (or the first). */
  changed?: string;
  /** Results sent back to be committed again (changed only). */
  recommitted: number;
}

interface IdentityRow {
  chain_id: number;
  genesis_hash: string;
  settlement: string;
}

/**
 * Checks, before the settlement loops start, that the chain is the one the database's
 * commitments were made on (chain id, genesis block hash, Settlement address; table
 * chain_identity). On another chain none of them exists: every SUBMITTED or COMMITTED batch is
 * sent back to be committed again and its unsettled results to COMPUTED (sendBackToCommit), models
 * are registered again, and the log cursors start from block 0, all in one transaction with the
 * new identity, so a crash never leaves half of it done; the operator is told in one line. A
 * batch lost with the last blocks of the same chain (a node killed between two state dumps) is the
 * batch committer's audit's and the finalizer's concern.
 */
@Injectable()
export class ChainIdentityGuard {
  private readonly log = new Logger(ChainIdentityGuard.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly events: InferenceEvents,
  ) {}

  async check(): Promise<ChainIdentityCheck> {
    const current: IdentityRow = {
      chain_id: this.runtime.chain.chain.id,
      genesis_hash: (await genesisHashOf(this.runtime.chain)).toLowerCase(),
      settlement: this.runtime.deployment.contracts.Settlement.toLowerCase(),
    };
    const outcome = await transaction(this.dataSource, async (sql) => {
      const [recorded] = await sql<IdentityRow>(
        'SELECT chain_id, genesis_hash, settlement FROM chain_identity WHERE id = 1 FOR UPDATE',
      );
      const changed = recorded ? differenceOf(recorded, current) : undefined;
      await sql(
        `INSERT INTO chain_identity (id, chain_id, genesis_hash, settlement) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET chain_id = $1, genesis_hash = $2, settlement = $3, recorded_at = now()`,
        [current.chain_id, current.genesis_hash, current.settlement],
      );
      if (changed === undefined) return { changed, inferenceIds: [] as string[], batches: 0 };
      const sent = await sendBackToCommit(sql, null, `the chain changed: ${changed}`);
      await sql(`UPDATE models SET chain_status = 'PENDING' WHERE chain_status = 'REGISTERED'`);
      await sql('DELETE FROM chain_cursors');
      return { changed, inferenceIds: sent.inferenceIds, batches: sent.batchIds.length };
    });
    if (outcome.changed === undefined) return { recommitted: 0 };
    this.log.warn(
      `CHAIN CHANGED: the database's commitments were made on another chain (${outcome.changed}): ${outcome.inferenceIds.length} unsettled results in ${outcome.batches} batches are committed again on this chain before any can become FINAL`,
    );
    if (outcome.inferenceIds.length > 0) await this.events.changed(outcome.inferenceIds);
    return { changed: outcome.changed, recommitted: outcome.inferenceIds.length };
  }
}

function differenceOf(recorded: IdentityRow, current: IdentityRow): string | undefined {
  if (recorded.chain_id !== current.chain_id) return `chain id ${current.chain_id}, not ${recorded.chain_id}`;
  if (recorded.genesis_hash.trim() !== current.genesis_hash)
    return `genesis block ${current.genesis_hash}, not ${recorded.genesis_hash.trim()}`;
  if (recorded.settlement.trim() !== current.settlement)
    return `Settlement at ${current.settlement}, not ${recorded.settlement.trim()}`;
  return undefined;
}
