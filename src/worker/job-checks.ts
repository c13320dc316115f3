/**
 * What a worker checks of a claimed job before computing it, trusting the API for nothing it
 * could lie about: its fields, the model commitment it names, and its input against its input
 * commitment and the model's input rules.
 */
import { checkFixedInput, commitTensor } from '../engine';
import { sameHex, type LoadedModel } from './verified-models';
import type { ClaimedJob } from './worker-api-client';
import { WorkerError } from './worker.errors';

const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
const INTEGER_PATTERN = /^-?[0-9]+$/;

/** The job's fixed input, after checking its fields, its input commitment and the model's input rules. */
export function checkedInput(job: ClaimedJob, loaded: LoadedModel): Float64Array {
  for (const field of ['requestId', 'modelCommitment', 'inputCommitment'] as const) {
    if (typeof job[field] !== 'string' || !BYTES32_PATTERN.test(job[field]))
      throw new WorkerError('INVALID_JOB', `job ${job.id}: ${field} is not a bytes32`);
  }
  if (!sameHex(job.modelCommitment, loaded.commitment)) {
    throw new WorkerError(
      'MODEL_COMMITMENT_MISMATCH',
      `job ${job.id} names model commitment ${job.modelCommitment}, but model ${job.modelId} commits to ${loaded.commitment}`,
    );
  }
  if (
    !Array.isArray(job.inputFixed) ||
    !job.inputFixed.every((v) => typeof v === 'string' && INTEGER_PATTERN.test(v))
  ) {
    throw new WorkerError('INVALID_JOB', `job ${job.id}: inputFixed must be a list of decimal integers`);
  }
  const computed = commitTensor(job.inputFixed);
  if (!sameHex(computed, job.inputCommitment)) {
    throw new WorkerError(
      'INPUT_COMMITMENT_MISMATCH',
      `job ${job.id}: inputCommitment ${job.inputCommitment} is not the commitment of its input (${computed})`,
    );
  }
  const fixed = new Float64Array(job.inputFixed.length);
  job.inputFixed.forEach((v, i) => {
    const value = Number(v);
    if (!Number.isSafeInteger(value))
      throw new WorkerError('INVALID_JOB', `job ${job.id}: input value ${i} (${v}) is not a safe integer`);
    fixed[i] = value;
  });
  checkFixedInput(loaded.model, fixed);
  return fixed;
}
