import { Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';

export const INFERENCE_UPDATED_EVENT = 'inferenceUpdated';

/**
 * Tells subscribers that inferences changed. Carries ids only: a subscriber reads the row, so it
 * always sees committed state. In-process: the API process runs every transition (workers and
 * the chain pipeline act through it).
 */
@Injectable()
export class InferenceEvents {
  readonly pubsub = new PubSub();

  async changed(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.pubsub.publish(`${INFERENCE_UPDATED_EVENT}:${id}`, { id });
  }

  iterator(id: string): AsyncIterableIterator<{ id: string }> {
    return this.pubsub.asyncIterableIterator<{ id: string }>(`${INFERENCE_UPDATED_EVENT}:${id}`);
  }
}
