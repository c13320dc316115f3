// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RequestStatus} from "./IVerityResults.sol";
import {ResultLeaf} from "../libraries/LibResultMerkle.sol";

/// @title ISettlement
/// @notice The Settlement's records, events and errors: on-chain requests, result batches, their
///         reveal and finality, and the dispute game's host side (IDisputeHost).
interface ISettlement {
    /// @notice A committed batch of result leaves.
    struct Batch {
        bytes32 root;
        uint64 committedAt;
        uint32 count;
    }

    /// @notice A request as stored. The status shares one storage word with the attribution of its
    ///         result (worker, reveal time), so reveal, finalize, zk settlement and disputes each
    ///         rewrite one word.
    struct Request {
        bytes32 modelCommitment;
        bytes32 inputCommitment;
        RequestStatus status;
        uint8 mode;
        /// @dev When the recorded result was revealed (0: none, or a zk result).
        uint64 revealedAt;
        /// @dev The worker whose result is recorded (a zk result: the proof's beneficiary).
        address worker;
        address callback;
        uint32 callbackGasLimit;
        /// @dev zk mode: the model's zk circuit count at request time; only those circuits may settle it.
        uint32 zkCircuitCount;
        /// @dev The whole fee paid, and the part of it that reimburses the committer's gas
        ///      (optimistic mode; see Settlement.requiredFee).
        uint128 fee;
        uint128 gasFee;
        address requester;
    }

    event DisputeGameSet(address indexed disputeGame);
    event ZkSettlementSet(address indexed zkSettlement);
    /// @notice A zk request pinned the proving key that may settle it (requestZkInference).
    event ZkeyPinned(bytes32 indexed requestId, bytes32 zkeyHash);
    event InferenceRequested(
        bytes32 indexed requestId,
        address indexed requester,
        bytes32 indexed modelCommitment,
        bytes32 inputCommitment,
        int256[] input,
        uint8 mode,
        address callback,
        uint32 callbackGasLimit,
        uint256 fee
    );
    event BatchCommitted(uint256 indexed batchId, bytes32 root, uint32 count);
    event ResultRevealed(
        bytes32 indexed requestId, uint256 indexed batchId, address indexed worker, bytes32 outputCommitment, uint64 challengeEndsAt
    );
    /// @notice A dispute opened on `leafHash`; `resultHeld`: this dispute moved the leaf's pending
    ///         result to Disputed (finalize refuses it until every dispute on the leaf is decided).
    event LeafDisputed(
        uint256 indexed batchId, bytes32 indexed leafHash, bytes32 indexed requestId, address worker, bool resultHeld
    );
    /// @notice One dispute on `leafHash` is decided; `slashed` wei of the worker's stake were
    ///         credited to `challenger` in the Escrow (0 when the defender won or the leaf was
    ///         already discarded).
    event LeafDisputeResolved(
        uint256 batchId,
        bytes32 indexed leafHash,
        bytes32 indexed requestId,
        address indexed worker,
        bool defenderWon,
        address challenger,
        uint256 slashed
    );
    event RequestReopened(bytes32 indexed requestId, bytes32 discardedLeaf);
    /// @notice A result is final; `fee` wei were credited to `worker` in the Escrow.
    event ResultFinalized(bytes32 indexed requestId, address indexed worker, uint256 fee);
    event ConsumerCalled(bytes32 indexed requestId, address indexed callback, bool success);

