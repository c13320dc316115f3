import { Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import type { InferenceEntity } from './inference.entity';

export const INFERENCE_UPDATED_EVENT = 'inferenceUpdated';

/** What a subscriber to one inference hears. */
export interface InferenceUpdate {
  id: string;
  /**
   * The row as one transaction left it at each status it then moved on from before it committed
   * (oldest first): a state no reader of the table can see (an API result is COMMITTED, then
   * CHALLENGEABLE, in the commit's transaction). Only rows someone follows (`watched`).
   */
  passed: readonly InferenceEntity[];
}

/**
 * Tells subscribers that inferences changed. Carries ids, so a subscriber reads the row and sees
 * committed state, and the states a transaction passed through for the rows someone follows.
 * This class delivers in this process only; processes that share the database use
 * NotifyingInferenceEvents (cluster-signals.ts), whose `changed` reaches every API replica (ids
 * over NOTIFY, each replica's listener calling `deliver`; the passed states, which a NOTIFY cannot
 * carry, reach this process's followers only).
 */
@Injectable()
export class InferenceEvents {
  readonly pubsub = new PubSub();
  /** Open iterators per inference id. */
  private readonly followers = new Map<string, number>();

  async changed(ids: readonly string[], passed: readonly InferenceEntity[] = []): Promise<void> {
    await this.deliver(ids, passed);
  }

  /** Tells this process's subscribers. */
  async deliver(ids: readonly string[], passed: readonly InferenceEntity[] = []): Promise<void> {
    for (const id of ids) {
      const update: InferenceUpdate = { id, passed: passed.filter((row) => row.id === id) };
      await this.pubsub.publish(`${INFERENCE_UPDATED_EVENT}:${id}`, update);
    }
  }

  /** Of `ids`, those someone follows now: a transaction reads the states it passes through for these only. */
  watched(ids: readonly string[]): string[] {
    return ids.filter((id) => this.followers.has(id));
  }

  /**
   * The updates of inference `id` from now on (subscribed at once: graphql-subscriptions' own
   * iterator subscribes only at its first next(), and would miss a change made before that).
   */
  iterator(id: string): AsyncIterableIterator<InferenceUpdate> {
    const queued: InferenceUpdate[] = [];
    const waiting: ((result: IteratorResult<InferenceUpdate>) => void)[] = [];
    let open = true;
    const subscription = this.pubsub.subscribe(`${INFERENCE_UPDATED_EVENT}:${id}`, (update: InferenceUpdate) => {
      const take = waiting.shift();
      if (take) take({ value: update, done: false });
      else queued.push(update);
    });
    this.followers.set(id, (this.followers.get(id) ?? 0) + 1);
    const close = async (): Promise<IteratorResult<InferenceUpdate>> => {
      if (open) {
        open = false;
        const left = (this.followers.get(id) ?? 1) - 1;
        if (left > 0) this.followers.set(id, left);
        else this.followers.delete(id);
        for (const take of waiting.splice(0)) take({ value: undefined, done: true });
        this.pubsub.unsubscribe(await subscription);
      }
      return { value: undefined, done: true };
    };
    return {
      next: () => {
        const update = queued.shift();
        if (update) return Promise.resolve({ value: update, done: false });
        if (!open) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: close,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
