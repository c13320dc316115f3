/**
 * The worker's side of the worker API: GraphQL over HTTP with plain fetch, inputs always sent as
 * variables, every mutation carrying an EIP-712 `auth` over exactly the `input` variable.
 */
import type { Address, Hex } from 'viem';
import type { WorkerAuthInput, WorkerCallSigner } from './worker-auth';
import { postGraphql } from '../common/graphql-post';
import { apiFailure } from '../api-error-codes';
import { WorkerError } from './worker.errors';

export interface ProtocolInfo {
  chainId: number;
  settlement: Address;
  workerRegistry: Address;
  modelRegistry: Address;
  challengeWindowSeconds: number;
  minimumStakeWei: string;
}

export interface ApiModel {
  id: string;
  commitment: Hex;
  /** The QuantizedModel as JSON. */
  quantizedJson: string;
}

export interface ClaimedJob {
  id: string;
  requestId: Hex;
  modelId: string;
  modelCommitment: Hex;
  inputCommitment: Hex;
  /** The fixed-point input, integers as decimal strings. */
  inputFixed: string[];
  leaseExpiresAt: string;
}

export interface RegisteredWorker {
  address: string;
  name: string;
  backend: string;
}

export interface HeartbeatResult {
  extended: string[];
  lost: string[];
  leaseExpiresAt: string | null;
}

export interface ResultSubmission {
  jobId: string;
  outputFixed: string[];
  outputCommitment: Hex;
  traceCommitment: Hex;
  signature: Hex;
}

export interface RegisterWorkerInput {
  name: string;
  backend: string;
}

export interface ClaimJobsInput {
  maxJobs: number;
  waitMs: number;
  leaseSeconds: number;
}

export interface SubmitResultsInput {
  backend: string;
  results: ResultSubmission[];
}

/** How long a call may take beyond its own long-poll wait. */
export const API_REQUEST_TIMEOUT_MS = 30_000;

const PROTOCOL_QUERY = `query Protocol { protocol { chainId settlement workerRegistry modelRegistry challengeWindowSeconds minimumStakeWei } }`;
const MODEL_QUERY = `query WorkerModel($id: ID!) { model(id: $id) { id commitment quantizedJson } }`;
const REGISTER_MUTATION = `mutation RegisterWorker($input: RegisterWorkerInput!, $auth: WorkerAuthInput!) {
  registerWorker(input: $input, auth: $auth) { address name backend } }`;
const CLAIM_MUTATION = `mutation ClaimJobs($input: ClaimJobsInput!, $auth: WorkerAuthInput!) {
  claimJobs(input: $input, auth: $auth) { id requestId modelId modelCommitment inputCommitment inputFixed leaseExpiresAt } }`;
const HEARTBEAT_MUTATION = `mutation Heartbeat($input: HeartbeatInput!, $auth: WorkerAuthInput!) {
  heartbeat(input: $input, auth: $auth) { extended lost leaseExpiresAt } }`;
const SUBMIT_MUTATION = `mutation SubmitResults($input: SubmitResultsInput!, $auth: WorkerAuthInput!) {
  submitResults(input: $input, auth: $auth) }`;


export class WorkerApiClient {
  private signer?: WorkerCallSigner;

  constructor(
    readonly url: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** The signer used for the `auth` of every mutation (needs the protocol's chain id and settlement). */
  useSigner(signer: WorkerCallSigner): void {
    this.signer = signer;
  }

  async protocol(): Promise<ProtocolInfo> {
    return (await this.request<{ protocol: ProtocolInfo }>('protocol', PROTOCOL_QUERY, {})).protocol;
  }

  async model(id: string): Promise<ApiModel> {
    return (await this.request<{ model: ApiModel }>('model', MODEL_QUERY, { id })).model;
  }

  async registerWorker(input: RegisterWorkerInput): Promise<RegisteredWorker> {
    return this.mutate<RegisteredWorker>('registerWorker', REGISTER_MUTATION, input);
  }

  /** Long-polls up to input.waitMs when no job is ready. */
  async claimJobs(input: ClaimJobsInput): Promise<ClaimedJob[]> {
    return this.mutate<ClaimedJob[]>('claimJobs', CLAIM_MUTATION, input, input.waitMs);
  }

  async heartbeat(jobIds: readonly string[]): Promise<HeartbeatResult> {
    return this.mutate<HeartbeatResult>('heartbeat', HEARTBEAT_MUTATION, { jobIds: [...jobIds] });
  }

  /** All or nothing; the accepted job ids. */
  async submitResults(input: SubmitResultsInput): Promise<string[]> {
    return this.mutate<string[]>('submitResults', SUBMIT_MUTATION, input);
  }

  private async mutate<T>(operation: string, query: string, input: object, extraTimeoutMs = 0): Promise<T> {
    if (!this.signer)
      throw new WorkerError('INVALID_ARGUMENT', `cannot call ${operation} before useSigner()`);
    const auth: WorkerAuthInput = await this.signer.sign(operation, input);
    const data = await this.request<Record<string, T>>(operation, query, { input, auth }, extraTimeoutMs);
    return data[operation];
  }

  private async request<T>(
    field: string,
    query: string,
    variables: Record<string, unknown>,
    extraTimeoutMs = 0,
  ): Promise<T> {
    const data = await postGraphql({
      url: this.url,
      field,
      query,
      variables,
      timeoutMs: API_REQUEST_TIMEOUT_MS + extraTimeoutMs,
      fetchFn: this.fetchFn,
      fail: (apiCode, message, apiDetails, cause) => {
        const { code, details } = apiFailure(apiCode, apiDetails);
        return new WorkerError(code, message, details, { cause });
      },
    });
    return data as T;
  }
}