    error Settlement_ZeroChallengeWindow();
    error Settlement_ZeroCommitter();
    error Settlement_WithdrawalDelayTooShort(uint64 withdrawalDelay, uint256 required);
    error Settlement_ZeroSlashAmount();
    error Settlement_SlashAmountAboveMinimumStake(uint256 disputeSlashAmount, uint256 minimumStake);
    error Settlement_NotDeployer(address caller);
    error Settlement_DisputeGameAlreadySet(address disputeGame);
    error Settlement_DisputeGameNotContract(address disputeGame);
    error Settlement_NotDisputeGame(address caller);
    error Settlement_ZkSettlementAlreadySet(address zkSettlement);
    error Settlement_ZkSettlementNotContract(address zkSettlement);
    error Settlement_NotZkSettlement(address caller);
    error Settlement_FeeTooLow(uint256 fee, uint256 requiredFee);
    error Settlement_FeeTooHigh(uint256 fee);
    error Settlement_ModeNotAllowed(bytes32 modelCommitment, uint8 mode);
    error Settlement_InputCommitmentMismatch(bytes32 inputCommitment, bytes32 computed);
    error Settlement_InputCommitmentNotInField(bytes32 inputCommitment);
    error Settlement_CallbackGasLimitTooHigh(uint32 callbackGasLimit, uint32 maximum);
    error Settlement_UnknownZkey(bytes32 modelCommitment, bytes32 zkeyHash);
    error Settlement_NotCommitter(address caller);
    error Settlement_EmptyBatch();
    error Settlement_UnknownBatch(uint256 batchId);
    error Settlement_RevealWindowOver(uint256 batchId, uint64 deadline);
    error Settlement_InvalidProof(uint256 batchId, bytes32 leaf);
    error Settlement_LeafDiscarded(bytes32 leaf);
    error Settlement_LeafUnderDispute(bytes32 leaf);
    error Settlement_BadWorkerSignature(bytes32 requestId, address worker);
    error Settlement_OutputMismatch(bytes32 requestId, bytes32 outputCommitment, bytes32 computed);
    error Settlement_OutputLength(bytes32 requestId, uint256 length, uint256 expected);
    error Settlement_NotOpen(bytes32 requestId, RequestStatus status);
    error Settlement_LeafRequestMismatch(bytes32 requestId);
    error Settlement_ZkModeNeedsProof(bytes32 requestId);
    error Settlement_WorkerNotActive(address worker);
    error Settlement_NotPending(bytes32 requestId, RequestStatus status);
    error Settlement_ChallengeWindowOpen(bytes32 requestId, uint64 challengeEndsAt);
    error Settlement_InsufficientGasForCallback(bytes32 requestId, uint32 callbackGasLimit);
    error Settlement_NotZkRequest(bytes32 requestId);
    error Settlement_ZkRequestMismatch(bytes32 requestId);
    error Settlement_ZkCircuitTooNew(bytes32 requestId, uint32 batchSize);
    error Settlement_ZkeyNotPinned(bytes32 requestId, bytes32 pinned, bytes32 used);

    /// @notice Sets the dispute game (a contract). Deployer only, once.
    function setDisputeGame(address _disputeGame) external;

    /// @notice Sets the ZkSettlement (a contract). Deployer only, once.
    function setZkSettlement(address _zkSettlement) external;

    /// @notice The smallest fee a request for `_modelCommitment` with `_callbackGasLimit` pays.
    function requiredFee(bytes32 _modelCommitment, uint32 _callbackGasLimit) external view returns (uint256);

    /// @notice Commits a batch of results as one Merkle root. The committer only.
    function commitBatch(bytes32 _root, uint32 _count) external returns (uint256 batchId_);

    /// @notice Reveals one result of a batch with its worker's signature. Anyone may call.
    function reveal(
        uint256 _batchId,
        ResultLeaf calldata _leaf,
        int256[] calldata _output,
        bytes32[] calldata _proof,
        bytes calldata _workerSignature
    ) external;

    /// @notice Makes a pending result final once its challenge window is over. Anyone may call.
    function finalize(bytes32 _requestId) external;

    /// @notice Whether `_leafHash` has an undecided dispute.
    function isLeafDisputed(bytes32 _leafHash) external view returns (bool);

    /// @notice How many disputes on `_leafHash` are undecided.
    function openDisputesOf(bytes32 _leafHash) external view returns (uint256);

    /// @notice Whether a dispute found `_leafHash` wrong (its result is never final).
    function isLeafDiscarded(bytes32 _leafHash) external view returns (bool);

    /// @notice The leaf hash of a result, as the off-chain Merkle builder must compute it.
    function hashResultLeaf(ResultLeaf calldata _leaf) external pure returns (bytes32);

    /// @notice A request as stored (status None for an unknown id).
    function requestOf(bytes32 _requestId) external view returns (Request memory);

    /// @notice A committed batch (committedAt 0 for an unknown id).
    function batchOf(uint256 _batchId) external view returns (Batch memory);
}
