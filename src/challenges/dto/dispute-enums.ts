import { graphqlEnum } from '../../common/graphql-enum';
import type { DisputeReasonName, DisputeStatus } from '../dispute-row';

/** GraphQL enums mirroring dispute-row.ts: the same values, each with its description. */
export const DisputeStatusEnum = graphqlEnum(
  'DisputeStatus',
  {
    OPEN: 'Being played: the result is held until it is decided',
    DEFENDER_WON: "The result stands; the challenger's bond went to the worker",
    CHALLENGER_WON: 'The result was refuted: discarded, its worker slashed, the request computed again',
  } satisfies Record<DisputeStatus, string>,
  'Where a dispute over a result leaf stands (docs/disputes.md)',
);
export type DisputeStatusEnum = keyof typeof DisputeStatusEnum;

export const DisputeReasonEnum = graphqlEnum(
  'DisputeReason',
  {
    INPUT_MISMATCH: 'The revealed trace does not start at the committed input',
    OUTPUT_MISMATCH: 'The revealed trace does not end at the committed output',
    ONE_STEP: 'The one-step executor recomputed the picked value on-chain',
    TIMEOUT: 'The side to move used up its clock',
  } satisfies Record<DisputeReasonName, string>,
  'What decided a dispute',
);
export type DisputeReasonEnum = keyof typeof DisputeReasonEnum;
