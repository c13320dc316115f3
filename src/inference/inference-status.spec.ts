import {
  INFERENCE_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  canTransition,
  isInferenceStatus,
  nextStatuses,
} from './inference-status';

describe('the inference lifecycle', () => {
  it('has no SLASHED status: a refuted result sends its request back to REQUESTED', () => {
    expect(isInferenceStatus('SLASHED')).toBe(false);
    expect(canTransition('DISPUTED', 'refuted')).toBe(true);
    expect(TRANSITIONS.refuted.to).toBe('REQUESTED');
  });

  it('puts a committed result under dispute whether or not it was revealed yet', () => {
    expect(canTransition('CHALLENGEABLE', 'dispute')).toBe(true);
    expect(canTransition('COMMITTED', 'dispute')).toBe(true);
    expect(canTransition('COMPUTED', 'dispute')).toBe(false);
    expect(canTransition('FINAL', 'dispute')).toBe(false);
  });

  it('releases an upheld result to CHALLENGEABLE, or to COMMITTED when it still has to be revealed', () => {
    expect(nextStatuses('DISPUTED').sort()).toEqual(['CHALLENGEABLE', 'COMMITTED', 'COMPUTED', 'REQUESTED']);
  });

  it('sends a committed result whose batch root left the chain back to be committed, never to FINAL', () => {
    for (const status of ['COMMITTED', 'CHALLENGEABLE', 'DISPUTED'] as const) {
      expect(canTransition(status, 'recommit')).toBe(true);
    }
    expect(canTransition('FINAL', 'recommit')).toBe(false);
    expect(TRANSITIONS.recommit.to).toBe('COMPUTED');
  });

  it('ends only at FINAL or FAILED, and every other status has a way on', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['FAILED', 'FINAL']);
    for (const status of INFERENCE_STATUSES) {
      expect(nextStatuses(status).length === 0).toBe(TERMINAL_STATUSES.has(status));
    }
  });
});
