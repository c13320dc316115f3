import type { QueueLimits } from '../config/load-config';
import { claimAllowance, claimStanding, lapseFailsRequest, leaseExpiry } from './fair-queue';

const LIMITS: QueueLimits = {
  maxHeldJobs: 128,
  maxLeaseLifetimeSeconds: 300,
  lapseWindowSeconds: 3600,
  throttleAfterLapses: 3,
  excludeAfterLapses: 6,
  failAfterLapsedWorkers: 3,
};
const NOW = new Date('2030-01-01T12:00:00Z');
const minutesAgo = (...minutes: number[]) => minutes.map((m) => new Date(NOW.getTime() - m * 60_000));

describe('claimAllowance', () => {
  it('gives a claim what it asks for while the worker stays under its cap', () => {
    expect(claimAllowance(128, 0, 64)).toBe(64);
    expect(claimAllowance(128, 64, 64)).toBe(64);
  });

  it('caps the jobs one worker holds across all its claims, not per claim', () => {
    expect(claimAllowance(128, 100, 64)).toBe(28);
    expect(claimAllowance(128, 128, 1)).toBe(0);
    expect(claimAllowance(4, 6, 4)).toBe(0);
  });
});

describe('leaseExpiry', () => {
  const claimedAt = new Date(NOW.getTime() - 100_000);

  it('extends a lease by its length while the lifetime allows', () => {
    expect(leaseExpiry(claimedAt, NOW, 30, 300)).toEqual(new Date(NOW.getTime() + 30_000));
  });

  it('never extends a lease past its maximum lifetime from the claim, however late the heartbeat', () => {
    const lateHeartbeat = new Date(claimedAt.getTime() + 290_000);
    expect(leaseExpiry(claimedAt, lateHeartbeat, 30, 300)).toEqual(new Date(claimedAt.getTime() + 300_000));
    const afterLifetime = new Date(claimedAt.getTime() + 1_000_000);
    expect(leaseExpiry(claimedAt, afterLifetime, 30, 300)).toEqual(new Date(claimedAt.getTime() + 300_000));
  });
});

describe('claimStanding', () => {
  it('keeps the full cap of an honest worker that lapsed once or twice (a restart, a stall)', () => {
    expect(claimStanding(LIMITS, [], NOW)).toEqual({ kind: 'open', maxHeldJobs: 128, lapses: 0 });
    expect(claimStanding(LIMITS, minutesAgo(5, 1), NOW)).toEqual({
      kind: 'open',
      maxHeldJobs: 128,
      lapses: 2,
    });
  });

  it('halves the cap for each lapse from the throttle threshold on, down to one job', () => {
    expect(claimStanding(LIMITS, minutesAgo(3, 2, 1), NOW)).toMatchObject({
      kind: 'throttled',
      maxHeldJobs: 64,
    });
    expect(claimStanding(LIMITS, minutesAgo(4, 3, 2, 1), NOW)).toMatchObject({
      kind: 'throttled',
      maxHeldJobs: 32,
    });
    const tiny = { ...LIMITS, maxHeldJobs: 2, excludeAfterLapses: 10 };
    expect(claimStanding(tiny, minutesAgo(6, 5, 4, 3, 2, 1), NOW)).toMatchObject({ maxHeldJobs: 1 });
  });

  it('excludes a worker at the exclusion threshold until enough of its lapses leave the window', () => {
    const standing = claimStanding(LIMITS, minutesAgo(50, 40, 30, 20, 10, 1), NOW);
    expect(standing).toEqual({ kind: 'excluded', lapses: 6, until: new Date(NOW.getTime() + 10 * 60_000) });
    const later = claimStanding(
      LIMITS,
      minutesAgo(50, 40, 30, 20, 10, 1),
      new Date(NOW.getTime() + 10 * 60_000 + 1),
    );
    expect(later).toMatchObject({ kind: 'throttled', lapses: 5, maxHeldJobs: 16 });
  });

  it('readmits an excluded worker with a small cap, not its full one, while its lapses stay recent', () => {
    const eight = minutesAgo(59, 58, 57, 56, 55, 54, 53, 52);
    const excluded = claimStanding(LIMITS, eight, NOW);
    expect(excluded).toMatchObject({ kind: 'excluded', lapses: 8 });
    if (excluded.kind !== 'excluded') throw new Error('unreachable');
    expect(excluded.until).toEqual(new Date(NOW.getTime() + 3 * 60_000));
    expect(claimStanding(LIMITS, eight, new Date(excluded.until.getTime() + 1))).toMatchObject({
      kind: 'throttled',
      lapses: 5,
    });
  });

  it('ignores lapses older than the window', () => {
    expect(claimStanding(LIMITS, minutesAgo(300, 200, 120, 61, 60, 1), NOW)).toMatchObject({
      kind: 'open',
      lapses: 1,
    });
  });
});

describe('lapseFailsRequest', () => {
  const A = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
  const B = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
  const C = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

  it('never fails a request for one worker lapsing it again, however often', () => {
    expect(lapseFailsRequest(LIMITS, [A.toLowerCase()], A)).toBe(false);
    expect(lapseFailsRequest(LIMITS, [A.toLowerCase(), B.toLowerCase()], B)).toBe(false);
  });

  it('fails a request when the lapse brings its distinct lapsed workers to the limit', () => {
    expect(lapseFailsRequest(LIMITS, [A.toLowerCase(), B.toLowerCase()], C)).toBe(true);
  });
});
