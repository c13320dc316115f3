import { graphqlEnum } from '../../common/graphql-enum';
import type { InferenceMode, InferenceOrigin, InferenceStatus } from '../inference-status';

/** GraphQL enums mirroring inference-status.ts: the same values, each with its description. */
export const InferenceStatusEnum = graphqlEnum(
  'InferenceStatus',
  {
    REQUESTED: 'Queued, waiting for a worker',
    ASSIGNED: 'Claimed by a worker under a lease',
    COMPUTED: 'Result signed by the worker and stored',
    COMMITTED: 'Result leaf in a batch root committed on-chain',
    PROVING: 'ZK mode: the proof is being generated',
    CHALLENGEABLE: 'Optimistic mode: open to disputes until challengeEndsAt',
    FINAL: 'Final: proof verified, or challenge window over undisputed',
    FAILED: 'Could not be computed (see error)',
    DISPUTED:
      'A dispute over the result is being played; if the challenger wins, the result is discarded and the request goes back to REQUESTED',
  } satisfies Record<InferenceStatus, string>,
  'Lifecycle of a request (src/inference/inference-status.ts)',
);
export type InferenceStatusEnum = keyof typeof InferenceStatusEnum;

export const InferenceModeEnum = graphqlEnum('InferenceMode', {
  ZK: 'Final once a Groth16 proof verifies on-chain',
  OPTIMISTIC: 'Final after an undisputed challenge window',
} satisfies Record<InferenceMode, string>);
export type InferenceModeEnum = keyof typeof InferenceModeEnum;

export const InferenceOriginEnum = graphqlEnum('InferenceOrigin', {
  API: 'Requested over GraphQL',
  CHAIN: 'Requested by a contract',
} satisfies Record<InferenceOrigin, string>);
export type InferenceOriginEnum = keyof typeof InferenceOriginEnum;
