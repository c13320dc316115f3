/**
 * What `verity challenger` reads from the API: the protocol (chain, contracts, dispute bond and
 * clock), pages of optimistic inferences with their result leaves, one inference by id or by
 * request id, the leaf's Merkle proof, and a model. GraphQL over HTTP with plain fetch, read-only,
 * no authentication. Nothing read here is trusted: challenge-target.ts checks it against the
 * engine and the chain before a bond is put on it.
 */
import type { Address, Hex } from 'viem';
import { describeUrl, postGraphql } from '../common/graphql-post';
import { apiFailure } from '../api-error-codes';
import { ChallengerError } from './challenger.errors';

export interface ChallengerProtocol {
  chainId: number;
  settlement: Address;
  disputeGame: Address;
  challengeWindowSeconds: number;
  challengerBondWei: string;
  maxClockSeconds: number;
}

export interface ApiModel {
  id: string;
  commitment: Hex;
  /** The QuantizedModel as JSON. */
  quantizedJson: string;
}

/** One inference with everything its result leaf and dispute need (API fields, unchecked). */
export interface ApiInference {
  id: string;
  requestId: Hex;
  modelId: string;
  modelCommitment: Hex;
  mode: string;
  status: string;
  inputFixed: string[];
  inputCommitment: Hex;
  outputFixed: string[] | null;
  outputCommitment: Hex | null;
  traceCommitment: Hex | null;
  worker: Address | null;
  workerSignature: Hex | null;
  leafIndex: number | null;
  leafHash: Hex | null;
  batch: { id: string; status: string; chainBatchId: string | null; root: Hex } | null;
}

export interface InferencePage {
  items: ApiInference[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** How long one API call may take. */
export const CHALLENGER_API_TIMEOUT_MS = 30_000;
/** Inferences asked per page (the API allows 1..100). */
export const INFERENCE_PAGE_SIZE = 50;

const INFERENCE_FIELDS = `id requestId modelId modelCommitment mode status inputFixed inputCommitment
  outputFixed outputCommitment traceCommitment worker workerSignature leafIndex leafHash
  batch { id status chainBatchId root }`;
const PROTOCOL_QUERY = `query ChallengerProtocol { protocol {
  chainId settlement disputeGame challengeWindowSeconds challengerBondWei maxClockSeconds } }`;
const MODEL_QUERY = `query ChallengerModel($id: ID!) { model(id: $id) { id commitment quantizedJson } }`;
const INFERENCE_QUERY = `query ChallengerInference($id: ID!) { inference(id: $id) { ${INFERENCE_FIELDS} } }`;
const PROOF_QUERY = `query ChallengerLeafProof($id: ID!) { inference(id: $id) { id leafHash leafProof } }`;
const PAGE_QUERY = `query ChallengerInferences($first: Int!, $after: String, $status: InferenceStatus) {
  inferences(first: $first, after: $after, status: $status, mode: OPTIMISTIC) {
    edges { node { ${INFERENCE_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;


export class ChallengerApiClient {
  constructor(
    readonly url: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async protocol(): Promise<ChallengerProtocol> {
    return this.request<ChallengerProtocol>('protocol', PROTOCOL_QUERY, {});
  }

  async model(id: string): Promise<ApiModel> {
    return this.request<ApiModel>('model', MODEL_QUERY, { id });
  }

  async inference(id: string): Promise<ApiInference> {
    return this.request<ApiInference>('inference', INFERENCE_QUERY, { id });
  }

  /** The leaf's Merkle siblings up to its batch root (null when the API has none). */
  async leafProof(id: string): Promise<Hex[] | null> {
    const answer = await this.request<{ leafProof: Hex[] | null }>('inference', PROOF_QUERY, { id });
    return answer.leafProof;
  }

  /** One page of optimistic inferences, newest first, optionally of one status. */
  async inferences(status: string | null, after: string | null): Promise<InferencePage> {
    const connection = await this.request<{
      edges: { node: ApiInference }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    }>('inferences', PAGE_QUERY, { first: INFERENCE_PAGE_SIZE, after, status });
    return {
      items: connection.edges.map((edge) => edge.node),
      endCursor: connection.pageInfo.endCursor,
      hasNextPage: connection.pageInfo.hasNextPage,
    };
  }

  /** Every optimistic inference of one status, page by page. */
  async allInferences(status: string): Promise<ApiInference[]> {
    const all: ApiInference[] = [];
    let after: string | null = null;
    for (;;) {
      const page: InferencePage = await this.inferences(status, after);
      all.push(...page.items);
      if (!page.hasNextPage || !page.endCursor) return all;
      after = page.endCursor;
    }
  }

  /**
   * An inference by its id (a UUID) or by its bytes32 request id. The API has no lookup by
   * request id, so that pages through the optimistic inferences until it finds it.
   */
  async find(idOrRequestId: string): Promise<ApiInference> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(idOrRequestId)) return this.inference(idOrRequestId);
    const wanted = idOrRequestId.toLowerCase();
    let after: string | null = null;
    for (;;) {
      const page: InferencePage = await this.inferences(null, after);
      const found = page.items.find((item) => item.requestId.toLowerCase() === wanted);
      if (found) return found;
      if (!page.hasNextPage || !page.endCursor) {
        throw new ChallengerError(
          'INFERENCE_NOT_FOUND',
          `no optimistic inference with request id ${idOrRequestId} at ${describeUrl(this.url)}`,
        );
      }
      after = page.endCursor;
    }
  }

  private async request<T>(field: string, query: string, variables: Record<string, unknown>): Promise<T> {
    const data = await postGraphql({
      url: this.url,
      field,
      query,
      variables,
      timeoutMs: CHALLENGER_API_TIMEOUT_MS,
      fetchFn: this.fetchFn,
      fail: (apiCode, message, apiDetails, cause) => {
        const { code, details } = apiFailure(apiCode, apiDetails);
        return new ChallengerError(code, message, details, { cause });
      },
    });
    const value = data[field];
    if (value === null) throw new ChallengerError('API_BAD_RESPONSE', `${field}: the API answered null`);
    return value as T;
  }
}
