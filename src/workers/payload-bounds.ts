/**
 * Size bounds of a worker call's input, checked from its counts alone before the input is hashed
 * (worker-auth.service.ts): what a call could legitimately need, never more. A submission carries
 * at most MAX_SUBMISSION_RESULTS results, each at most one model output (no model output exceeds
 * the engine's MAX_TENSOR_ELEMENTS); jobs.service then checks each against its own model.
 */
import { MAX_TENSOR_ELEMENTS } from '../engine';
import { MAX_CLAIM_JOBS, MAX_SUBMISSION_RESULTS } from './workers.constants';
import { WorkersError } from './workers.errors';

/** Longest string a worker call carries: an id, a 0x hash, a signature, a fixed-point integer. */
export const MAX_WORKER_STRING_LENGTH = 256;

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function tooLarge(message: string): WorkersError {
  return new WorkersError('INVALID_WORKER_INPUT', message);
}

export function assertPayloadBounded(operation: string, input: unknown): void {
  const payload = (input ?? {}) as Record<string, unknown>;
  if (operation === 'heartbeat' && lengthOf(payload.jobIds) > MAX_CLAIM_JOBS) {
    throw tooLarge(`a heartbeat carries at most ${MAX_CLAIM_JOBS} job ids, got ${lengthOf(payload.jobIds)}`);
  }
  if (operation !== 'submitResults') return;
  const results = Array.isArray(payload.results) ? (payload.results as Record<string, unknown>[]) : [];
  if (results.length > MAX_SUBMISSION_RESULTS) {
    throw tooLarge(`a submission carries at most ${MAX_SUBMISSION_RESULTS} results, got ${results.length}`);
  }
  results.forEach((result, i) => {
    const values = lengthOf(result.outputFixed);
    if (values > MAX_TENSOR_ELEMENTS) {
      throw tooLarge(`result ${i} carries ${values} output values; no model output has more than ${MAX_TENSOR_ELEMENTS}`);
    }
    for (const value of [result.jobId, result.outputCommitment, result.traceCommitment, result.signature]) {
      if (typeof value === 'string' && value.length > MAX_WORKER_STRING_LENGTH) {
        throw tooLarge(`result ${i} has a string of ${value.length} characters; at most ${MAX_WORKER_STRING_LENGTH} are accepted`);
      }
    }
  });
}
