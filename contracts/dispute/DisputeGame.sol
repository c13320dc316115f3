// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {
    Dispute,
    DisputeOutcome,
    DisputePhase,
    DisputeReason,
    DisputeSide,
    IDisputeGame,
    ModelParts
} from "../interfaces/IDisputeGame.sol";
import {IDisputeHost} from "../interfaces/IDisputeHost.sol";
import {IOneStepExecutor} from "../interfaces/IOneStepExecutor.sol";
import {LibResultMerkle, ResultLeaf} from "../libraries/LibResultMerkle.sol";
import {LibSignature} from "../libraries/LibSignature.sol";
import {LibTensorRoot} from "../libraries/LibTensorRoot.sol";

/// @title DisputeGame
/// @notice Optimistic-mode disputes over committed inference results. A challenger bonds and opens
///         a dispute on a leaf of a committed batch inside the batch's challenge window; anyone may
///         open any number of disputes on the same leaf, each with its own bond, clocks and moves,
///         until one is decided for its challenger (the leaf is then refuted and closed to new
///         disputes). In each dispute the defender (anyone: the data is fixed by commitments) reveals the
///         trace's tensor roots; the challenger either shows that the first or last tensor root
///         disagrees with the committed input or output (and wins at once), or picks one step; the
///         defender reveals that step's output chunk leaves; the challenger picks one chunk; the
///         defender reveals its 16 values; the challenger has the one-step executor recompute one of
///         them, which decides the dispute. Each side has a chess clock of maxClockSeconds; a side
///         that lets its clock run out loses (claimTimeout). A challenger that wins gets its bond
///         back and the host slashes the worker; a challenger that loses pays its bond to the
///         leaf's worker. Payments are pulled (withdraw).
/// @dev Soundness. The executor reads a step's inputs from the DEFENDER's own tensor roots, so the
///      game checks the defender's trace for internal consistency, step by step, plus its two ends:
///      - A defender whose tensor 0 is the input's tensor root (else challengeInput wins), whose
///        every step output is what the step computes from the earlier tensors of the same trace
///        (else some value of some chunk of some step is wrong, and oneStep on it wins), has the
///        correct last tensor by induction, which must be the committed output's root (else
///        challengeOutput wins). So a wrong leaf always has a winning line for the challenger.
///      - An honest challenger finds it: it recomputes the trace, picks the FIRST step whose root
///        differs from its own (the defender's inputs to that step are then honest values it
///        knows, so it can build the executor's witness), a chunk whose leaf differs, and a value
///        that differs; the executor returns the honest value, which is not the defender's.
///      - A correct leaf has no winning line for a challenger: every challenge reverts (no loss,
///        no turn change) and every one-step returns the defender's value.
///      Defender moves are permissionless: each has exactly one valid argument (a preimage of a
///      commitment the worker signed), so nobody can play a defender's move badly.
///      Several disputes per leaf. If a leaf could be disputed only once, a worker could shield a
///      wrong leaf by opening the dispute itself (or front-running an honest challenger) and losing
///      it on purpose. Here no dispute bars another: while the window is open an honest challenger
///      can always open its own dispute, which it wins whatever the others do, and the host holds
///      the result while any dispute on the leaf is open and discards it at the first challenger win.
///      A correct leaf costs every challenger its bond, paid to the worker that answered.
///      Clocks follow FaultDisputeGame's chess clock: only the clock of the side to move runs; a
///      move needs time left on the mover's clock, claimTimeout needs none left, so at any instant
///      exactly one of the two is possible.
contract DisputeGame is IDisputeGame {
    /// @notice Values per chunk of a tensor (LibTensorRoot.CHUNK_SIZE).
    uint256 public constant CHUNK_SIZE_VALUES = 16;

    /// @notice The Settlement (or any host) holding batches, stakes and the results' fate.
    IDisputeHost public immutable host;
    /// @notice The one-step executor that recomputes one value of one step.
    IOneStepExecutor public immutable executor;
    /// @notice The exact bond a challenger pays to open a dispute, in wei.
    uint256 public immutable challengerBondWei;
    /// @notice Seconds each side may spend, in total, on its moves in one dispute.
    uint64 public immutable maxClockSeconds;

    /// @notice Disputes opened so far; ids run from 1.
    uint256 public disputeCount;
    /// @notice Bonds credited to each account, paid out by withdraw.
    mapping(address account => uint256) public claimable;
    /// @inheritdoc IDisputeGame
    mapping(bytes32 leafHash => uint256) public openDisputesOf;
    /// @inheritdoc IDisputeGame
    mapping(bytes32 leafHash => uint256) public refutingDisputeOf;

    mapping(bytes32 leafHash => uint256[]) private _disputeIdsOf;

    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(uint256 disputeId => bytes32[]) private _tensorRootsOf;
    mapping(uint256 disputeId => bytes32[]) private _chunkLeavesOf;
    mapping(uint256 disputeId => int256[16]) private _chunkValuesOf;

    /// @param _host The dispute host (Settlement).
    /// @param _executor The one-step executor.
    /// @param _challengerBondWei The exact challenger bond (non-zero).
    /// @param _maxClockSeconds Each side's total thinking time per dispute (non-zero).
    constructor(IDisputeHost _host, IOneStepExecutor _executor, uint256 _challengerBondWei, uint64 _maxClockSeconds) {
        if (address(_host) == address(0) || address(_executor) == address(0)) revert DisputeGame_ZeroAddress();
        if (_challengerBondWei == 0) revert DisputeGame_ZeroBond();
        if (_maxClockSeconds == 0) revert DisputeGame_ZeroClock();
        host = _host;
        executor = _executor;
        challengerBondWei = _challengerBondWei;
        maxClockSeconds = _maxClockSeconds;
    }

    /// @notice Opens a dispute on one result leaf, paying exactly the challenger bond. The caller
    ///         becomes the challenger; the defender moves next (revealTrace). Any number of
    ///         disputes may be opened on a leaf, by anyone, while the window is open, until one of
    ///         them is decided for its challenger (then DisputeGame_LeafAlreadyDiscarded).
    /// @param _batchId The committed batch holding the leaf.
    /// @param _leaf The disputed leaf's six fields.
    /// @param _leafProof Sibling hashes from the leaf up to the batch root (LibResultMerkle).
    /// @param _parts The preimage of `_leaf.modelCommitment`.
    /// @param _workerSignature `_leaf.worker`'s EIP-712 signature of host.resultDigest(_leaf).
    /// @return disputeId_ The new dispute's id.
    function open(
        uint256 _batchId,
        ResultLeaf calldata _leaf,
        bytes32[] calldata _leafProof,
        ModelParts calldata _parts,
        bytes calldata _workerSignature
    ) external payable returns (uint256 disputeId_) {
        // INVARIANT: a dispute is paid for with exactly one challenger bond, no more, no less.
        if (msg.value != challengerBondWei) revert DisputeGame_IncorrectBond(msg.value, challengerBondWei);
        (bytes32 root, uint64 challengeEndsAt) = host.batchRootAndWindow(_batchId);
        if (root == bytes32(0)) revert DisputeGame_UnknownBatch(_batchId);
        // INVARIANT: a dispute opens only inside the batch's challenge window.
        if (block.timestamp >= challengeEndsAt) revert DisputeGame_ChallengeWindowOver(_batchId, challengeEndsAt);
        bytes32 leafHash = LibResultMerkle.hashLeaf(_leaf);
        // INVARIANT: only a leaf committed in the batch is disputed.
        if (!LibResultMerkle.verify(_leafProof, root, leafHash)) revert DisputeGame_LeafNotInBatch(_batchId, leafHash);
        // INVARIANT: a leaf a dispute found wrong is never disputed again (the host discarded it).
        // Any other leaf may be disputed by anyone, any number of times, while the window is open,
        // whatever other disputes on it are open or were decided for the defender: no dispute,
        // however its challenger plays it, can keep an honest challenger from opening its own.
        uint256 refutedBy = refutingDisputeOf[leafHash];
        if (refutedBy != 0) revert DisputeGame_LeafAlreadyDiscarded(leafHash, refutedBy);
        // INVARIANT: only a leaf its worker signed is disputed, so a committer cannot have a worker
        // slashed for a result it never produced.
        address signer = LibSignature.recover(host.resultDigest(_leaf), _workerSignature);
        if (signer == address(0) || signer != _leaf.worker) revert DisputeGame_BadWorkerSignature(leafHash, _leaf.worker);
        // INVARIANT: the model parts the game checks against are the ones the leaf commits to.
        bytes32 modelCommitment = keccak256(abi.encode(_parts));
        if (modelCommitment != _leaf.modelCommitment) {
            revert DisputeGame_ModelMismatch(_leaf.modelCommitment, modelCommitment);
        }
        if (_parts.stepCount > type(uint32).max) revert DisputeGame_StepCountTooLarge(_parts.stepCount);

        disputeId_ = ++disputeCount;
        // INVARIANT: openDisputesOf counts exactly the undecided disputes on a leaf; the dispute
        // is recorded (and counted) before the host is called, so the host can read it as the
        // leaf's last dispute.
        _disputeIdsOf[leafHash].push(disputeId_);
        ++openDisputesOf[leafHash];
        Dispute storage dispute = _disputes[disputeId_];
        dispute.challenger = msg.sender;
        // INVARIANT: the defender moves first; its clock starts now.
        dispute.turnStartedAt = uint64(block.timestamp);
        dispute.phase = DisputePhase.AwaitTrace;
        dispute.worker = _leaf.worker;
        dispute.stepCount = uint32(_parts.stepCount);
        dispute.batchId = _batchId;
        dispute.leafHash = leafHash;
        dispute.requestId = _leaf.requestId;
        dispute.inputCommitment = _leaf.inputCommitment;
        dispute.outputCommitment = _leaf.outputCommitment;
        dispute.traceCommitment = _leaf.traceCommitment;
        dispute.stepsRoot = _parts.stepsRoot;
        dispute.parametersRoot = _parts.parametersRoot;
        emit DisputeOpened(disputeId_, _batchId, leafHash, _leaf.requestId, _leaf.worker, msg.sender, msg.value);
        // INVARIANT: the host holds the result (never finalizes it) while any dispute on the leaf is
        // open; it is told of every dispute, one call each.
        host.onDisputeOpened(_batchId, leafHash, _leaf.requestId);
    }

    /// @notice Defender (anyone): reveals the trace's tensor roots, the preimage of the leaf's trace
    ///         commitment: `_tensorRoots[0]` is the input's tensor root, `_tensorRoots[i + 1]` step i's.
    /// @param _disputeId The dispute.
    /// @param _tensorRoots stepCount + 1 tensor roots.
    function revealTrace(uint256 _disputeId, bytes32[] calldata _tensorRoots) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitTrace);
        // INVARIANT: the trace is exactly the committed one: stepCount + 1 roots hashing to the
        // leaf's trace commitment.
        if (_tensorRoots.length != uint256(dispute.stepCount) + 1) {
            revert DisputeGame_TraceLength(_disputeId, _tensorRoots.length, uint256(dispute.stepCount) + 1);
        }
        bytes32 computed = keccak256(abi.encode(_tensorRoots));
        if (computed != dispute.traceCommitment) {
            revert DisputeGame_TraceMismatch(_disputeId, dispute.traceCommitment, computed);
        }
        _tensorRootsOf[_disputeId] = _tensorRoots;
        dispute.phase = DisputePhase.AwaitStep;
        emit TraceRevealed(_disputeId, msg.sender, _tensorRoots);
    }

    /// @notice Challenger: wins at once when `_input` is the committed input but its tensor root is
    ///         not the defender's tensor 0. Reverts (and costs nothing) otherwise.
    /// @param _disputeId The dispute.
    /// @param _input The committed input values (keccak256(abi.encode(_input)) == inputCommitment).
    function challengeInput(uint256 _disputeId, int256[] calldata _input) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitStep);
        // INVARIANT: the boundary is checked against the committed input, nothing else.
        bytes32 computed = keccak256(abi.encode(_input));
        if (computed != dispute.inputCommitment) {
            revert DisputeGame_InputMismatch(_disputeId, dispute.inputCommitment, computed);
        }
        _challengeBoundary(_disputeId, dispute, 0, LibTensorRoot.root(_input), false);
    }

    /// @notice Challenger: wins at once when `_output` is the committed output but its tensor root
    ///         is not the defender's last tensor. Reverts (and costs nothing) otherwise.
    /// @param _disputeId The dispute.
    /// @param _output The committed output values (keccak256(abi.encode(_output)) == outputCommitment).
    function challengeOutput(uint256 _disputeId, int256[] calldata _output) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitStep);
        // INVARIANT: the boundary is checked against the committed output, nothing else.
        bytes32 computed = keccak256(abi.encode(_output));
        if (computed != dispute.outputCommitment) {
            revert DisputeGame_OutputMismatch(_disputeId, dispute.outputCommitment, computed);
        }
        _challengeBoundary(_disputeId, dispute, dispute.stepCount, LibTensorRoot.root(_output), true);
    }

    /// @notice Challenger: picks the step whose output it disputes, proving the step's descriptor
    ///         against the model's steps root (the executor returns the output length).
    /// @param _disputeId The dispute.
    /// @param _stepIndex The step (below stepCount); its output is tensor `_stepIndex + 1`.
    /// @param _descriptor The step's descriptor (docs/semantics.md section 11).
    /// @param _descriptorProof Its Merkle proof against stepsRoot.
    function pickStep(uint256 _disputeId, uint256 _stepIndex, bytes calldata _descriptor, bytes32[] calldata _descriptorProof)
        external
    {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitStep);
        if (_stepIndex >= dispute.stepCount) revert DisputeGame_StepOutOfRange(_disputeId, _stepIndex, dispute.stepCount);
        // INVARIANT: the output length (hence the chunk count) comes from the committed step list.
        uint256 outputLength = executor.stepOutputLength(dispute.stepsRoot, _stepIndex, _descriptor, _descriptorProof);
        if (outputLength > type(uint32).max) revert DisputeGame_OutputLengthTooLarge(_disputeId, outputLength);
        uint256 chunkCount = (outputLength + CHUNK_SIZE_VALUES - 1) / CHUNK_SIZE_VALUES;
        dispute.stepIndex = uint32(_stepIndex);
        dispute.outputLength = uint64(outputLength);
        dispute.chunkCount = uint32(chunkCount);
        dispute.phase = DisputePhase.AwaitChunks;
        emit StepPicked(_disputeId, _stepIndex, outputLength, chunkCount);
    }

    /// @notice Defender (anyone): reveals the chunk leaves of the picked step's output tensor.
    /// @param _disputeId The dispute.
    /// @param _chunkLeaves ceil(outputLength / 16) leaves whose tree root is tensor stepIndex + 1.
    function revealChunks(uint256 _disputeId, bytes32[] calldata _chunkLeaves) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitChunks);
        // INVARIANT: the chunk leaves are exactly those under the defender's own tensor root.
        if (_chunkLeaves.length != dispute.chunkCount) {
            revert DisputeGame_ChunkCount(_disputeId, _chunkLeaves.length, dispute.chunkCount);
        }
        bytes32 tensorRoot = _tensorRootsOf[_disputeId][uint256(dispute.stepIndex) + 1];
        bytes32 computed = LibTensorRoot.rootFromLeaves(_chunkLeaves);
        if (computed != tensorRoot) revert DisputeGame_ChunksMismatch(_disputeId, tensorRoot, computed);
        _chunkLeavesOf[_disputeId] = _chunkLeaves;
        dispute.phase = DisputePhase.AwaitChunk;
        emit ChunksRevealed(_disputeId, msg.sender, _chunkLeaves);
    }

    /// @notice Challenger: picks the chunk of the step's output it disputes.
    /// @param _disputeId The dispute.
    /// @param _chunkIndex The chunk (below the chunk count).
    function pickChunk(uint256 _disputeId, uint256 _chunkIndex) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitChunk);
        if (_chunkIndex >= dispute.chunkCount) {
            revert DisputeGame_ChunkOutOfRange(_disputeId, _chunkIndex, dispute.chunkCount);
        }
        dispute.chunkIndex = uint32(_chunkIndex);
        dispute.phase = DisputePhase.AwaitChunkValues;
        emit ChunkPicked(_disputeId, _chunkIndex);
    }

    /// @notice Defender (anyone): reveals the 16 values of the picked chunk (zero past the end).
    /// @param _disputeId The dispute.
    /// @param _values The chunk's values; chunkLeaf(chunkIndex, _values) must be the revealed leaf.
    function revealChunkValues(uint256 _disputeId, int256[16] calldata _values) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitChunkValues);
        // INVARIANT: the values are exactly those under the defender's own chunk leaf.
        bytes32 chunkLeaf = _chunkLeavesOf[_disputeId][dispute.chunkIndex];
        bytes32 computed = LibTensorRoot.chunkLeaf(dispute.chunkIndex, _values);
        if (computed != chunkLeaf) revert DisputeGame_ChunkValuesMismatch(_disputeId, chunkLeaf, computed);
        _chunkValuesOf[_disputeId] = _values;
        dispute.phase = DisputePhase.AwaitOneStep;
        emit ChunkValuesRevealed(_disputeId, msg.sender, _values);
    }

    /// @notice Challenger: has the executor recompute value `_offset` of the picked chunk from the
    ///         defender's own tensor roots. A different value: the challenger wins; the same: the
    ///         defender wins. Either way the dispute is decided. A witness the executor refuses
    ///         reverts the call (the challenger may retry while its clock runs).
    /// @param _disputeId The dispute.
    /// @param _offset The value's position in the chunk (below 16).
    /// @param _witness The executor's witness (descriptor, input and parameter chunks with proofs).
    function oneStep(uint256 _disputeId, uint8 _offset, bytes calldata _witness) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitOneStep);
        if (_offset >= CHUNK_SIZE_VALUES) revert DisputeGame_OffsetOutOfRange(_disputeId, _offset);
        uint256 element = uint256(dispute.chunkIndex) * CHUNK_SIZE_VALUES + _offset;
        // INVARIANT: the one-step reads the step's inputs from the defender's own tensor roots and
        // is conclusive: the game's outcome is whether the defender's value is what the step computes.
        int256 computed = executor.executeElement(
            dispute.stepsRoot, dispute.parametersRoot, _tensorRootsOf[_disputeId], dispute.stepIndex, element, _witness
        );
        int256 claimed = _chunkValuesOf[_disputeId][_offset];
        emit OneStepExecuted(_disputeId, element, claimed, computed);
        _resolve(_disputeId, dispute, computed == claimed, DisputeReason.OneStep);
    }

    /// @notice Anyone: ends a dispute whose side to move has used up its clock; the other side wins.
    /// @param _disputeId The dispute.
    function claimTimeout(uint256 _disputeId) external {
        Dispute storage dispute = _inProgress(_disputeId);
        DisputeSide side = _turn(dispute.phase);
        uint256 remaining = _remaining(dispute, side);
        // INVARIANT: a side loses on time only once its whole clock is used up.
        if (remaining != 0) revert DisputeGame_ClockNotExpired(_disputeId, side, remaining);
        if (side == DisputeSide.Challenger) dispute.challengerClockUsed = maxClockSeconds;
        else dispute.defenderClockUsed = maxClockSeconds;
        _resolve(_disputeId, dispute, side == DisputeSide.Challenger, DisputeReason.Timeout);
    }

    /// @notice Pays the caller every bond credited to it.
    function withdraw() external {
        uint256 amount = claimable[msg.sender];
        if (amount == 0) revert DisputeGame_NothingToWithdraw(msg.sender);
        claimable[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool success,) = msg.sender.call{value: amount}("");
        if (!success) revert DisputeGame_TransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IDisputeGame
    function disputeOf(uint256 _disputeId) external view returns (Dispute memory) {
        return _disputes[_disputeId];
    }

    /// @notice The tensor roots the defender revealed (empty before revealTrace).
    function tensorRootsOf(uint256 _disputeId) external view returns (bytes32[] memory) {
        return _tensorRootsOf[_disputeId];
    }

    /// @notice The chunk leaves the defender revealed for the picked step (empty before revealChunks).
    function chunkLeavesOf(uint256 _disputeId) external view returns (bytes32[] memory) {
        return _chunkLeavesOf[_disputeId];
    }

    /// @notice The values the defender revealed for the picked chunk (zeros before revealChunkValues).
    function chunkValuesOf(uint256 _disputeId) external view returns (int256[16] memory) {
        return _chunkValuesOf[_disputeId];
    }

    /// @inheritdoc IDisputeGame
    function disputeIdsOf(bytes32 _leafHash) external view returns (uint256[] memory) {
        return _disputeIdsOf[_leafHash];
    }

    /// @inheritdoc IDisputeGame
    function disputeCountOf(bytes32 _leafHash) external view returns (uint256) {
        return _disputeIdsOf[_leafHash].length;
    }

    /// @inheritdoc IDisputeGame
    function disputeIdOfLeafAt(bytes32 _leafHash, uint256 _index) external view returns (uint256) {
        uint256[] storage ids = _disputeIdsOf[_leafHash];
        if (_index >= ids.length) revert DisputeGame_LeafDisputeIndexOutOfRange(_leafHash, _index, ids.length);
        return ids[_index];
    }

    /// @inheritdoc IDisputeGame
    function leafRefuted(bytes32 _leafHash) external view returns (bool) {
        return refutingDisputeOf[_leafHash] != 0;
    }

    /// @inheritdoc IDisputeGame
    function turnOf(uint256 _disputeId) external view returns (DisputeSide) {
        return _turn(_disputes[_disputeId].phase);
    }

    /// @inheritdoc IDisputeGame
    function clockRemaining(uint256 _disputeId, DisputeSide _side) external view returns (uint256) {
        Dispute storage dispute = _disputes[_disputeId];
        if (dispute.phase == DisputePhase.None) revert DisputeGame_UnknownDispute(_disputeId);
        return _remaining(dispute, _side);
    }

    /// @dev Starts a move: the dispute exists and is in progress, it is in `_phase`, a challenger
    ///      move comes from the challenger, and the mover's clock has time left; charges the mover
    ///      the time since its turn began and starts the next turn now. The caller sets the phase.
    function _move(uint256 _disputeId, DisputePhase _phase) private returns (Dispute storage dispute_) {
        dispute_ = _inProgress(_disputeId);
        // INVARIANT: moves come in the fixed order of the phases, one per turn.
        if (dispute_.phase != _phase) revert DisputeGame_WrongPhase(_disputeId, _phase, dispute_.phase);
        DisputeSide side = _turn(_phase);
        // INVARIANT: only the challenger makes challenger moves; defender moves are open to anyone.
        if (side == DisputeSide.Challenger && msg.sender != dispute_.challenger) {
            revert DisputeGame_NotChallenger(_disputeId, msg.sender);
        }
        // INVARIANT: only the side to move spends time, and it may move only while its clock runs.
        uint64 used = (side == DisputeSide.Challenger ? dispute_.challengerClockUsed : dispute_.defenderClockUsed)
            + (uint64(block.timestamp) - dispute_.turnStartedAt);
        if (used >= maxClockSeconds) revert DisputeGame_ClockExpired(_disputeId, side);
        if (side == DisputeSide.Challenger) dispute_.challengerClockUsed = used;
        else dispute_.defenderClockUsed = used;
        dispute_.turnStartedAt = uint64(block.timestamp);
    }

    function _inProgress(uint256 _disputeId) private view returns (Dispute storage dispute_) {
        dispute_ = _disputes[_disputeId];
        if (dispute_.phase == DisputePhase.None) revert DisputeGame_UnknownDispute(_disputeId);
        // INVARIANT: a decided dispute is decided forever: no move, no timeout, no second payout.
        if (dispute_.outcome != DisputeOutcome.Undecided) revert DisputeGame_NotInProgress(_disputeId, dispute_.outcome);
    }

    /// @dev Challenger wins when the root it computed from committed data differs from the
    ///      defender's tensor `_tensor`; reverts (no loss) when they agree.
    function _challengeBoundary(
        uint256 _disputeId,
        Dispute storage _dispute,
        uint256 _tensor,
        bytes32 _computedRoot,
        bool _isOutput
    ) private {
        bytes32 claimed = _tensorRootsOf[_disputeId][_tensor];
        if (claimed == _computedRoot) revert DisputeGame_BoundaryRootMatches(_disputeId, claimed);
        emit BoundaryChallenged(_disputeId, _isOutput, claimed, _computedRoot);
        _resolve(
            _disputeId, _dispute, false, _isOutput ? DisputeReason.OutputMismatch : DisputeReason.InputMismatch
        );
    }

    /// @dev Decides the dispute, updates the leaf's record, credits the bond to the winner's side
    ///      and tells the host, once.
    function _resolve(uint256 _disputeId, Dispute storage _dispute, bool _defenderWon, DisputeReason _reason) private {
        _dispute.phase = DisputePhase.Resolved;
        _dispute.outcome = _defenderWon ? DisputeOutcome.DefenderWon : DisputeOutcome.ChallengerWon;
        _dispute.reason = _reason;
        address challenger = _dispute.challenger;
        address worker = _dispute.worker;
        bytes32 leafHash = _dispute.leafHash;
        // INVARIANT: openDisputesOf counts exactly the undecided disputes on a leaf.
        --openDisputesOf[leafHash];
        // INVARIANT: the first challenger win refutes the leaf for good; a defender win decides
        // its own dispute only and says nothing about the leaf's other disputes.
        if (!_defenderWon && refutingDisputeOf[leafHash] == 0) {
            refutingDisputeOf[leafHash] = _disputeId;
            emit LeafRefuted(leafHash, _disputeId);
        }
        // INVARIANT: each bond is paid out exactly once: back to its winning challenger, or to the
        // leaf's worker when the defender wins that dispute.
        address payee = _defenderWon ? worker : challenger;
        claimable[payee] += challengerBondWei;
        emit DisputeResolved(_disputeId, _defenderWon, _reason);
        emit BondCredited(_disputeId, payee, challengerBondWei);
        // INVARIANT: the host learns each outcome exactly once, after the game's state is final.
        host.onDisputeResolved(
            _dispute.batchId, leafHash, _dispute.requestId, worker, _defenderWon, challenger
        );
    }

    function _turn(DisputePhase _phase) private pure returns (DisputeSide) {
        if (_phase == DisputePhase.AwaitTrace || _phase == DisputePhase.AwaitChunks || _phase == DisputePhase.AwaitChunkValues) {
            return DisputeSide.Defender;
        }
        if (_phase == DisputePhase.AwaitStep || _phase == DisputePhase.AwaitChunk || _phase == DisputePhase.AwaitOneStep) {
            return DisputeSide.Challenger;
        }
        return DisputeSide.None;
    }

    /// @dev Seconds left on `_side`'s clock: its recorded use plus, while it is to move, the time
    ///      since its turn began; never below zero.
    function _remaining(Dispute storage _dispute, DisputeSide _side) private view returns (uint256) {
        uint256 used;
        if (_side == DisputeSide.Challenger) used = _dispute.challengerClockUsed;
        else if (_side == DisputeSide.Defender) used = _dispute.defenderClockUsed;
        else return 0;
        if (_dispute.outcome == DisputeOutcome.Undecided && _turn(_dispute.phase) == _side) {
            used += block.timestamp - _dispute.turnStartedAt;
        }
        return used >= maxClockSeconds ? 0 : maxClockSeconds - used;
    }
}
