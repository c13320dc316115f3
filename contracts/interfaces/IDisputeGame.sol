// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ResultLeaf} from "../libraries/LibResultMerkle.sol";

/// @notice The preimage of a model commitment (docs/semantics.md, format v2, unchanged in v3):
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
    AwaitTracePage, // defender: revealTracePage (the descendants of the current trace node)
    AwaitTracePick, // challenger: pickTraceNode
    AwaitChunkPage, // defender: revealChunkPage (the descendants of the current chunk node)
    AwaitChunkPick, // challenger: pickChunkNode
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

/// @notice One dispute over one result leaf, as stored: the game keeps the node the descent has
///         reached, never the revealed pages (they are in the events).
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
    // slot: who challenged, the picked step, its chunk count, the current node's height
    address challenger;
    uint32 stepIndex;
    uint32 chunkCount;
    uint8 nodeHeight;
    // slot: the worker the leaf names (the defender's beneficiary), the picked step's output length and chunk
    address worker;
    uint64 outputLength;
    uint32 chunkIndex;
    // slot: the current node's index at its height (trace tree, then the step's chunk tree)
    uint64 nodeIndex;
    // the current node: of the trace tree, then of the picked step's output tensor (chunk tree)
    bytes32 node;
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
/// @notice The optimistic-mode dispute game over one committed result leaf: a paged descent of the
///         committed trace tree (leaves: tensor roots) to one step, of that step's output tree to
///         one chunk of 16 values, then one value, which the one-step executor recomputes on-chain. Anyone may open any number of disputes on a
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
    /// @notice A page of the trace tree: the 2^k descendants, of height `height`, of the node
    ///         (height + k, parentIndex); the first has index parentIndex * 2^k.
    event TracePageRevealed(uint256 indexed disputeId, address indexed by, uint256 height, uint256 parentIndex, bytes32[] nodes);
    /// @notice The challenger's pick: the node (height, index) of the trace tree is the current one.
    event TraceNodePicked(uint256 indexed disputeId, uint256 height, uint256 index, bytes32 node);
    event BoundaryChallenged(uint256 indexed disputeId, bool isOutput, bytes32 claimedRoot, bytes32 committedRoot);
    event StepPicked(uint256 indexed disputeId, uint256 stepIndex, uint256 outputLength, uint256 chunkCount);
    /// @notice A page of the picked step's output tensor tree (as TracePageRevealed).
    event ChunkPageRevealed(uint256 indexed disputeId, address indexed by, uint256 height, uint256 parentIndex, bytes32[] nodes);
    event ChunkNodePicked(uint256 indexed disputeId, uint256 height, uint256 index, bytes32 node);
    event ChunkValuesRevealed(uint256 indexed disputeId, address indexed by, uint256 chunkIndex, int256[16] values);
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
    error DisputeGame_PageSize(uint256 disputeId, uint256 size, uint256 expected);
    error DisputeGame_PageMismatch(uint256 disputeId, bytes32 node, bytes32 computed);
    error DisputeGame_PickOutOfPage(uint256 disputeId, uint256 position, uint256 pageSize);
    error DisputeGame_PickProof(uint256 disputeId, uint256 position, bytes32 node);
    error DisputeGame_PaddingPicked(uint256 disputeId, uint256 height, uint256 index, uint256 leafCount);
    error DisputeGame_BoundaryRootMatches(uint256 disputeId, bytes32 root);
    error DisputeGame_OutputLengthTooLarge(uint256 disputeId, uint256 outputLength);
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

    /// @notice Defender (anyone): reveals the 2^k descendants of the current trace node,
    ///         k = min(PAGE_DEPTH, its height).
    function revealTracePage(uint256 _disputeId, bytes32[] calldata _nodes) external;

    /// @notice Challenger: makes node `_position` of the last trace page the current node (a k-level
    ///         proof against the current node). At the leaf level it decides a boundary (leaf 0
    ///         against the input commitment, the last leaf against the output commitment) or picks
    ///         step leaf - 1, whose descriptor it proves against stepsRoot.
    function pickTraceNode(
        uint256 _disputeId,
        uint256 _position,
        bytes32 _node,
        bytes32[] calldata _siblings,
        bytes calldata _descriptor,
        bytes32[] calldata _descriptorProof
    ) external;

    /// @notice Defender (anyone): reveals the 2^k descendants of the current node of the step's output tree.
    function revealChunkPage(uint256 _disputeId, bytes32[] calldata _nodes) external;

    /// @notice Challenger: makes node `_position` of the last chunk page the current node.
    function pickChunkNode(uint256 _disputeId, uint256 _position, bytes32 _node, bytes32[] calldata _siblings) external;

    /// @notice Defender (anyone): reveals the 16 values of the picked chunk (checked against its leaf).
    function revealChunkValues(uint256 _disputeId, int256[16] calldata _values) external;

    /// @notice Challenger: has the executor recompute value `_offset` of the picked chunk; decides
    ///         the dispute. `_values` are the revealed values (checked against the chunk leaf again).
    function oneStep(uint256 _disputeId, uint8 _offset, int256[16] calldata _values, bytes calldata _witness) external;

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
