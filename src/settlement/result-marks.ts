import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Hash } from 'viem';
import { sqlFor } from '../database/sql';
import { InferenceEvents } from '../inference/inference-events';
import { transition } from '../inference/lifecycle';

/**
 * Records a result's settlement on its row (reveal, finalize) and tells the subscribers: the
 * revealer's and the finalizer's last step, also when the chain was ahead of the database.
 */
@Injectable()
export class ResultMarks {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: InferenceEvents,
  ) {}

  /** A revealed result: CHALLENGEABLE until `challengeEndsAt` (seconds), with its reveal transaction. */
  async challengeable(id: string, challengeEndsAt: number, revealTx: Hash | null): Promise<void> {
    const changed = await transition(sqlFor(this.dataSource), 'reveal', {
      set: 'challenge_ends_at = to_timestamp($2), reveal_tx = $3, updated_at = now()',
      where: 'id = $1',
      params: [id, challengeEndsAt, revealTx],
    });
    if (changed.length > 0) await this.events.changed([id]);
  }

  /** A finalized result: FINAL, with its finalize transaction (null when the chain was ahead). */
  async final(id: string, finalizeTx: Hash | null): Promise<void> {
    const changed = await transition(sqlFor(this.dataSource), 'finalize', {
      set: 'final_at = now(), finalize_tx = $2, updated_at = now()',
      where: 'id = $1',
      params: [id, finalizeTx],
    });
    if (changed.length > 0) await this.events.changed([id]);
  }
}
