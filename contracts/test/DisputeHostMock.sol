// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDisputeHost} from "../interfaces/IDisputeHost.sol";
import {ResultLeaf} from "../libraries/LibResultMerkle.sol";

/// @title DisputeHostMock
/// @notice Test host for the dispute game: stores batch roots and windows set by the test, builds
///         the same EIP-712 result digest as Settlement (domain "Verity"/"1"/chainid/this address),
///         accepts callbacks only from the game it is wired to, and records every callback. It
///         follows IDisputeHost's contract: counts the open disputes of each leaf (a result is held
///         while the count is above zero) and discards a leaf at its first challenger win, which it
///         records; later resolutions on a discarded leaf only count down.
contract DisputeHostMock is IDisputeHost {
    struct Batch {
        bytes32 root;
        uint64 challengeEndsAt;
    }

    struct Resolution {
        uint256 batchId;
        bytes32 requestId;
        address worker;
        bool defenderWon;
        address challenger;
    }

    bytes32 private constant RESULT_TYPEHASH = keccak256(
        "Result(bytes32 requestId,bytes32 modelCommitment,bytes32 inputCommitment,bytes32 outputCommitment,bytes32 traceCommitment,address worker)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// @notice The only caller of the callbacks (set once).
    address public game;
    /// @notice When set, onDisputeOpened reverts (the host refuses the dispute).
    bool public refuseOpen;
    /// @notice Callbacks received, in total.
    uint256 public openedCalls;
    uint256 public resolvedCalls;
    /// @notice Callbacks received per leaf.
    mapping(bytes32 leafHash => uint256) public openedCount;
    mapping(bytes32 leafHash => uint256) public resolvedCount;
    /// @notice The batch id the last dispute on each leaf was opened with.
    mapping(bytes32 leafHash => uint256) public openedBatch;
    /// @notice The worker the last dispute on each leaf was opened against (as the game passed it).
    mapping(bytes32 leafHash => address) public openedWorker;
    /// @notice Undecided disputes per leaf: the result is held while this is above zero.
    mapping(bytes32 leafHash => uint256) public openDisputes;
    /// @notice Leaves discarded by a challenger win.
    mapping(bytes32 leafHash => bool) public discarded;
    /// @notice Leaves discarded, in total (one per leaf, however many challengers won on it).
    uint256 public refutations;

    mapping(uint256 batchId => Batch) private _batches;
    mapping(bytes32 leafHash => Resolution) private _resolutions;
    mapping(bytes32 leafHash => Resolution) private _refutations;

    event BatchSet(uint256 indexed batchId, bytes32 root, uint64 challengeEndsAt);
    event GameSet(address indexed game);
    event RefuseOpenSet(bool refuse);
    event Opened(uint256 indexed batchId, bytes32 indexed leafHash, bytes32 requestId);
    event Resolved(bytes32 indexed leafHash, bool defenderWon, address worker, address challenger);
    event Discarded(bytes32 indexed leafHash, address worker, address challenger);

    error DisputeHostMock_NotGame(address caller);
    error DisputeHostMock_GameAlreadySet(address game);
    error DisputeHostMock_Refused(bytes32 leafHash);
    error DisputeHostMock_NoOpenDispute(bytes32 leafHash);

    /// @notice Wires the game allowed to call back. Once.
    function setGame(address _game) external {
        if (game != address(0)) revert DisputeHostMock_GameAlreadySet(game);
        game = _game;
        emit GameSet(_game);
    }

    /// @notice Sets (or replaces) a batch's root and challenge window end.
    function setBatch(uint256 _batchId, bytes32 _root, uint64 _challengeEndsAt) external {
        _batches[_batchId] = Batch(_root, _challengeEndsAt);
        emit BatchSet(_batchId, _root, _challengeEndsAt);
    }

    /// @notice Makes onDisputeOpened revert (or accept again).
    function setRefuseOpen(bool _refuse) external {
        refuseOpen = _refuse;
        emit RefuseOpenSet(_refuse);
    }

    /// @inheritdoc IDisputeHost
    function batchRootAndWindow(uint256 _batchId) external view returns (bytes32 root_, uint64 challengeEndsAt_) {
        Batch storage batch = _batches[_batchId];
        return (batch.root, batch.challengeEndsAt);
    }

    /// @inheritdoc IDisputeHost
    function resultDigest(ResultLeaf calldata _leaf) external view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Verity"), keccak256("1"), block.chainid, address(this))
        );
        bytes32 structHash = keccak256(
            abi.encode(
                RESULT_TYPEHASH,
                _leaf.requestId,
                _leaf.modelCommitment,
                _leaf.inputCommitment,
                _leaf.outputCommitment,
                _leaf.traceCommitment,
                _leaf.worker
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    /// @inheritdoc IDisputeHost
    function onDisputeOpened(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId, address _worker) external {
        if (msg.sender != game) revert DisputeHostMock_NotGame(msg.sender);
        if (refuseOpen) revert DisputeHostMock_Refused(_leafHash);
        ++openedCalls;
        ++openedCount[_leafHash];
        ++openDisputes[_leafHash];
        openedBatch[_leafHash] = _batchId;
        openedWorker[_leafHash] = _worker;
        emit Opened(_batchId, _leafHash, _requestId);
    }

    /// @inheritdoc IDisputeHost
    function onDisputeResolved(
        uint256 _batchId,
        bytes32 _leafHash,
        bytes32 _requestId,
        address _worker,
        bool _defenderWon,
        address _challenger
    ) external {
        if (msg.sender != game) revert DisputeHostMock_NotGame(msg.sender);
        // Not a legitimate call: the game resolves only disputes it opened, once each. Reverting
        // here makes a test fail if the game ever resolved more disputes than it opened.
        if (openDisputes[_leafHash] == 0) revert DisputeHostMock_NoOpenDispute(_leafHash);
        ++resolvedCalls;
        ++resolvedCount[_leafHash];
        --openDisputes[_leafHash];
        Resolution memory resolution = Resolution(_batchId, _requestId, _worker, _defenderWon, _challenger);
        _resolutions[_leafHash] = resolution;
        emit Resolved(_leafHash, _defenderWon, _worker, _challenger);
        if (!_defenderWon && !discarded[_leafHash]) {
            discarded[_leafHash] = true;
            ++refutations;
            _refutations[_leafHash] = resolution;
            emit Discarded(_leafHash, _worker, _challenger);
        }
    }

    /// @notice Whether the leaf's result is held (some dispute on it is open).
    function isHeld(bytes32 _leafHash) external view returns (bool) {
        return openDisputes[_leafHash] > 0;
    }

    /// @notice The first challenger win on a leaf, which discarded it (zero if none).
    function refutationOf(bytes32 _leafHash) external view returns (Resolution memory) {
        return _refutations[_leafHash];
    }

    /// @notice The last resolution reported for a leaf (of any of its disputes).
    function resolutionOf(bytes32 _leafHash) external view returns (Resolution memory) {
        return _resolutions[_leafHash];
    }
}
