import { Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';

export const INFERENCE_UPDATED_EVENT = 'inferenceUpdated';

/**
 * Tells subscribers that inferences changed. Carries ids only: a subscriber reads the row, so it
 * always sees committed state. This class delivers in this process only; processes that share the
 * database use NotifyingInferenceEvents (cluster-signals.ts), whose `changed` reaches every API
 * replica, and each replica's listener calls `deliver`.
 */
@Injectable()
export class InferenceEvents {
  readonly pubsub = new PubSub();

  async changed(ids: readonly string[]): Promise<void> {
    await this.deliver(ids);
  }

  /** Tells this process's subscribers. */
  async deliver(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.pubsub.publish(`${INFERENCE_UPDATED_EVENT}:${id}`, { id });
  }

  iterator(id: string): AsyncIterableIterator<{ id: string }> {
    return this.pubsub.asyncIterableIterator<{ id: string }>(`${INFERENCE_UPDATED_EVENT}:${id}`);
  }
}
