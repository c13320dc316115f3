/**
 * The inference lifecycle: one state machine for every request, whether it came over GraphQL
 * (origin API) or from a contract (origin CHAIN). This table is the code: every status change in
 * the service is `transition(sql, name, ...)` (lifecycle-sql.ts), which builds its conditional
 * UPDATE from the named entry here, and every read that filters by status takes its statuses from
 * the sets below. A spec scans src/ for status literals in SQL (status-literals.spec.ts), another
 * applies each transition to real rows (test/integration/inference), and docs/service.md draws
 * its diagram from this table (lifecycleDiagram()).
 *
 * Invariants:
 * - A transition is one conditional UPDATE (`WHERE status IN (from)`): atomic, and applying it
 *   twice changes nothing the second time.
 * - A request holds at most one live result: only the worker holding the lease (status ASSIGNED,
 *   its address, an unexpired lease) can move it to COMPUTED, once. A late or second submission
 *   finds the status changed and is refused, so no request is computed into two results.
 * - A request is never lost: every non-terminal status has a process that moves it on (the lease
 *   reaper, the batch committer, the revealer/finalizer, the zk prover, the dispute watcher and
 *   defender), and each of them resumes from the rows after a crash or a chain outage.
 * - FINAL and FAILED are terminal. A refuted result is not a status: it is recorded in disputes
 *   and discarded_results, and its request is computed again (src/challenges/dispute-outcomes.ts).
 */
import type { InferenceStatus } from '../inference-status';

interface Transition {
  readonly from: readonly InferenceStatus[];
  readonly to: InferenceStatus;
  /** When and by whom, in a few words (the label of the diagram's arrow). */
  readonly when: string;
}

/** Every allowed transition, by name: the statuses it leaves from and the status it enters. */
export const TRANSITIONS = {
  claim: { from: ['REQUESTED'], to: 'ASSIGNED', when: 'a worker claims it' },
  leaseExpired: { from: ['ASSIGNED'], to: 'REQUESTED', when: 'the lease lapsed' },
  attemptsExhausted: {
    from: ['ASSIGNED'],
    to: 'FAILED',
    when: 'the leases of QUEUE_FAIL_AFTER_LAPSED_WORKERS distinct workers lapsed',
  },
  submit: { from: ['ASSIGNED'], to: 'COMPUTED', when: 'the lease holder submits a signed result' },
  commit: { from: ['COMPUTED'], to: 'COMMITTED', when: 'OPTIMISTIC: its batch root is mined' },
  openChallengeWindow: {
    from: ['COMMITTED'],
    to: 'CHALLENGEABLE',
    when: 'API: the window opens at the commit',
  },
  reveal: { from: ['COMMITTED'], to: 'CHALLENGEABLE', when: 'CHAIN: the result is revealed on-chain' },
  startProving: { from: ['COMPUTED'], to: 'PROVING', when: 'ZK: a prover thread takes it' },
  provingRetry: { from: ['PROVING'], to: 'COMPUTED', when: 'proving failed or was cut off: retried' },
  provingFailed: {
    from: ['PROVING'],
    to: 'FAILED',
    when: 'proving failed MAX_PROVING_ATTEMPTS times, or the circuit disagrees with the worker',
  },
  proofVerified: { from: ['PROVING'], to: 'FINAL', when: 'settleZk is mined (proof verified)' },
  finalize: {
    from: ['CHALLENGEABLE'],
    to: 'FINAL',
    when: 'the window is over, undisputed (CHAIN: finalize tx)',
  },
  dispute: { from: ['CHALLENGEABLE', 'COMMITTED'], to: 'DISPUTED', when: 'a dispute opens on its leaf' },
  disputeUpheld: {
    from: ['DISPUTED'],
    to: 'CHALLENGEABLE',
    when: 'every dispute won by the defender (window open)',
  },
  disputeUpheldUnrevealed: {
    from: ['DISPUTED'],
    to: 'COMMITTED',
    when: 'every dispute won by the defender (CHAIN, still to reveal)',
  },
  /**
   * The chain decides a refutation (Settlement.isLeafDiscarded), not the row's status: the row
   * is DISPUTED only once the dispute watcher saw the dispute open and the row held the leaf
   * then. A dispute decided before the defender's next pass, or opened while a recommit had the
   * row at COMPUTED and decided after the row was committed again, finds the row COMMITTED or
   * CHALLENGEABLE with its leaf already discarded: that result can never be revealed or become
   * final on-chain, so its request is computed again from any of the three.
   */
  refuted: {
    from: ['DISPUTED', 'CHALLENGEABLE', 'COMMITTED'],
    to: 'REQUESTED',
    when: 'a challenger won: the leaf is discarded, computed again by another worker',
  },
  recommit: {
    from: ['COMMITTED', 'CHALLENGEABLE', 'DISPUTED'],
    to: 'COMPUTED',
    when: 'its batch root is not on the current chain: committed again',
  },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** The statuses a request is created in: REQUESTED, or FAILED for a CHAIN request refused on arrival. */
export const ENTRIES = {
  request: { to: 'REQUESTED', when: 'requested over GraphQL or on-chain' },
  refuseOnArrival: { to: 'FAILED', when: 'CHAIN: its input is refused' },
} as const satisfies Record<string, Omit<Transition, 'from'>>;

/** The status of a new request. */
export const NEW_REQUEST_STATUS = ENTRIES.request.to;
/** The status of an on-chain request whose input the service refuses (recorded with its error). */
export const REFUSED_REQUEST_STATUS = ENTRIES.refuseOnArrival.to;

/** Statuses read by the loops that move rows on: each is the `from` of the transition it feeds. */
/** Waiting for a worker. */
export const STATUSES_QUEUED = TRANSITIONS.claim.from;
/** Held by a worker under a lease. */
export const STATUSES_HOLDING_LEASE = TRANSITIONS.submit.from;
/** Computed, not in a committed batch yet (OPTIMISTIC: batched; ZK: proved). */
export const STATUSES_AWAITING_BATCH = TRANSITIONS.commit.from;
export const STATUSES_AWAITING_PROOF = TRANSITIONS.startProving.from;
/** Being proved by the zk prover. */
export const STATUSES_PROVING = TRANSITIONS.proofVerified.from;
/** A CHAIN result in a committed batch, to reveal on-chain. */
export const STATUSES_AWAITING_REVEAL = TRANSITIONS.reveal.from;
/** In its challenge window, or past it and waiting to be called FINAL. */
export const STATUSES_AWAITING_FINALITY = TRANSITIONS.finalize.from;
/** In a committed batch but not FINAL yet: what a batch whose root left the chain sends back. */
export const UNSETTLED_STATUSES = TRANSITIONS.recommit.from;

export const TERMINAL_STATUSES: ReadonlySet<InferenceStatus> = new Set(['FINAL', 'FAILED']);

/** Whether `transition` may leave `status`. */
export function canTransition(status: InferenceStatus, transition: TransitionName): boolean {
  return (TRANSITIONS[transition].from as readonly InferenceStatus[]).includes(status);
}

/** Statuses reachable from `status` in one transition. */
export function nextStatuses(status: InferenceStatus): InferenceStatus[] {
  return [
    ...new Set(
      Object.values(TRANSITIONS)
        .filter((t) => (t.from as readonly string[]).includes(status))
        .map((t) => t.to),
    ),
  ];
}
