import { INFERENCE_STATUSES, isInferenceStatus } from '../inference-status';
import {
  ENTRIES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  canTransition,
  nextStatuses,
} from './lifecycle-transitions';
import { statusIn, transitionSql } from './lifecycle-sql';

describe('the inference lifecycle', () => {
  it('has no SLASHED status: a refuted result sends its request back to REQUESTED', () => {
    expect(isInferenceStatus('SLASHED')).toBe(false);
    expect(canTransition('DISPUTED', 'refuted')).toBe(true);
    expect(TRANSITIONS.refuted.to).toBe('REQUESTED');
  });

  it('refutes a discarded leaf whether or not the service had marked its row DISPUTED, never a final one', () => {
    for (const status of ['DISPUTED', 'CHALLENGEABLE', 'COMMITTED'] as const) {
      expect(canTransition(status, 'refuted')).toBe(true);
    }
    for (const status of ['FINAL', 'FAILED', 'COMPUTED', 'PROVING', 'ASSIGNED', 'REQUESTED'] as const) {
      expect(canTransition(status, 'refuted')).toBe(false);
    }
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

  it('reaches every status from an entry', () => {
    const reached = new Set<string>(Object.values(ENTRIES).map((entry) => entry.to));
    for (let grown = true; grown; ) {
      grown = false;
      for (const status of [...reached]) {
        for (const next of nextStatuses(status as (typeof INFERENCE_STATUSES)[number])) {
          if (!reached.has(next)) grown = reached.add(next).size > 0;
        }
      }
    }
    expect([...reached].sort()).toEqual([...INFERENCE_STATUSES].sort());
  });
});

describe('the lifecycle SQL', () => {
  it('guards a transition with its from statuses and sets its to status', () => {
    expect(transitionSql('dispute', { where: 'id = $1', set: 'updated_at = now()' })).toBe(
      [
        'UPDATE inferences',
        "   SET status = 'DISPUTED', updated_at = now()",
        " WHERE status IN ('CHALLENGEABLE', 'COMMITTED') AND (id = $1)",
        'RETURNING id',
      ].join('\n'),
    );
  });

  it('qualifies the status with the alias and joins the other tables', () => {
    expect(
      transitionSql('startProving', { alias: 'i', using: 'models m', where: 'm.id = i.model_id', returning: 'i.id, m.id' }),
    ).toBe(
      [
        'UPDATE inferences AS i',
        "   SET status = 'PROVING'",
        '  FROM models m',
        " WHERE i.status = 'COMPUTED' AND (m.id = i.model_id)",
        'RETURNING i.id, m.id',
      ].join('\n'),
    );
  });

  it('refuses to write anything but a lifecycle status into SQL', () => {
    expect(statusIn('i.status', ['FINAL', 'FAILED'])).toBe("i.status IN ('FINAL', 'FAILED')");
    expect(() => statusIn('status', ["FINAL') OR ('1' = '1" as never])).toThrow(expect.objectContaining({ code: 'UNKNOWN_STATUS' }));
    expect(() => statusIn('status', [])).toThrow(/invariant violated: statusIn/);
  });
});
