// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ResultLeaf} from "../libraries/LibResultMerkle.sol";

/// @title IDisputeHost
/// @notice What the dispute game needs from the contract that holds result batches and worker
///         stakes (the Settlement): batch roots and challenge windows, the EIP-712 digest workers
///         sign, and two callbacks. The host must accept the callbacks only from the dispute game.
/// @dev Contract the game relies on (docs/disputes.md, "Host"):
///      - onDisputeOpened: from then on the host must not finalize the leaf's result until
///        onDisputeResolved for the same leaf; it may revert to refuse the dispute (the open reverts).
///      - onDisputeResolved is called exactly once per opened dispute and must not revert on any
///        input the game can produce (a revert there leaves the dispute unresolvable): with
///        `_defenderWon` false the host discards the result, never finalizes the leaf, reopens the
///        request and slashes `_worker` (a per-dispute amount, rewarding `_challenger`, preferably as
///        a pull payment so a challenger that refuses ETH cannot block its own resolution).
interface IDisputeHost {
    /// @notice The Merkle root of result batch `_batchId` and the end of the window in which its
    ///         leaves may be disputed.
    /// @param _batchId The batch.
    /// @return root_ The batch root; bytes32(0) for an unknown batch.
    /// @return challengeEndsAt_ Disputes may open while block.timestamp < challengeEndsAt_.
    function batchRootAndWindow(uint256 _batchId) external view returns (bytes32 root_, uint64 challengeEndsAt_);

    /// @notice The EIP-712 digest the worker named in `_leaf` signs for it (Settlement.resultDigest).
    ///         The game only disputes leaves their worker signed, so a committer cannot get a worker
    ///         slashed for a leaf that worker never produced.
    /// @param _leaf The leaf's six fields.
    function resultDigest(ResultLeaf calldata _leaf) external view returns (bytes32);

    /// @notice A dispute on leaf `_leafHash` of batch `_batchId` was opened: hold the result.
    /// @param _batchId The batch the leaf was proven against.
    /// @param _leafHash LibResultMerkle.hashLeaf of the disputed leaf.
    /// @param _requestId The request the leaf answers.
    function onDisputeOpened(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId) external;

    /// @notice The dispute on `_leafHash` is decided, for good.
    /// @param _batchId The batch the leaf was proven against when the dispute opened.
    /// @param _leafHash The disputed leaf.
    /// @param _requestId The request the leaf answers.
    /// @param _worker The worker the leaf names (and that signed it).
    /// @param _defenderWon True: the result stands. False: the result is wrong; slash `_worker`.
    /// @param _challenger The account that opened the dispute (the reward's recipient when it won).
    function onDisputeResolved(
        uint256 _batchId,
        bytes32 _leafHash,
        bytes32 _requestId,
        address _worker,
        bool _defenderWon,
        address _challenger
    ) external;
}
