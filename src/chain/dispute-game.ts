/**
 * The dispute game's constants as TypeScript sees them (contracts/dispute/DisputeGame.sol,
 * IDisputeGame.sol): the sizes of its chunks and pages, and its enums. Pure: no chain access.
 */

/** Values per chunk of a tensor (DisputeGame.CHUNK_SIZE_VALUES). */
export const DISPUTE_CHUNK_SIZE_VALUES = 16;

/** Levels one page spans (DisputeGame.PAGE_DEPTH): a page is at most 256 nodes. */
export const DISPUTE_PAGE_DEPTH = 8;

/** DisputePhase in IDisputeGame.sol: the move awaited next. */
export const DisputePhase = {
  None: 0,
  AwaitTracePage: 1,
  AwaitTracePick: 2,
  AwaitChunkPage: 3,
  AwaitChunkPick: 4,
  AwaitChunkValues: 5,
  AwaitOneStep: 6,
  Resolved: 7,
} as const;

export const DisputeSide = { None: 0, Challenger: 1, Defender: 2 } as const;
export const DisputeOutcome = { Undecided: 0, ChallengerWon: 1, DefenderWon: 2 } as const;
export const DisputeReason = {
  None: 0,
  InputMismatch: 1,
  OutputMismatch: 2,
  OneStep: 3,
  Timeout: 4,
} as const;
