import { registerEnumType } from '@nestjs/graphql';

/** GraphQL enums mirroring inference-status.ts (TypeScript enums only for the schema). */
export enum InferenceStatusEnum {
  REQUESTED = 'REQUESTED',
  ASSIGNED = 'ASSIGNED',
  COMPUTED = 'COMPUTED',
  COMMITTED = 'COMMITTED',
  PROVING = 'PROVING',
  CHALLENGEABLE = 'CHALLENGEABLE',
  FINAL = 'FINAL',
  FAILED = 'FAILED',
  DISPUTED = 'DISPUTED',
}

export enum InferenceModeEnum {
  ZK = 'ZK',
  OPTIMISTIC = 'OPTIMISTIC',
}

export enum InferenceOriginEnum {
  API = 'API',
  CHAIN = 'CHAIN',
}

registerEnumType(InferenceStatusEnum, {
  name: 'InferenceStatus',
  description: 'Lifecycle of a request (src/inference/inference-status.ts)',
  valuesMap: {
    REQUESTED: { description: 'Queued, waiting for a worker' },
    ASSIGNED: { description: 'Claimed by a worker under a lease' },
    COMPUTED: { description: 'Result signed by the worker and stored' },
    COMMITTED: { description: 'Result leaf in a batch root committed on-chain' },
    PROVING: { description: 'ZK mode: the proof is being generated' },
    CHALLENGEABLE: { description: 'Optimistic mode: open to disputes until challengeEndsAt' },
    FINAL: { description: 'Final: proof verified, or challenge window over undisputed' },
    FAILED: { description: 'Could not be computed (see error)' },
    DISPUTED: {
      description:
        'A dispute over the result is being played; if the challenger wins, the result is discarded and the request goes back to REQUESTED',
    },
  },
});
registerEnumType(InferenceModeEnum, {
  name: 'InferenceMode',
  valuesMap: {
    ZK: { description: 'Final once a Groth16 proof verifies on-chain' },
    OPTIMISTIC: { description: 'Final after an undisputed challenge window' },
  },
});
registerEnumType(InferenceOriginEnum, {
  name: 'InferenceOrigin',
  valuesMap: {
    API: { description: 'Requested over GraphQL' },
    CHAIN: { description: 'Requested by a contract' },
  },
});
