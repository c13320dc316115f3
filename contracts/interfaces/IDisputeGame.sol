// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ResultLeaf} from "../libraries/LibResultMerkle.sol";

/// @notice The preimage of a model commitment (docs/semantics.md, format v2):
///         modelCommitment = keccak256(abi.encode(headerHash, parametersRoot, parameterCount,
///         stepsRoot, stepCount)); all fields are static, so that is keccak256(abi.encode(parts)).
struct ModelParts {
    bytes32 headerHash;
    bytes32 parametersRoot;
    uint256 parameterCount;
    bytes32 stepsRoot;
    uint256 stepCount;
}

/// @notice Where a dispute stands; the phase names the move awaited next.
enum DisputePhase {
    None,
    AwaitTrace, // defender: revealTrace
    AwaitStep, // challenger: challengeInput, challengeOutput or pickStep
    AwaitChunks, // defender: revealChunks
    AwaitChunk, // challenger: pickChunk
    AwaitChunkValues, // defender: revealChunkValues
    AwaitOneStep, // challenger: oneStep
    Resolved
}

/// @notice A party of a dispute. None: nobody is to move (unknown or resolved dispute).
enum DisputeSide {
    None,
    Challenger,
    Defender
}

/// @notice How a dispute was decided.
enum DisputeOutcome {
    Undecided,
    ChallengerWon,
    DefenderWon
}

/// @notice What decided a dispute.
enum DisputeReason {
    None,
    InputMismatch, // the defender's tensor 0 is not the committed input's tensor root
    OutputMismatch, // the defender's last tensor is not the committed output's tensor root
    OneStep, // the one-step executor recomputed the picked value
    Timeout // the side to move used up its clock
}

/// @notice One dispute over one result leaf, as stored.
/// @dev The clocks share the first slot with turnStartedAt and the phase, which are never zero in
///      an open dispute, so every move rewrites one non-zero slot: its gas does not depend on the
///      time taken (a gas estimate made on the previous block stays enough).
struct Dispute {
    // slot: whose turn since when, both clocks, where the game is
    uint64 turnStartedAt;
    uint64 challengerClockUsed;
    uint64 defenderClockUsed;
    DisputePhase phase;
    DisputeOutcome outcome;
    DisputeReason reason;
    uint32 stepCount;
    // slot: who challenged and what it picked
    address challenger;
    uint32 stepIndex;
    uint32 chunkIndex;
    uint32 chunkCount;
    // slot: the worker the leaf names (the defender's beneficiary) and the picked step's output length
    address worker;
    uint64 outputLength;
    // the leaf and the commitments every move is checked against
    uint256 batchId;
    bytes32 leafHash;
    bytes32 requestId;
    bytes32 inputCommitment;
    bytes32 outputCommitment;
    bytes32 traceCommitment;
    bytes32 stepsRoot;
    bytes32 parametersRoot;
}

