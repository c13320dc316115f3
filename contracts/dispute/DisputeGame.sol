// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

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
///         disputes). Each dispute is a paged descent of two Merkle trees (commitment format v3):
///         the trace tree (leaves: the tensor roots of the input and of every step's output, its
///         root the leaf's traceCommitment) down to one leaf, then, when that leaf is a step's
///         output, that tensor's chunk tree down to one chunk. The defender (anyone: the data is
///         fixed by commitments) reveals a page (the 2^k descendants of the current node, k <=
///         PAGE_DEPTH), the challenger picks one node of it, and so on; at a trace leaf the
///         boundaries are checked (leaf 0 against the input commitment, the last leaf against the
///         output commitment); at a chunk leaf the defender reveals its 16 values and the challenger
///         has the one-step executor recompute one of them, which decides the dispute. The game
///         stores the current node, never a page, so every move's gas is bounded by PAGE_DEPTH
///         (or, for oneStep, by the one step's fan-in), whatever the model's size. Each side has a
///         chess clock of maxClockSeconds; a side that lets its clock run out loses (claimTimeout).
///         A challenger that wins gets its bond back and the host slashes the worker; a challenger
///         that loses pays its bond to the leaf's worker. Payments are pulled (withdraw).
/// @dev Soundness. The executor reads a step's inputs through the DEFENDER's own trace root, so the
///      game checks the defender's trace for internal consistency, step by step, plus its two ends:
///      - A defender whose leaf 0 is the input commitment (else picking leaf 0 wins), whose every
///        step output is what the step computes from the earlier tensors of the same trace (else
///        some value of some chunk of some step is wrong, and oneStep on it wins), has the correct
///        last tensor by induction, which must be the committed output root (else picking the
///        last leaf wins). So a wrong leaf always has a winning line for the challenger.
///      - An honest challenger finds it: it holds the honest trace tree H and, in every page,
///        picks the FIRST node that differs from H (or, when the defender's whole trace is H's, the
///        node over the last leaf). Pages are canonical over padding (LibTensorRoot.pageRoot), so
///        a differing node always has a real leaf below it. It reaches the first leaf i where the
///        defender's trace differs; every node left of it is H's, so the inputs of step i - 1 (leaves
///        below i) are honest tensors it knows, with proofs against the defender's root (H's nodes
///        left of the path, revealed nodes elsewhere). In the step's chunk tree it picks the first
///        differing chunk, then a differing value; the executor returns the honest value.
///      - A correct leaf has no winning line for a challenger: a boundary pick reverts (no loss,
///        no turn change) and every one-step returns the defender's value.
///      Defender moves are permissionless: each has exactly one valid argument (nodes of a tree
///      whose root the worker signed), so nobody can play a defender's move badly.
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
    /// @notice Levels one page spans: a page is at most 2^PAGE_DEPTH = 256 nodes (8 KiB of calldata).
    uint256 public constant PAGE_DEPTH = 8;

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
    ///         becomes the challenger; the defender moves next (revealTracePage). Any number of
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
        dispute.phase = DisputePhase.AwaitTracePage;
        // INVARIANT: the descent starts at the trace root, of height ceil(log2(stepCount + 1)).
        dispute.node = _leaf.traceCommitment;
        dispute.nodeHeight = uint8(LibTensorRoot.depthOf(uint256(_parts.stepCount) + 1));
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
        host.onDisputeOpened(_batchId, leafHash, _leaf.requestId, _leaf.worker);
    }

    /// @notice Defender (anyone): reveals the 2^k descendants of the current node of the trace tree
    ///         (k = min(PAGE_DEPTH, the node's height)); they must hash up to the current node, and
    ///         those over padding only must be the canonical padding nodes. Stores nothing but the
    ///         phase: the page is in the event.
    /// @param _disputeId The dispute.
    /// @param _nodes The 2^k nodes, left to right.
    function revealTracePage(uint256 _disputeId, bytes32[] calldata _nodes) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitTracePage);
        (uint256 height, uint256 parentIndex) =
            _checkPage(_disputeId, dispute, _nodes, uint256(dispute.stepCount) + 1);
        dispute.phase = DisputePhase.AwaitTracePick;
        emit TracePageRevealed(_disputeId, msg.sender, height, parentIndex, _nodes);
    }

    /// @notice Challenger: makes node `_position` of the last trace page the current node, proving
    ///         it (with the k - 1 ... page siblings) against the current node. A node over padding
    ///         only is refused. At the leaf level (leaf i = `_node`):
    ///         - i == 0: the challenger wins if `_node` is not the input commitment, else this reverts;
    ///         - i == stepCount and `_node` is not the output commitment: the challenger wins;
    ///         - otherwise step i - 1 is picked: `_descriptor` is proven against stepsRoot (the
    ///           executor returns its output length) and `_node` becomes the root of the step's
    ///           output tensor, whose chunk tree the game descends next.
    /// @param _disputeId The dispute.
    /// @param _position The node's position in the page (below 2^k).
    /// @param _node The picked node, as the defender revealed it.
    /// @param _siblings Its k siblings from the page level up (LibTensorRoot.verifyLeaf).
    /// @param _descriptor Step i - 1's descriptor when a step is picked (else ignored).
    /// @param _descriptorProof Its Merkle proof against stepsRoot.
    function pickTraceNode(
        uint256 _disputeId,
        uint256 _position,
        bytes32 _node,
        bytes32[] calldata _siblings,
        bytes calldata _descriptor,
        bytes32[] calldata _descriptorProof
    ) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitTracePick);
        uint256 leafCount = uint256(dispute.stepCount) + 1;
        (uint256 height, uint256 index) = _descend(_disputeId, dispute, _position, _node, _siblings, leafCount);
        if (height != 0) {
            dispute.phase = DisputePhase.AwaitTracePage;
            emit TraceNodePicked(_disputeId, height, index, _node);
            return;
        }
        emit TraceNodePicked(_disputeId, 0, index, _node);
        // INVARIANT: the boundaries are checked against the commitments the worker signed: tensor 0
        // is the input's tensor root, the last tensor the output's.
        if (index == 0) {
            if (_node != dispute.inputCommitment) {
                emit BoundaryChallenged(_disputeId, false, _node, dispute.inputCommitment);
                return _resolve(_disputeId, dispute, false, DisputeReason.InputMismatch);
            }
            // With no step, tensor 0 is also the last tensor: it must be the output's root too.
            // (The service refuses such models; the game must not depend on that.)
            if (dispute.stepCount == 0 && _node != dispute.outputCommitment) {
                emit BoundaryChallenged(_disputeId, true, _node, dispute.outputCommitment);
                return _resolve(_disputeId, dispute, false, DisputeReason.OutputMismatch);
            }
            revert DisputeGame_BoundaryRootMatches(_disputeId, _node);
        }
        if (index == dispute.stepCount && _node != dispute.outputCommitment) {
            emit BoundaryChallenged(_disputeId, true, _node, dispute.outputCommitment);
            return _resolve(_disputeId, dispute, false, DisputeReason.OutputMismatch);
        }
        _pickStep(_disputeId, dispute, index - 1, _node, _descriptor, _descriptorProof);
    }

    /// @notice Defender (anyone): reveals the 2^k descendants of the current node of the picked
    ///         step's output tensor tree, as revealTracePage.
    /// @param _disputeId The dispute.
    /// @param _nodes The 2^k nodes, left to right.
    function revealChunkPage(uint256 _disputeId, bytes32[] calldata _nodes) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitChunkPage);
        (uint256 height, uint256 parentIndex) = _checkPage(_disputeId, dispute, _nodes, dispute.chunkCount);
        dispute.phase = DisputePhase.AwaitChunkPick;
        emit ChunkPageRevealed(_disputeId, msg.sender, height, parentIndex, _nodes);
    }

    /// @notice Challenger: makes node `_position` of the last chunk page the current node; at the
    ///         leaf level it is the leaf of chunk `index` (below the chunk count).
    /// @param _disputeId The dispute.
    /// @param _position The node's position in the page.
    /// @param _node The picked node.
    /// @param _siblings Its k siblings from the page level up.
    function pickChunkNode(uint256 _disputeId, uint256 _position, bytes32 _node, bytes32[] calldata _siblings)
        external
    {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitChunkPick);
        (uint256 height, uint256 index) = _descend(_disputeId, dispute, _position, _node, _siblings, dispute.chunkCount);
        if (height == 0) {
            dispute.chunkIndex = uint32(index);
            dispute.phase = DisputePhase.AwaitChunkValues;
        } else {
            dispute.phase = DisputePhase.AwaitChunkPage;
        }
        emit ChunkNodePicked(_disputeId, height, index, _node);
    }

    /// @notice Defender (anyone): reveals the 16 values of the picked chunk (zero past the end).
    /// @param _disputeId The dispute.
    /// @param _values The chunk's values; chunkLeaf(chunkIndex, _values) must be the picked leaf.
    function revealChunkValues(uint256 _disputeId, int256[16] calldata _values) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitChunkValues);
        // INVARIANT: the values are exactly those under the defender's own chunk leaf.
        _checkChunkValues(_disputeId, dispute, _values);
        dispute.phase = DisputePhase.AwaitOneStep;
        emit ChunkValuesRevealed(_disputeId, msg.sender, dispute.chunkIndex, _values);
    }

    /// @notice Challenger: has the executor recompute value `_offset` of the picked chunk from the
    ///         defender's own trace root. A different value: the challenger wins; the same: the
    ///         defender wins. Either way the dispute is decided. A witness the executor refuses
    ///         reverts the call (the challenger may retry while its clock runs).
    /// @param _disputeId The dispute.
    /// @param _offset The value's position in the chunk (below 16).
    /// @param _values The values the defender revealed (checked against the chunk leaf again).
    /// @param _witness The executor's witness (descriptor, input roots, input and parameter chunks, proofs).
    function oneStep(uint256 _disputeId, uint8 _offset, int256[16] calldata _values, bytes calldata _witness) external {
        Dispute storage dispute = _move(_disputeId, DisputePhase.AwaitOneStep);
        if (_offset >= CHUNK_SIZE_VALUES) revert DisputeGame_OffsetOutOfRange(_disputeId, _offset);
        _checkChunkValues(_disputeId, dispute, _values);
        uint256 element = uint256(dispute.chunkIndex) * CHUNK_SIZE_VALUES + _offset;
        // INVARIANT: the one-step reads the step's inputs through the defender's own trace root and
        // is conclusive: the game's outcome is whether the defender's value is what the step computes.
        int256 computed = executor.executeElement(
            dispute.stepsRoot,
            dispute.parametersRoot,
            dispute.traceCommitment,
            LibTensorRoot.depthOf(uint256(dispute.stepCount) + 1),
            dispute.stepIndex,
            element,
            _witness
        );
        int256 claimed = _values[_offset];
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

    /// @dev Checks a page against the current node: 2^k nodes, k = min(PAGE_DEPTH, height), hashing
    ///      up to it, canonical over padding. Returns the page's height and its parent's index.
    function _checkPage(uint256 _disputeId, Dispute storage _dispute, bytes32[] calldata _nodes, uint256 _leafCount)
        private
        view
        returns (uint256 height_, uint256 parentIndex_)
    {
        uint256 nodeHeight = _dispute.nodeHeight;
        uint256 k = nodeHeight < PAGE_DEPTH ? nodeHeight : PAGE_DEPTH;
        // INVARIANT: a page is exactly the 2^k descendants of the current node, so each move's
        // calldata and hashing are bounded by PAGE_DEPTH whatever the model.
        if (_nodes.length != uint256(1) << k) revert DisputeGame_PageSize(_disputeId, _nodes.length, uint256(1) << k);
        height_ = nodeHeight - k;
        parentIndex_ = _dispute.nodeIndex;
        (bool ok, bytes32 computed) = LibTensorRoot.pageRoot(_nodes, height_, parentIndex_ << k, _leafCount);
        if (!ok || computed != _dispute.node) revert DisputeGame_PageMismatch(_disputeId, _dispute.node, computed);
    }

    /// @dev Moves the current node down k levels to `_node` at `_position` of the page, proven
    ///      against the current node; refuses a node over padding only. Returns its height and index.
    function _descend(
        uint256 _disputeId,
        Dispute storage _dispute,
        uint256 _position,
        bytes32 _node,
        bytes32[] calldata _siblings,
        uint256 _leafCount
    ) private returns (uint256 height_, uint256 index_) {
        uint256 nodeHeight = _dispute.nodeHeight;
        uint256 k = nodeHeight < PAGE_DEPTH ? nodeHeight : PAGE_DEPTH;
        if (_position >= uint256(1) << k) revert DisputeGame_PickOutOfPage(_disputeId, _position, uint256(1) << k);
        // INVARIANT: the picked node is the defender's own, k levels below the current node.
        if (_siblings.length != k || !LibTensorRoot.verifyLeaf(_dispute.node, _position, _node, _siblings)) {
            revert DisputeGame_PickProof(_disputeId, _position, _node);
        }
        height_ = nodeHeight - k;
        index_ = (uint256(_dispute.nodeIndex) << k) | _position;
        // INVARIANT: the descent never enters padding: every picked node has a real leaf below it.
        if ((index_ << height_) >= _leafCount) revert DisputeGame_PaddingPicked(_disputeId, height_, index_, _leafCount);
        _dispute.node = _node;
        _dispute.nodeHeight = uint8(height_);
        _dispute.nodeIndex = uint64(index_);
    }

    /// @dev Picks step `_stepIndex` at trace leaf `_stepIndex + 1` (`_outputRoot`): its output
    ///      length comes from the committed step list; the descent goes on in its output's chunk
    ///      tree (a one-chunk tensor goes straight to its values).
    function _pickStep(
        uint256 _disputeId,
        Dispute storage _dispute,
        uint256 _stepIndex,
        bytes32 _outputRoot,
        bytes calldata _descriptor,
        bytes32[] calldata _descriptorProof
    ) private {
        // INVARIANT: the output length (hence the chunk count) comes from the committed step list.
        uint256 outputLength = executor.stepOutputLength(_dispute.stepsRoot, _stepIndex, _descriptor, _descriptorProof);
        if (outputLength == 0 || outputLength > type(uint32).max) {
            revert DisputeGame_OutputLengthTooLarge(_disputeId, outputLength);
        }
        uint256 chunkCount = (outputLength + CHUNK_SIZE_VALUES - 1) / CHUNK_SIZE_VALUES;
        uint256 depth = LibTensorRoot.depthOf(chunkCount);
        _dispute.stepIndex = uint32(_stepIndex);
        _dispute.outputLength = uint64(outputLength);
        _dispute.chunkCount = uint32(chunkCount);
        _dispute.node = _outputRoot;
        _dispute.nodeHeight = uint8(depth);
        _dispute.nodeIndex = 0;
        _dispute.phase = depth == 0 ? DisputePhase.AwaitChunkValues : DisputePhase.AwaitChunkPage;
        emit StepPicked(_disputeId, _stepIndex, outputLength, chunkCount);
    }

    function _checkChunkValues(uint256 _disputeId, Dispute storage _dispute, int256[16] calldata _values) private view {
        bytes32 computed = LibTensorRoot.chunkLeaf(_dispute.chunkIndex, _values);
        if (computed != _dispute.node) revert DisputeGame_ChunkValuesMismatch(_disputeId, _dispute.node, computed);
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
        if (
            _phase == DisputePhase.AwaitTracePage || _phase == DisputePhase.AwaitChunkPage
                || _phase == DisputePhase.AwaitChunkValues
        ) {
            return DisputeSide.Defender;
        }
        if (
            _phase == DisputePhase.AwaitTracePick || _phase == DisputePhase.AwaitChunkPick
                || _phase == DisputePhase.AwaitOneStep
        ) {
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
