import { registerEnumType } from '@nestjs/graphql';

/** GraphQL enums mirroring dispute-row.ts (TypeScript enums only for the schema). */
export enum DisputeStatusEnum {
  OPEN = 'OPEN',
  DEFENDER_WON = 'DEFENDER_WON',
  CHALLENGER_WON = 'CHALLENGER_WON',
}

export enum DisputeReasonEnum {
  INPUT_MISMATCH = 'INPUT_MISMATCH',
  OUTPUT_MISMATCH = 'OUTPUT_MISMATCH',
  ONE_STEP = 'ONE_STEP',
  TIMEOUT = 'TIMEOUT',
}

registerEnumType(DisputeStatusEnum, {
  name: 'DisputeStatus',
  description: 'Where a dispute over a result leaf stands (docs/disputes.md)',
  valuesMap: {
    OPEN: { description: 'Being played: the result is held until it is decided' },
    DEFENDER_WON: { description: "The result stands; the challenger's bond went to the worker" },
    CHALLENGER_WON: {
      description: 'The result was refuted: discarded, its worker slashed, the request computed again',
    },
  },
});
registerEnumType(DisputeReasonEnum, {
  name: 'DisputeReason',
  description: 'What decided a dispute',
  valuesMap: {
    INPUT_MISMATCH: { description: 'The revealed trace does not start at the committed input' },
    OUTPUT_MISMATCH: { description: 'The revealed trace does not end at the committed output' },
    ONE_STEP: { description: 'The one-step executor recomputed the picked value on-chain' },
    TIMEOUT: { description: 'The side to move used up its clock' },
  },
});
