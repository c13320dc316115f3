// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ResultLeaf} from "../libraries/LibResultMerkle.sol";

/// @title IDisputeHost
/// @notice What the dispute game needs from the contract that holds result batches and worker
///         stakes (the Settlement): batch roots and challenge windows, the EIP-712 digest workers
///         sign, and two callbacks. The host must accept the callbacks only from the dispute game.
/// @dev Contract the game relies on (docs/disputes.md, "Bonds and the host"). A leaf may carry
///      any number of disputes, opened by anyone while its batch's window is open, in progress at
///      the same time or one after another, until one is decided for its challenger. The game
///      calls onDisputeOpened once per opened dispute and onDisputeResolved exactly once per opened
///      dispute, each time after its own state is final. The host must:
///      - count the open disputes of each leaf: +1 in onDisputeOpened, -1 in onDisputeResolved
///        (the game's openDisputesOf(leafHash) is the same count);
///      - hold the leaf's result (never finalize it, never reveal it as final) while that count is
///        above zero. A defender win decides its own dispute only: it releases the hold only when
///        it brings the count to zero and the leaf was not discarded, and the result is final only
///        once the batch's window is over too (a new dispute may open until then);
///      - discard the leaf at the FIRST onDisputeResolved with `_defenderWon` false: never finalize
///        it, drop a result it holds, reopen the request and slash `_worker` once, rewarding that
///        `_challenger` (preferably as a pull payment, so a challenger that refuses ETH cannot block
///        its own resolution). Later resolutions of other disputes on a discarded leaf, for either
///        side, only decrement the count and undo their own per-dispute bookkeeping (e.g. a stake
///        freeze taken in onDisputeOpened); the game opens no new dispute on a refuted leaf;
///      - never refuse an open because other disputes on the leaf are open or were decided for the
///        defender (that would let a worker shield a wrong leaf with a dispute it loses on purpose);
///        it may refuse (revert) only a dispute it cannot hold at all;
///      - never revert in onDisputeResolved on a legitimate call (from the game, for a dispute it
///        was told of): a revert there rolls back the deciding move or timeout, so the dispute could
///        never resolve and its bond would stay locked. In particular it must not revert when the
///        leaf is already discarded, when its request already has another result, or when several
///        disputes on the leaf resolve in any order.
///      Every dispute on a leaf names the same worker (the leaf hash covers it); both callbacks pass
///      it, so the host never reads the game back.
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

    /// @notice A dispute on leaf `_leafHash` of batch `_batchId` was opened (one call per dispute;
    ///         the leaf may have others open): count it and hold the result while any is open.
    /// @param _batchId The batch the leaf was proven against.
    /// @param _leafHash LibResultMerkle.hashLeaf of the disputed leaf.
    /// @param _requestId The request the leaf answers.
    /// @param _worker The worker the leaf names (and that signed it): its stake is held.
    function onDisputeOpened(uint256 _batchId, bytes32 _leafHash, bytes32 _requestId, address _worker) external;

    /// @notice One dispute on `_leafHash` is decided, for good (one call per dispute): count it
    ///         off; the first with `_defenderWon` false discards the leaf. Must not revert.
    /// @param _batchId The batch the leaf was proven against when the dispute opened.
    /// @param _leafHash The disputed leaf.
    /// @param _requestId The request the leaf answers.
    /// @param _worker The worker the leaf names (and that signed it).
    /// @param _defenderWon True: the result stands against this dispute (others may still be
    ///        open). False: the result is wrong; discard the leaf and slash `_worker`, unless an
    ///        earlier dispute already did.
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
