// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DisputeGame} from "../../../contracts/dispute/DisputeGame.sol";
import {Dispute, DisputePhase, ModelParts} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IDisputeHost} from "../../../contracts/interfaces/IDisputeHost.sol";
import {IOneStepExecutor} from "../../../contracts/interfaces/IOneStepExecutor.sol";
import {ResultLeaf} from "../../../contracts/libraries/LibResultMerkle.sol";
import {LibTensorRoot} from "../../../contracts/libraries/LibTensorRoot.sol";
import {DisputeHostMock} from "../../../contracts/test/DisputeHostMock.sol";
import {OneStepExecutorMock} from "../../../contracts/test/OneStepExecutorMock.sol";
import {TestBase} from "./TestBase.sol";

/// @title DisputeGameFixture
/// @notice The dispute game wired to the host mock (batch roots, windows, callbacks, EIP-712
///         digest) and the executor mock (descriptor = abi.encode(outputLength), proven by one
///         hash; executeElement returns the value the test sets), never to the Settlement. A
///         scenario is a committed, signed result leaf over a synthetic trace: tensor t has
///         lengths[t] deterministic values; the worker's (claimed) trace may differ from the honest
///         one in one value, and any commitment may be overridden. Helpers play each move from
///         the game's stored state, as the defender service and an honest challenger would.
abstract contract DisputeGameFixture is TestBase {
    uint256 internal constant BOND = 0.1 ether;
    uint64 internal constant MAX_CLOCK = 1_000;
    uint64 internal constant WINDOW = 3_600;
    uint256 internal constant PAGE_DEPTH = 8;
    uint256 internal constant WORKER_KEY = 0xA11CE;
    uint256 internal constant OTHER_WORKER_KEY = 0xB0B;

    /// @notice A result leaf and everything needed to open and play a dispute on it.
    struct Scenario {
        uint256 seed;
        /// Tensor lengths: the input, then each step's output (stepCount = lengths.length - 1).
        uint256[] lengths;
        /// The worker's trace differs from the honest one at (corruptTensor, corruptElement) by delta.
        uint256 corruptTensor;
        uint256 corruptElement;
        int256 delta;
        /// The leaf of the trace tree's padding (canonical: zero).
        bytes32 tracePadding;
        /// Overrides of the commitments the worker signs (zero: derived from the trace).
        bytes32 inputOverride;
        bytes32 outputOverride;
        /// Filled by _commit.
        uint256 batchId;
        ResultLeaf leaf;
        bytes32 leafHash;
        bytes32[] leafProof;
        ModelParts parts;
        bytes signature;
    }

    DisputeHostMock internal host;
    OneStepExecutorMock internal executor;
    DisputeGame internal game;
    uint64 internal maxClock;
    address internal worker;
    address internal otherWorker;
    address internal challenger = address(0xC4A1);
    address internal outsider = address(0x0DD);
    uint256 internal batchCounter;
    uint256 internal seedCounter;

    function setUp() public virtual {
        vm.warp(1_000_000);
        worker = vm.addr(WORKER_KEY);
        otherWorker = vm.addr(OTHER_WORKER_KEY);
        _deploy(MAX_CLOCK);
        vm.deal(challenger, 100 ether);
        vm.deal(outsider, 100 ether);
    }

    /// @dev A fresh host, executor and game whose clocks are `_maxClock` seconds per side.
    function _deploy(uint64 _maxClock) internal {
        host = new DisputeHostMock();
        executor = new OneStepExecutorMock();
        game = new DisputeGame(IDisputeHost(address(host)), IOneStepExecutor(address(executor)), BOND, _maxClock);
        host.setGame(address(game));
        maxClock = _maxClock;
    }

    /// @dev The current time (via-IR may reuse one read of block.timestamp across vm.warp calls).
    function _now() internal view returns (uint256) {
        return vm.getBlockTimestamp();
    }

    // ------------------------------------------------------------------ scenarios

    /// @dev An honest scenario with three steps: a 40-value input, outputs of 40, 70 (5 chunks) and 10.
    function _scenario() internal returns (Scenario memory) {
        uint256[] memory lengths = new uint256[](4);
        (lengths[0], lengths[1], lengths[2], lengths[3]) = (40, 40, 70, 10);
        return _scenario(lengths);
    }

    function _scenario(uint256[] memory _tensorLengths) internal returns (Scenario memory sc_) {
        sc_.seed = ++seedCounter;
        sc_.lengths = _tensorLengths;
    }

    /// @dev `_count` tensors of `_length` values each (a model of `_count - 1` steps).
    function _lengths(uint256 _count, uint256 _length) internal pure returns (uint256[] memory lengths_) {
        lengths_ = new uint256[](_count);
        for (uint256 i; i < _count; ++i) lengths_[i] = _length;
    }

    function _stepCount(Scenario memory _sc) internal pure returns (uint256) {
        return _sc.lengths.length - 1;
    }

    /// @dev Value i of honest tensor t: small deterministic integers of either sign.
    function _honestValue(Scenario memory _sc, uint256 _t, uint256 _i) internal pure returns (int256) {
        return int256(uint256(keccak256(abi.encode(_sc.seed, _t, _i))) % 20_001) - 10_000;
    }

    function _honestTensor(Scenario memory _sc, uint256 _t) internal pure returns (int256[] memory values_) {
        values_ = new int256[](_sc.lengths[_t]);
        for (uint256 i; i < values_.length; ++i) values_[i] = _honestValue(_sc, _t, i);
    }

    /// @dev Tensor t of the worker's trace.
    function _claimedTensor(Scenario memory _sc, uint256 _t) internal pure returns (int256[] memory values_) {
        values_ = _honestTensor(_sc, _t);
        if (_sc.delta != 0 && _t == _sc.corruptTensor) values_[_sc.corruptElement] += _sc.delta;
    }

    /// @dev The leaves of the worker's trace tree: its tensor roots.
    function _claimedRoots(Scenario memory _sc) internal pure returns (bytes32[] memory roots_) {
        roots_ = new bytes32[](_sc.lengths.length);
        for (uint256 t; t < roots_.length; ++t) roots_[t] = LibTensorRoot.root(_claimedTensor(_sc, t));
    }

    /// @dev Commits the scenario's leaf with one other leaf in a new batch whose window is open,
    ///      signed by `_key`; fills the leaf, its proof, the model parts and the signature.
    function _commit(Scenario memory _sc) internal returns (Scenario memory) {
        return _commit(_sc, WORKER_KEY);
    }

    function _commit(Scenario memory _sc, uint256 _key) internal returns (Scenario memory) {
        _sc.parts = ModelParts({
            headerHash: keccak256(abi.encode("header", _sc.seed)),
            parametersRoot: keccak256(abi.encode("parameters", _sc.seed)),
            parameterCount: 1_000,
            stepsRoot: keccak256(abi.encode("steps", _sc.seed)),
            stepCount: _stepCount(_sc)
        });
        bytes32[][] memory levels = _levels(_claimedRoots(_sc), _sc.tracePadding);
        _sc.leaf = ResultLeaf({
            requestId: keccak256(abi.encode("request", _sc.seed)),
            modelCommitment: keccak256(abi.encode(_sc.parts)),
            inputCommitment: _sc.inputOverride != 0 ? _sc.inputOverride : LibTensorRoot.root(_honestTensor(_sc, 0)),
            outputCommitment: _sc.outputOverride != 0
                ? _sc.outputOverride
                : LibTensorRoot.root(_claimedTensor(_sc, _stepCount(_sc))),
            traceCommitment: levels[levels.length - 1][0],
            worker: vm.addr(_key)
        });
        return _commitLeaf(_sc, _key);
    }

    /// @dev Signs `_sc.leaf` as it stands (fields or parts a test edited) with `_key` and commits
    ///      it with one other leaf in a new batch whose window is open.
    function _commitLeaf(Scenario memory _sc, uint256 _key) internal returns (Scenario memory) {
        _sc.signature = _sign(_key, _sc.leaf);
        _sc.leafHash = _hashLeaf(_sc.leaf);
        ResultLeaf memory other = ResultLeaf(
            keccak256(abi.encode("other", _sc.seed)),
            _sc.leaf.modelCommitment,
            _sc.leaf.inputCommitment,
            _sc.leaf.outputCommitment,
            _sc.leaf.traceCommitment,
            otherWorker
        );
        bytes32 otherHash = _hashLeaf(other);
        _sc.leafProof = new bytes32[](1);
        _sc.leafProof[0] = otherHash;
        _sc.batchId = ++batchCounter;
        host.setBatch(_sc.batchId, _sortedPair(_sc.leafHash, otherHash), uint64(_now()) + WINDOW);
        return _sc;
    }

    function _sign(uint256 _key, ResultLeaf memory _leaf) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(_key, host.resultDigest(_leaf));
        return abi.encodePacked(r, s, v);
    }

    function _hashLeaf(ResultLeaf memory _leaf) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(_leaf))));
    }

    function _sortedPair(bytes32 _a, bytes32 _b) internal pure returns (bytes32) {
        return _a < _b ? keccak256(abi.encodePacked(_a, _b)) : keccak256(abi.encodePacked(_b, _a));
    }

    /// @dev The challenger opens a dispute on the committed scenario.
    function _open(Scenario memory _sc) internal returns (uint256) {
        return _openAs(_sc, challenger);
    }

    function _openAs(Scenario memory _sc, address _challenger) internal returns (uint256 id_) {
        vm.deal(_challenger, _challenger.balance + BOND);
        vm.prank(_challenger);
        id_ = game.open{value: BOND}(_sc.batchId, _sc.leaf, _sc.leafProof, _sc.parts, _sc.signature);
    }

    // ------------------------------------------------------------------ trees and pages

    /// @dev Every level of the tree over `_leaves` padded with `_padding` to a power of two, leaves first.
    function _levels(bytes32[] memory _leaves, bytes32 _padding) internal pure returns (bytes32[][] memory levels_) {
        uint256 depth = LibTensorRoot.depthOf(_leaves.length);
        levels_ = new bytes32[][](depth + 1);
        levels_[0] = new bytes32[](uint256(1) << depth);
        for (uint256 i; i < levels_[0].length; ++i) levels_[0][i] = i < _leaves.length ? _leaves[i] : _padding;
        for (uint256 d = 1; d <= depth; ++d) {
            levels_[d] = new bytes32[](levels_[d - 1].length / 2);
            for (uint256 i; i < levels_[d].length; ++i) {
                levels_[d][i] = keccak256(abi.encodePacked(levels_[d - 1][2 * i], levels_[d - 1][2 * i + 1]));
            }
        }
    }

    /// @dev The 2^k nodes under the dispute's current node (k = min(PAGE_DEPTH, its height)).
    function _pageOf(bytes32[][] memory _levels_, Dispute memory _d) internal pure returns (bytes32[] memory nodes_) {
        uint256 k = _pageLevels(_d);
        uint256 height = _d.nodeHeight - k;
        nodes_ = new bytes32[](uint256(1) << k);
        uint256 first = uint256(_d.nodeIndex) << k;
        for (uint256 j; j < nodes_.length; ++j) nodes_[j] = _levels_[height][first + j];
    }

    function _pageLevels(Dispute memory _d) internal pure returns (uint256) {
        return _d.nodeHeight < PAGE_DEPTH ? _d.nodeHeight : PAGE_DEPTH;
    }

    /// @dev The siblings of node `_position` within a page, from the page level up.
    function _pageSiblings(bytes32[] memory _nodes, uint256 _position) internal pure returns (bytes32[] memory siblings_) {
        bytes32[][] memory levels = _levels(_nodes, bytes32(0));
        siblings_ = new bytes32[](levels.length - 1);
        for (uint256 h; h < siblings_.length; ++h) siblings_[h] = levels[h][(_position >> h) ^ 1];
    }

    function _traceLevels(Scenario memory _sc) internal pure returns (bytes32[][] memory) {
        return _levels(_claimedRoots(_sc), _sc.tracePadding);
    }

    /// @dev The chunk leaves of the worker's tensor t.
    function _chunkLeaves(Scenario memory _sc, uint256 _t) internal pure returns (bytes32[] memory leaves_) {
        int256[] memory values = _claimedTensor(_sc, _t);
        leaves_ = new bytes32[]((values.length + 15) / 16);
        for (uint256 c; c < leaves_.length; ++c) leaves_[c] = LibTensorRoot.chunkLeaf(c, _chunk(values, c));
    }

    function _chunk(int256[] memory _values, uint256 _c) internal pure returns (int256[16] memory chunk_) {
        for (uint256 k; k < 16 && _c * 16 + k < _values.length; ++k) chunk_[k] = _values[_c * 16 + k];
    }

    function _chunkLevels(Scenario memory _sc, uint256 _stepIndex) internal pure returns (bytes32[][] memory) {
        return _levels(_chunkLeaves(_sc, _stepIndex + 1), bytes32(0));
    }

    // ------------------------------------------------------------------ moves

    /// @dev The mock executor's descriptor of a step whose output has `_outputLength` values.
    function _descriptor(Scenario memory _sc, uint256 _stepIndex, uint256 _outputLength)
        internal
        pure
        returns (bytes memory descriptor_, bytes32[] memory proof_)
    {
        descriptor_ = abi.encode(_outputLength);
        proof_ = new bytes32[](1);
        proof_[0] = keccak256(abi.encode(_sc.parts.stepsRoot, _stepIndex, descriptor_));
    }

    function _dispute(uint256 _id) internal view returns (Dispute memory) {
        return game.disputeOf(_id);
    }

    function _tracePage(Scenario memory _sc, uint256 _id) internal view returns (bytes32[] memory) {
        return _pageOf(_traceLevels(_sc), _dispute(_id));
    }

    /// @dev The defender's move on the trace tree, from an outsider (defender moves are open to anyone).
    function _revealTracePage(Scenario memory _sc, uint256 _id) internal {
        bytes32[] memory nodes = _tracePage(_sc, _id);
        vm.prank(outsider);
        game.revealTracePage(_id, nodes);
    }

    /// @dev The challenger picks node `_position` of the current trace page (with the descriptor
    ///      of the step a leaf-level pick selects).
    function _pickTrace(Scenario memory _sc, uint256 _id, uint256 _position) internal {
        (bytes32 node, bytes32[] memory siblings, bytes memory descriptor, bytes32[] memory proof) =
            _tracePick(_sc, _id, _position);
        vm.prank(challenger);
        game.pickTraceNode(_id, _position, node, siblings, descriptor, proof);
    }

    /// @dev The arguments of pickTraceNode for node `_position` of the current trace page.
    function _tracePick(Scenario memory _sc, uint256 _id, uint256 _position)
        internal
        view
        returns (bytes32 node_, bytes32[] memory siblings_, bytes memory descriptor_, bytes32[] memory proof_)
    {
        Dispute memory d = _dispute(_id);
        bytes32[] memory nodes = _pageOf(_traceLevels(_sc), d);
        node_ = nodes[_position];
        siblings_ = _pageSiblings(nodes, _position);
        uint256 leaf = ((uint256(d.nodeIndex) << _pageLevels(d)) | _position);
        uint256 step = leaf == 0 ? 0 : leaf - 1;
        if (step < _stepCount(_sc)) (descriptor_, proof_) = _descriptor(_sc, step, _sc.lengths[step + 1]);
    }

    /// @dev Plays the trace descent to leaf `_leaf` (both sides), stopping before the pick of the
    ///      last page: returns the leaf's position in that page.
    function _descendTraceTo(Scenario memory _sc, uint256 _id, uint256 _leaf) internal returns (uint256 position_) {
        while (true) {
            _revealTracePage(_sc, _id);
            Dispute memory d = _dispute(_id);
            uint256 k = _pageLevels(d);
            uint256 height = d.nodeHeight - k;
            position_ = (_leaf >> height) - (uint256(d.nodeIndex) << k);
            if (height == 0) return position_;
            _pickTrace(_sc, _id, position_);
        }
    }

    /// @dev Plays the trace descent to leaf `_leaf` and picks it.
    function _pickTraceLeaf(Scenario memory _sc, uint256 _id, uint256 _leaf) internal {
        _pickTrace(_sc, _id, _descendTraceTo(_sc, _id, _leaf));
    }

    function _chunkPage(Scenario memory _sc, uint256 _id) internal view returns (bytes32[] memory) {
        Dispute memory d = _dispute(_id);
        return _pageOf(_chunkLevels(_sc, d.stepIndex), d);
    }

    function _revealChunkPage(Scenario memory _sc, uint256 _id) internal {
        bytes32[] memory nodes = _chunkPage(_sc, _id);
        vm.prank(outsider);
        game.revealChunkPage(_id, nodes);
    }

    function _pickChunk(Scenario memory _sc, uint256 _id, uint256 _position) internal {
        bytes32[] memory nodes = _chunkPage(_sc, _id);
        bytes32[] memory siblings = _pageSiblings(nodes, _position);
        vm.prank(challenger);
        game.pickChunkNode(_id, _position, nodes[_position], siblings);
    }

    /// @dev Plays the chunk descent of the picked step to chunk `_chunkIndex`, stopping before the
    ///      last pick: returns the chunk's position in the last page.
    function _descendChunkTo(Scenario memory _sc, uint256 _id, uint256 _chunkIndex) internal returns (uint256 position_) {
        while (true) {
            _revealChunkPage(_sc, _id);
            Dispute memory d = _dispute(_id);
            uint256 k = _pageLevels(d);
            uint256 height = d.nodeHeight - k;
            position_ = (_chunkIndex >> height) - (uint256(d.nodeIndex) << k);
            if (height == 0) return position_;
            _pickChunk(_sc, _id, position_);
        }
    }

    /// @dev The 16 values of the picked chunk of the worker's picked step output.
    function _chunkValues(Scenario memory _sc, uint256 _id) internal view returns (int256[16] memory) {
        Dispute memory d = _dispute(_id);
        return _chunk(_claimedTensor(_sc, d.stepIndex + 1), d.chunkIndex);
    }

    function _revealChunkValues(Scenario memory _sc, uint256 _id) internal {
        int256[16] memory values = _chunkValues(_sc, _id);
        vm.prank(outsider);
        game.revealChunkValues(_id, values);
    }

    /// @dev Both sides play down to the one-step of chunk `_chunkIndex` of step `_stepIndex`
    ///      (the phase is AwaitOneStep afterwards).
    function _playToOneStep(Scenario memory _sc, uint256 _id, uint256 _stepIndex, uint256 _chunkIndex) internal {
        _pickTraceLeaf(_sc, _id, _stepIndex + 1);
        if (_dispute(_id).phase == DisputePhase.AwaitChunkPage) {
            _pickChunk(_sc, _id, _descendChunkTo(_sc, _id, _chunkIndex));
        }
        _revealChunkValues(_sc, _id);
    }

    /// @dev The challenger's one-step on value `_offset`, the executor computing `_computed`.
    function _oneStep(Scenario memory _sc, uint256 _id, uint8 _offset, int256 _computed) internal {
        executor.setValue(_computed, false);
        int256[16] memory values = _chunkValues(_sc, _id);
        vm.prank(challenger);
        game.oneStep(_id, _offset, values, hex"");
    }

    /// @dev Opens a dispute whose defender never moves; the challenger wins it on time (a quick
    ///      way to refute a leaf). Leaves the clock at the timeout.
    function _refute(Scenario memory _sc) internal returns (uint256 id_) {
        id_ = _open(_sc);
        vm.warp(_now() + maxClock);
        game.claimTimeout(id_);
    }

    /// @dev Opens a dispute whose challenger never picks; the defender wins it on time.
    function _uphold(Scenario memory _sc) internal returns (uint256 id_) {
        id_ = _open(_sc);
        _revealTracePage(_sc, id_);
        vm.warp(_now() + maxClock);
        game.claimTimeout(id_);
    }
}
