/**
 * `verity/client`: the typed TypeScript client of the Verity API for dapps (package.json
 * "exports"). See verity-client.ts for an example, examples/dapp.ts for a whole dapp.
 */
export { createVerityClient, type Inference, type Model, type Protocol, type VerityClient, type VerityClientOptions } from './verity-client';
export {
  CLIENT_ERROR_CATEGORIES,
  isVerityClientError,
  VerityClientError,
  type ClientOwnErrorCode,
  type VerityClientErrorCode,
} from './client.errors';
export {
  CHAIN_REQUEST_CHECK,
  OPTIMISTIC_CHECKS,
  ZK_CHECKS,
  type CheckName,
  type ResultCheck,
  type VerifiableInference,
  type VerificationReport,
} from './result-checks';
export { DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, type StatusUpdate, type WaitOptions } from './wait-for-status';
export type { WebSocketConstructor } from './graphql-transport';
export type {
  InferenceMode,
  InferenceOrigin,
  InferenceStatus,
  RegisterModelInput,
  RequestInferenceInput,
} from './generated/graphql';
