import { moduleErrorClass, type ErrorCategories } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

/** Codes of the chain connection, the embedded anvil, deployments and the dispute client. */
export const CHAIN_ERROR_CATEGORIES = {
  /** RPC_URL serves another chain than CHAIN_ID (or than the API settles on). */
  CHAIN_MISMATCH: 'INTERNAL',
  /** The anvil binary is not installed for this platform. */
  ANVIL_UNAVAILABLE: 'INTERNAL',
  /** The embedded anvil did not start, answer or accept a call. */
  ANVIL_FAILED: 'INTERNAL',
  /** A deployment transaction reverted, created no contract, or the chain has no genesis hash. */
  DEPLOYMENT_FAILED: 'INTERNAL',
  /** The deployment recorded in DEPLOYMENTS_DIR is not this chain's (another genesis or code). */
  DEPLOYMENT_MISMATCH: 'INTERNAL',
  /** No deployment was recorded in DEPLOYMENTS_DIR in time (the API deploys the contracts). */
  DEPLOYMENT_MISSING: 'INTERNAL',
  /** A dispute move was refused in simulation (the game is in another phase, a clock ran out). */
  DISPUTE_MOVE_REFUSED: 'CONFLICT',
  /** A dispute move was mined but reverted (the game moved on in between). */
  DISPUTE_MOVE_REVERTED: 'CONFLICT',
  /** `open` was mined without a DisputeOpened event. */
  DISPUTE_EVENT_MISSING: 'INTERNAL',
  DISPUTE_NOT_FOUND: 'NOT_FOUND',
  ...commonCodes('CHAIN_UNAVAILABLE', 'INVALID_ARGUMENT'),
} as const satisfies ErrorCategories<string>;

export type ChainErrorCode = keyof typeof CHAIN_ERROR_CATEGORIES;

/** An error of src/chain; an RPC failure keeps viem's error as `cause`. */
export class ChainError extends moduleErrorClass(CHAIN_ERROR_CATEGORIES) {}
