/**
 * The statuses, modes and origins of an inference request. Which status follows which, and every
 * SQL statement that changes or filters a status, live in the lifecycle module (./lifecycle).
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

export function isInferenceStatus(value: string): value is InferenceStatus {
  return (INFERENCE_STATUSES as readonly string[]).includes(value);
}
