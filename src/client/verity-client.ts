/**
 * The typed client of the Verity API, in the style of viem's clients: one factory, plain async
 * methods, typed results (generated from schema.graphql, see operations.ts) and typed errors
 * (VerityClientError, with the API's `extensions.code`).
 *
 *   const verity = createVerityClient({ url, publicClient, settlement });
 *   const model = await verity.registerModel({ name: 'mnist', onnxBase64 });
 *   const { id } = await verity.requestInference({ modelId: model.id, input, mode: 'OPTIMISTIC' });
 *   const final = await verity.waitForFinal(id);
 *   await verity.verifyResult(final); // throws RESULT_NOT_VERIFIED unless the chain agrees
 */
import type { Address, PublicClient } from 'viem';
import { VerityClientError } from './client.errors';
import type {
  GetInferenceQuery,
  GetInferenceQueryVariables,
  GetInferenceStatusQuery,
  GetModelQuery,
  GetProtocolQuery,
  GetQuantizedModelQuery,
  GetZkCircuitQuery,
  InferenceFieldsFragment,
  InferenceStatus,
  InferenceUpdatedSubscription,
  ModelFieldsFragment,
  RegisterModelInput,
  RegisterModelMutation,
  RequestInferenceInput,
  RequestInferenceMutation,
  RequestInferencesMutation,
} from './generated/graphql';
import { GraphqlTransport, type TransportOptions } from './graphql-transport';
import {
  GET_INFERENCE,
  GET_INFERENCE_STATUS,
  GET_MODEL,
  GET_PROTOCOL,
  GET_QUANTIZED_MODEL,
  GET_ZK_CIRCUIT,
  INFERENCE_UPDATED,
  REGISTER_MODEL,
  REQUEST_INFERENCE,
  REQUEST_INFERENCES,
} from './operations';
import type { VerificationReport } from './result-checks';
import { checkResult, verifyResult, type VerifyContext } from './verify-result';
import { waitForStatus, type StatusSource, type StatusUpdate, type WaitOptions } from './wait-for-status';

export type Inference = InferenceFieldsFragment;
export type Model = ModelFieldsFragment;
export type Protocol = GetProtocolQuery['protocol'];

export interface VerityClientOptions extends TransportOptions {
  /** A viem public client of the chain Verity settles on: verifyResult reads the contracts with it. */
  publicClient?: PublicClient;
  /**
   * The Settlement contract the dapp trusts (its deployment's address). verifyResult reads every
   * other contract through it. Not taken from the API: an API that lies could name its own.
   */
  settlement?: Address;
}

export interface VerityClient {
  readonly url: string;
  registerModel(input: RegisterModelInput): Promise<Model>;
  getModel(id: string): Promise<Model>;
  /** Queues one inference; with clientRequestId, repeating the call returns the same inference. */
  requestInference(input: RequestInferenceInput): Promise<Inference>;
  /** Queues 1..256 inferences at once, all or none. */
  requestInferences(inputs: readonly RequestInferenceInput[]): Promise<Inference[]>;
  /** An inference by id, or by its 0x request id. */
  getInference(id: string): Promise<Inference>;
  /** Waits (subscription, falling back to polling) until one of `statuses`; FAILED throws INFERENCE_FAILED. */
  waitForStatus(id: string, statuses: readonly InferenceStatus[], options?: WaitOptions): Promise<Inference>;
  /** waitForStatus(id, ['FINAL']). The API's FINAL is a claim: check it with verifyResult. */
  waitForFinal(id: string, options?: WaitOptions): Promise<Inference>;
  /** Every check against the chain, each reported; never throws for a failed check. */
  checkResult(inference: Inference): Promise<VerificationReport>;
  /** checkResult, throwing RESULT_NOT_VERIFIED (details.failed) unless every check passed. */
  verifyResult(inference: Inference): Promise<VerificationReport>;
  /** The deployment the API says it settles on (a claim: verifyResult does not use it). */
  getProtocol(): Promise<Protocol>;
  /** Closes the subscription socket, if one is open. */
  close(): Promise<void>;
}

export function createVerityClient(options: VerityClientOptions): VerityClient {
  if (!/^https?:\/\//.test(options.url)) {
    throw new VerityClientError('INVALID_ARGUMENT', `url must be the API's http(s) GraphQL endpoint, got ${JSON.stringify(options.url)}`);
  }
  const transport = new GraphqlTransport(options);

  const getInference = async (id: string): Promise<Inference> =>
    (await transport.request<GetInferenceQuery, GetInferenceQueryVariables>(GET_INFERENCE, 'inference', { id })).inference;

  const statuses: StatusSource = {
    subscribe: (id, handlers) =>
      transport.subscribe<InferenceUpdatedSubscription, { id: string }>(INFERENCE_UPDATED, 'inferenceUpdated', { id }, {
        next: (data) => handlers.next(data.inferenceUpdated),
        error: (error) => handlers.error(error),
        complete: () => handlers.complete(),
      }),
    read: async (id): Promise<StatusUpdate> =>
      (await transport.request<GetInferenceStatusQuery, { id: string }>(GET_INFERENCE_STATUS, 'inference', { id })).inference,
  };

  const verifyContext = (): VerifyContext => {
    if (!options.publicClient || !options.settlement) {
      throw new VerityClientError(
        'CHAIN_NOT_CONFIGURED',
        'verifyResult reads the chain: create the client with publicClient (a viem public client) and settlement (the Settlement address you trust)',
      );
    }
    return {
      publicClient: options.publicClient,
      settlement: options.settlement,
      hints: {
        batchSize: async (circuitId) =>
          (await transport.request<GetZkCircuitQuery, { id: string }>(GET_ZK_CIRCUIT, 'zkCircuit', { id: circuitId })).zkCircuit.batchSize,
        quantizedModel: async (modelId) =>
          (await transport.request<GetQuantizedModelQuery, { id: string }>(GET_QUANTIZED_MODEL, 'model', { id: modelId })).model.quantizedJson,
      },
    };
  };

  const client: VerityClient = {
    url: options.url,
    registerModel: async (input) =>
      (await transport.request<RegisterModelMutation, { input: RegisterModelInput }>(REGISTER_MODEL, 'registerModel', { input })).registerModel,
    getModel: async (id) => (await transport.request<GetModelQuery, { id: string }>(GET_MODEL, 'model', { id })).model,
    requestInference: async (input) =>
      (await transport.request<RequestInferenceMutation, { input: RequestInferenceInput }>(REQUEST_INFERENCE, 'requestInference', { input }))
        .requestInference,
    requestInferences: async (inputs) =>
      (
        await transport.request<RequestInferencesMutation, { inputs: RequestInferenceInput[] }>(REQUEST_INFERENCES, 'requestInferences', {
          inputs: [...inputs],
        })
      ).requestInferences,
    getInference,
    waitForStatus: async (id, wanted, waitOptions) => {
      const reached = await waitForStatus(statuses, id, wanted, waitOptions);
      return getInference(reached.id);
    },
    waitForFinal: (id, waitOptions) => client.waitForStatus(id, ['FINAL'], waitOptions),
    checkResult: async (inference) => checkResult(verifyContext(), inference),
    verifyResult: async (inference) => verifyResult(verifyContext(), inference),
    getProtocol: async () => (await transport.request<GetProtocolQuery, Record<string, never>>(GET_PROTOCOL, 'protocol', {})).protocol,
    close: () => transport.close(),
  };
  return client;
}
