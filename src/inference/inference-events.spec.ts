import type { InferenceEntity } from './inference.entity';
import { InferenceEvents } from './inference-events';

describe('InferenceEvents', () => {
  it('knows which inferences someone follows, until the follower stops', async () => {
    const events = new InferenceEvents();
    const first = events.iterator('a');
    const second = events.iterator('a');
    expect(events.watched(['a', 'b'])).toEqual(['a']);
    await first.return?.();
    await first.return?.();
    expect(events.watched(['a', 'b'])).toEqual(['a']);
    await second.return?.();
    expect(events.watched(['a', 'b'])).toEqual([]);
  });

  it("queues updates from the moment it follows (before its first next()), each with its own inference's passed states", async () => {
    const events = new InferenceEvents();
    const updates = events.iterator('a');
    const passedA = { id: 'a', status: 'COMMITTED' } as InferenceEntity;
    const passedB = { id: 'b', status: 'COMMITTED' } as InferenceEntity;
    await events.changed(['a', 'b'], [passedA, passedB]);
    expect((await updates.next()).value).toEqual({ id: 'a', passed: [passedA] });
    await events.changed(['a']);
    expect((await updates.next()).value).toEqual({ id: 'a', passed: [] });
    await updates.return?.();
  });

  it('ends a follower waiting for an update when it stops', async () => {
    const events = new InferenceEvents();
    const updates = events.iterator('a');
    const waiting = updates.next();
    await updates.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await events.changed(['a']);
    expect(await updates.next()).toEqual({ value: undefined, done: true });
  });
});
