// @ts-check
/** The GraphQL documents the explorer sends (schema.graphql). */

/** Rows of the recent-inferences table. */
export const RECENT_LIMIT = 20;

const MODEL_FIELDS = 'id name commitment chainStatus modes inputShape outputShape parameterCount createdAt';

export const MODELS = `query Models { models(first: 20) { edges { node { ${MODEL_FIELDS} } } } }`;

export const MODEL_REGISTERED = `subscription ModelRegistered { modelRegistered { ${MODEL_FIELDS} } }`;

const ROW_FIELDS = 'id modelId mode origin status createdAt updatedAt';

export const INFERENCES = `query Inferences($first: Int!, $modelId: ID) {
  inferences(first: $first, modelId: $modelId) { edges { node { ${ROW_FIELDS} } } }
}`;

/** What a row needs to follow its status live. */
export const ROW_UPDATED = `subscription RowUpdated($id: ID!) { inferenceUpdated(id: $id) { ${ROW_FIELDS} } }`;

/** What the detail view needs to follow its inference live (it reads the rest again on each update). */
export const DETAIL_UPDATED = `subscription DetailUpdated($id: ID!) { inferenceUpdated(id: $id) { id status updatedAt } }`;

const DISPUTE_FIELDS = `id disputeId batchId leafHash challenger worker status reason phase defending note
  moves lastMove lastMoveTx slashedWei openedTx openedAt resolvedAt
  clocks { turn turnStartedAt challengerUsedSeconds defenderUsedSeconds challengerRemainingSeconds defenderRemainingSeconds asOf }
  history { name side by blockNumber txHash at detail }`;

export const INFERENCE = `query Inference($id: ID!) {
  inference(id: $id) {
    id requestId modelId modelCommitment mode origin status attempts backend worker
    createdAt updatedAt computedAt committedAt finalAt challengeEndsAt
    input inputFixed inputCommitment output outputFixed outputCommitment traceCommitment
    leafHash leafIndex leafProof workerSignature requestTx revealTx finalizeTx provingStage
    error { code message }
    batch { id root status chainBatchId txHash blockNumber committedAt leafCount }
    proof { circuitId proof publicSignals inputCommitment settleTx }
    disputes { ${DISPUTE_FIELDS} }
  }
  protocol { chainId challengeWindowSeconds maxClockSeconds settlement disputeGame }
}`;

export const MODEL_NAME = `query ModelName($id: ID!) { model(id: $id) { id name } }`;

export const VERIFICATION_KEY = `query VerificationKey($id: ID!) {
  zkCircuit(id: $id) { id batchSize verificationKey developmentSetup verifierAddress }
}`;
