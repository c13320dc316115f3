/**
 * The GraphQL operations the client sends: the one place they are written. `npm run
 * client:types` generates their result and variable types (generated/graphql.ts) from these
 * documents and schema.graphql; src/client/client-types.spec.ts fails while that file is stale.
 */

/** Everything verifyResult needs from an inference: its leaf, its batch, its proof. */
const INFERENCE_FIELDS = /* GraphQL */ `
  fragment InferenceFields on Inference {
    id
    requestId
    status
    mode
    origin
    modelId
    modelCommitment
    inputCommitment
    inputFixed
    input
    output
    outputFixed
    outputCommitment
    traceCommitment
    worker
    workerSignature
    leafHash
    leafIndex
    leafProof
    challengeEndsAt
    createdAt
    committedAt
    finalAt
    requestTx
    revealTx
    finalizeTx
    error {
      code
      message
    }
    batch {
      id
      chainBatchId
      root
      status
      txHash
      blockNumber
      committedAt
    }
    proof {
      circuitId
      proof
      publicSignals
      inputCommitment
      settleTx
    }
  }
`;

const MODEL_FIELDS = /* GraphQL */ `
  fragment ModelFields on Model {
    id
    name
    commitment
    chainStatus
    modes
    owner
    inputShape
    outputShape
    fractionBits
    inputBound
    parameterCount
    createdAt
  }
`;

export const REGISTER_MODEL = /* GraphQL */ `
  mutation RegisterModel($input: RegisterModelInput!) {
    registerModel(input: $input) {
      ...ModelFields
    }
  }
  ${MODEL_FIELDS}
`;

export const GET_MODEL = /* GraphQL */ `
  query GetModel($id: ID!) {
    model(id: $id) {
      ...ModelFields
    }
  }
  ${MODEL_FIELDS}
`;

/** The canonical quantized model (large): only what the zk input check needs. */
export const GET_QUANTIZED_MODEL = /* GraphQL */ `
  query GetQuantizedModel($id: ID!) {
    model(id: $id) {
      id
      commitment
      quantizedJson
    }
  }
`;

export const REQUEST_INFERENCE = /* GraphQL */ `
  mutation RequestInference($input: RequestInferenceInput!) {
    requestInference(input: $input) {
      ...InferenceFields
    }
  }
  ${INFERENCE_FIELDS}
`;

export const REQUEST_INFERENCES = /* GraphQL */ `
  mutation RequestInferences($inputs: [RequestInferenceInput!]!) {
    requestInferences(inputs: $inputs) {
      ...InferenceFields
    }
  }
  ${INFERENCE_FIELDS}
`;

export const GET_INFERENCE = /* GraphQL */ `
  query GetInference($id: ID!) {
    inference(id: $id) {
      ...InferenceFields
    }
  }
  ${INFERENCE_FIELDS}
`;

/** The polling fallback's cheap read: the status only. */
export const GET_INFERENCE_STATUS = /* GraphQL */ `
  query GetInferenceStatus($id: ID!) {
    inference(id: $id) {
      id
      status
      error {
        code
        message
      }
    }
  }
`;

export const INFERENCE_UPDATED = /* GraphQL */ `
  subscription InferenceUpdated($id: ID!) {
    inferenceUpdated(id: $id) {
      id
      status
      error {
        code
        message
      }
    }
  }
`;

export const GET_PROTOCOL = /* GraphQL */ `
  query GetProtocol {
    protocol {
      chainId
      settlement
      modelRegistry
      workerRegistry
      disputeGame
      challengeWindowSeconds
    }
  }
`;

export const GET_ZK_CIRCUIT = /* GraphQL */ `
  query GetZkCircuit($id: ID!) {
    zkCircuit(id: $id) {
      id
      modelId
      batchSize
      verifierAddress
    }
  }
`;

/** Every operation, by name: what the type generator reads. */
export const CLIENT_OPERATIONS = {
  REGISTER_MODEL,
  GET_MODEL,
  GET_QUANTIZED_MODEL,
  REQUEST_INFERENCE,
  REQUEST_INFERENCES,
  GET_INFERENCE,
  GET_INFERENCE_STATUS,
  INFERENCE_UPDATED,
  GET_PROTOCOL,
  GET_ZK_CIRCUIT,
} as const;