/// @title IDisputeGame
/// @notice The optimistic-mode dispute game over one committed result leaf: a bisection from the
///         committed trace (tensor roots) to one step, one chunk of 16 values and one value, which
///         the one-step executor recomputes on-chain. Anyone may open any number of disputes on a
///         leaf while its batch's challenge window is open, each with its own bond, clocks and
///         moves, until one of them is decided for its challenger (the leaf is refuted, for good).
///         See docs/disputes.md.
interface IDisputeGame {
    event DisputeOpened(
        uint256 indexed disputeId,
        uint256 indexed batchId,
        bytes32 indexed leafHash,
        bytes32 requestId,
        address worker,
        address challenger,
        uint256 bond
    );
    event TraceRevealed(uint256 indexed disputeId, address indexed by, bytes32[] tensorRoots);
    event BoundaryChallenged(uint256 indexed disputeId, bool isOutput, bytes32 claimedRoot, bytes32 computedRoot);
    event StepPicked(uint256 indexed disputeId, uint256 stepIndex, uint256 outputLength, uint256 chunkCount);
    event ChunksRevealed(uint256 indexed disputeId, address indexed by, bytes32[] chunkLeaves);
    event ChunkPicked(uint256 indexed disputeId, uint256 chunkIndex);
    event ChunkValuesRevealed(uint256 indexed disputeId, address indexed by, int256[16] values);
    event OneStepExecuted(uint256 indexed disputeId, uint256 element, int256 claimed, int256 computed);
    event DisputeResolved(uint256 indexed disputeId, bool defenderWon, DisputeReason reason);
    event BondCredited(uint256 indexed disputeId, address indexed to, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    /// @notice The first dispute decided for its challenger on `leafHash`: the leaf is wrong and
    ///         can never be disputed again.
    event LeafRefuted(bytes32 indexed leafHash, uint256 indexed disputeId);

    error DisputeGame_ZeroAddress();
    error DisputeGame_ZeroBond();
    error DisputeGame_ZeroClock();
    error DisputeGame_IncorrectBond(uint256 paid, uint256 required);
    error DisputeGame_UnknownBatch(uint256 batchId);
    error DisputeGame_ChallengeWindowOver(uint256 batchId, uint64 challengeEndsAt);
    error DisputeGame_LeafNotInBatch(uint256 batchId, bytes32 leafHash);
    error DisputeGame_BadWorkerSignature(bytes32 leafHash, address worker);
    error DisputeGame_ModelMismatch(bytes32 modelCommitment, bytes32 computed);
    error DisputeGame_StepCountTooLarge(uint256 stepCount);
    error DisputeGame_LeafAlreadyDiscarded(bytes32 leafHash, uint256 refutingDisputeId);
    error DisputeGame_LeafDisputeIndexOutOfRange(bytes32 leafHash, uint256 index, uint256 count);
    error DisputeGame_UnknownDispute(uint256 disputeId);
    error DisputeGame_NotInProgress(uint256 disputeId, DisputeOutcome outcome);
    error DisputeGame_WrongPhase(uint256 disputeId, DisputePhase expected, DisputePhase actual);
    error DisputeGame_NotChallenger(uint256 disputeId, address caller);
    error DisputeGame_ClockExpired(uint256 disputeId, DisputeSide side);
    error DisputeGame_ClockNotExpired(uint256 disputeId, DisputeSide side, uint256 remaining);
    error DisputeGame_TraceMismatch(uint256 disputeId, bytes32 traceCommitment, bytes32 computed);
    error DisputeGame_TraceLength(uint256 disputeId, uint256 length, uint256 expected);
    error DisputeGame_InputMismatch(uint256 disputeId, bytes32 inputCommitment, bytes32 computed);
    error DisputeGame_OutputMismatch(uint256 disputeId, bytes32 outputCommitment, bytes32 computed);
    error DisputeGame_BoundaryRootMatches(uint256 disputeId, bytes32 root);
    error DisputeGame_StepOutOfRange(uint256 disputeId, uint256 stepIndex, uint256 stepCount);
    error DisputeGame_OutputLengthTooLarge(uint256 disputeId, uint256 outputLength);
    error DisputeGame_ChunkCount(uint256 disputeId, uint256 count, uint256 expected);
    error DisputeGame_ChunksMismatch(uint256 disputeId, bytes32 tensorRoot, bytes32 computed);
    error DisputeGame_ChunkOutOfRange(uint256 disputeId, uint256 chunkIndex, uint256 chunkCount);
    error DisputeGame_ChunkValuesMismatch(uint256 disputeId, bytes32 chunkLeaf, bytes32 computed);
    error DisputeGame_OffsetOutOfRange(uint256 disputeId, uint256 offset);
    error DisputeGame_NothingToWithdraw(address account);
    error DisputeGame_TransferFailed(address to, uint256 amount);

    /// @notice Opens a dispute on one result leaf, paying exactly the challenger bond; any number
    ///         per leaf while the window is open, none once a dispute on the leaf was won by its
    ///         challenger.
    function open(
        uint256 _batchId,
        ResultLeaf calldata _leaf,
        bytes32[] calldata _leafProof,
        ModelParts calldata _parts,
        bytes calldata _workerSignature
    ) external payable returns (uint256 disputeId_);

    /// @notice Defender: reveals the trace's tensor roots (the preimage of the trace commitment).
    function revealTrace(uint256 _disputeId, bytes32[] calldata _tensorRoots) external;

    /// @notice Challenger: wins if the defender's tensor 0 is not the tensor root of the committed input.
    function challengeInput(uint256 _disputeId, int256[] calldata _input) external;

    /// @notice Challenger: wins if the defender's last tensor is not the root of the committed output.
    function challengeOutput(uint256 _disputeId, int256[] calldata _output) external;

    /// @notice Challenger: picks the step whose output it disputes.
    function pickStep(uint256 _disputeId, uint256 _stepIndex, bytes calldata _descriptor, bytes32[] calldata _descriptorProof)
        external;

    /// @notice Defender: reveals the chunk leaves of the picked step's output tensor.
    function revealChunks(uint256 _disputeId, bytes32[] calldata _chunkLeaves) external;

    /// @notice Challenger: picks the chunk it disputes.
    function pickChunk(uint256 _disputeId, uint256 _chunkIndex) external;

    /// @notice Defender: reveals the 16 values of the picked chunk.
    function revealChunkValues(uint256 _disputeId, int256[16] calldata _values) external;

    /// @notice Challenger: has the executor recompute one value of the picked chunk; decides the dispute.
    function oneStep(uint256 _disputeId, uint8 _offset, bytes calldata _witness) external;

    /// @notice Anyone: ends a dispute whose side to move used up its clock; the other side wins.
    function claimTimeout(uint256 _disputeId) external;

    /// @notice Pays the caller the bonds credited to it.
    function withdraw() external;

    /// @notice A dispute as stored.
    function disputeOf(uint256 _disputeId) external view returns (Dispute memory);

    /// @notice Every dispute opened on a leaf, oldest first (all batches). Unbounded: contracts
    ///         should use disputeCountOf and disputeIdOfLeafAt.
    function disputeIdsOf(bytes32 _leafHash) external view returns (uint256[] memory);

    /// @notice How many disputes were opened on a leaf, decided or not.
    function disputeCountOf(bytes32 _leafHash) external view returns (uint256);

    /// @notice The `_index`-th dispute opened on a leaf (0: the oldest); reverts past the end.
    ///         During host.onDisputeOpened the dispute being opened is the last one.
    function disputeIdOfLeafAt(bytes32 _leafHash, uint256 _index) external view returns (uint256);

    /// @notice How many disputes on a leaf are undecided now.
    function openDisputesOf(bytes32 _leafHash) external view returns (uint256);

    /// @notice Whether a dispute on the leaf was decided for its challenger (the leaf is wrong).
    function leafRefuted(bytes32 _leafHash) external view returns (bool);

    /// @notice The first dispute decided for its challenger on a leaf (0: none).
    function refutingDisputeOf(bytes32 _leafHash) external view returns (uint256);

    /// @notice Who is to move (None once resolved or for an unknown id).
    function turnOf(uint256 _disputeId) external view returns (DisputeSide);

    /// @notice Seconds left on a side's clock now.
    function clockRemaining(uint256 _disputeId, DisputeSide _side) external view returns (uint256);
}
