/**
 * The inference lifecycle: one state machine for every request, whether it came over GraphQL
 * (origin API) or from a contract (origin CHAIN). Pure: the services apply each transition as one
 * conditional UPDATE (`WHERE status IN (from)`), so a transition is atomic, and applying it twice
 * changes nothing the second time.
 *
 * ```
 *  REQUESTED ──claim──▶ ASSIGNED ──submit (lease holder, valid signature)──▶ COMPUTED
 *      ▲                    │
 *      └──lease expired─────┘   (FAILED once the leases of QUEUE_FAIL_AFTER_LAPSED_WORKERS distinct
 *                                workers lapsed: one worker's lapses never fail a request)
 *
 *  COMPUTED ──batch root mined──▶ COMMITTED
 *  COMMITTED ──(OPTIMISTIC, API)  window opens at the commit──────▶ CHALLENGEABLE
 *  COMMITTED ──(OPTIMISTIC, CHAIN) result revealed on-chain───────▶ CHALLENGEABLE
 *  CHALLENGEABLE ──window over, undisputed (CHAIN: finalize tx)──▶ FINAL
 *  COMPUTED ──(ZK) proving starts──▶ PROVING ──proof verified on-chain (settleZk mined)──▶ FINAL
 *  PROVING ──prover crashed (stale) or proving failed──▶ COMPUTED (retried)
 *  CHALLENGEABLE | COMMITTED ──dispute opened on its leaf──▶ DISPUTED
 *  DISPUTED ──every dispute on the leaf won by the defender──▶ CHALLENGEABLE (API rows, revealed
 *                                                              CHAIN rows) | COMMITTED (CHAIN rows
 *                                                              not revealed yet)
 *  DISPUTED ──a challenger won: leaf discarded on-chain──▶ REQUESTED (the result moves to
 *             discarded_results, its worker to excluded_workers; another worker computes it again)
 *  COMMITTED | CHALLENGEABLE | DISPUTED ──its batch root is not on the current chain──▶ COMPUTED
 *             (the batch is committed again, same root; src/settlement/batch-recommit.ts)
 * ```
 *
 * Invariants:
 * - A request holds at most one live result: only the worker holding the lease (status ASSIGNED,
 *   its address, an unexpired lease) can move it to COMPUTED, once. A late or second submission
 *   finds the status changed and is refused, so no request is computed into two results.
 * - A request is never lost: every non-terminal status has a process that moves it on (the lease
 *   reaper, the batch committer, the revealer/finalizer, the zk prover, the dispute watcher and
 *   defender), and each of them resumes from the rows after a crash or a chain outage.
 * - FINAL and FAILED are terminal. A refuted result is not a status: it is recorded in disputes
 *   and discarded_results, and its request is computed again (src/challenges/dispute-outcomes.ts).
 */
export const INFERENCE_STATUSES = [
  'REQUESTED',
  'ASSIGNED',
  'COMPUTED',
  'COMMITTED',
  'PROVING',
  'CHALLENGEABLE',
  'FINAL',
  'FAILED',
  'DISPUTED',
] as const;

export type InferenceStatus = (typeof INFERENCE_STATUSES)[number];

export const INFERENCE_MODES = ['ZK', 'OPTIMISTIC'] as const;
export type InferenceMode = (typeof INFERENCE_MODES)[number];

export const INFERENCE_ORIGINS = ['API', 'CHAIN'] as const;
export type InferenceOrigin = (typeof INFERENCE_ORIGINS)[number];

/** Every allowed transition, by name: the statuses it leaves from and the status it enters. */
export const TRANSITIONS = {
  claim: { from: ['REQUESTED'], to: 'ASSIGNED' },
  leaseExpired: { from: ['ASSIGNED'], to: 'REQUESTED' },
  attemptsExhausted: { from: ['ASSIGNED'], to: 'FAILED' },
  submit: { from: ['ASSIGNED'], to: 'COMPUTED' },
  commit: { from: ['COMPUTED'], to: 'COMMITTED' },
  openChallengeWindow: { from: ['COMMITTED'], to: 'CHALLENGEABLE' },
  startProving: { from: ['COMPUTED'], to: 'PROVING' },
  provingRetry: { from: ['PROVING'], to: 'COMPUTED' },
  proofVerified: { from: ['PROVING'], to: 'FINAL' },
  finalize: { from: ['CHALLENGEABLE'], to: 'FINAL' },
  dispute: { from: ['CHALLENGEABLE', 'COMMITTED'], to: 'DISPUTED' },
  disputeUpheld: { from: ['DISPUTED'], to: 'CHALLENGEABLE' },
  disputeUpheldUnrevealed: { from: ['DISPUTED'], to: 'COMMITTED' },
  refuted: { from: ['DISPUTED'], to: 'REQUESTED' },
  recommit: { from: ['COMMITTED', 'CHALLENGEABLE', 'DISPUTED'], to: 'COMPUTED' },
} as const satisfies Record<string, { from: readonly InferenceStatus[]; to: InferenceStatus }>;

export type TransitionName = keyof typeof TRANSITIONS;

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

export function isInferenceStatus(value: string): value is InferenceStatus {
  return (INFERENCE_STATUSES as readonly string[]).includes(value);
}
