import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

export const PROOFS_ERROR_CATEGORIES = {
  ZK_CIRCUIT_NOT_FOUND: 'NOT_FOUND',
  ZK_NOT_READY: 'CONFLICT',
  /** The circuit's output differs from the worker's result (stored as the inference's error code). */
  ZK_PROOF_MISMATCH: 'INTERNAL',
  ZK_CIRCUIT_LIMIT: 'BAD_INPUT',
  /** MAX_ZK_CIRCUITS_PREPARING circuits are being prepared: retry later. */
  ZK_SETUP_BUSY: 'RATE_LIMITED',
  /**
   * Proving or preparing a circuit failed for another reason (a zk transaction reverted, the model
   * is not on-chain): the stored error code (inferences.error_code, zk_circuits.error_code).
   */
  ZK_PROVING_FAILED: 'INTERNAL',
  ZK_SETUP_FAILED: 'INTERNAL',
  /** The model was registered without an owner: nobody may enable zk mode for it through the API. */
  ZK_OWNER_REQUIRED: 'UNAUTHORIZED',
  /** The owner's EIP-712 consent is malformed, expired, too far ahead, or signed by another key. */
  ZK_OWNER_SIGNATURE_INVALID: 'UNAUTHORIZED',
} as const satisfies ErrorCategories<string>;

export type ProofsErrorCode = keyof typeof PROOFS_ERROR_CATEGORIES;

/** Circuits (batch sizes) one model may have: each one is a compile, a setup and a verifier deployment. */
export const MAX_ZK_CIRCUITS_PER_MODEL = 4;
/** Circuits prepared at once across all models (each takes minutes of CPU). */
export const MAX_ZK_CIRCUITS_PREPARING = 2;
/** enableZkMode calls per peer address per minute, on top of the general rate limit. */
export const ENABLE_ZK_MODE_PER_MINUTE = 5;

/** How far ahead an owner's zk-mode consent may be dated: the longest a captured one stays usable. */
export const MAX_ZK_CONSENT_LIFETIME_S = 3600;

export class ProofsError extends moduleErrorClass(PROOFS_ERROR_CATEGORIES) {}
