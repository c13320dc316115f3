import type { DataSource } from 'typeorm';
import type { Hash } from 'viem';
import { sqlFor } from '../database/sql';
import type { InferenceEvents } from '../inference/inference-events';
import { transition } from '../inference/lifecycle';

/** Where a result's settlement is recorded: its row, and the subscribers told of the change. */
export interface ResultMarks {
  dataSource: DataSource;
  events: InferenceEvents;
}

/** A revealed result: CHALLENGEABLE until `challengeEndsAt` (seconds), with its reveal transaction. */
export async function markChallengeable(
  { dataSource, events }: ResultMarks,
  id: string,
  challengeEndsAt: number,
  revealTx: Hash | null,
): Promise<void> {
  const changed = await transition(sqlFor(dataSource), 'reveal', {
    set: 'challenge_ends_at = to_timestamp($2), reveal_tx = $3, updated_at = now()',
    where: 'id = $1',
    params: [id, challengeEndsAt, revealTx],
  });
  if (changed.length > 0) await events.changed([id]);
}

/** A finalized result: FINAL, with its finalize transaction (null when the chain was ahead). */
export async function markFinal(
  { dataSource, events }: ResultMarks,
  id: string,
  finalizeTx: Hash | null,
): Promise<void> {
  const changed = await transition(sqlFor(dataSource), 'finalize', {
    set: 'final_at = now(), finalize_tx = $2, updated_at = now()',
    where: 'id = $1',
    params: [id, finalizeTx],
  });
  if (changed.length > 0) await events.changed([id]);
}
