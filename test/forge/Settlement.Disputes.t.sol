// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISettlement} from "../../contracts/interfaces/ISettlement.sol";
import {RequestStatus} from "../../contracts/interfaces/IVerityResults.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {Settlement} from "../../contracts/Settlement.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

abstract contract Settlement_Disputes_TestInit is SettlementFixture {
    bytes32 internal requestId;
    ResultLeaf internal leaf;
    uint256 internal batchId;
    bytes32 internal leafHash;

    function setUp() public virtual override {
        super.setUp();
        (requestId, leaf, batchId) = _requestAndReveal(WORKER_A_KEY);
        leafHash = settlement.hashResultLeaf(leaf);
    }

    function _frozen(address _worker) internal view returns (uint256) {
        return uint256(workers.workerOf(_worker).frozen);
    }
}

contract Settlement_BatchRootAndWindow_Test is Settlement_Disputes_TestInit {
    function test_batchRootAndWindow_oneWindowFromTheCommit() public view {
        (bytes32 root, uint64 endsAt) = settlement.batchRootAndWindow(batchId);
        vm.assertEq(root, leafHash, "root");
        vm.assertEq(uint256(endsAt), settlement.batchOf(batchId).committedAt + WINDOW, "window end");
        (root, endsAt) = settlement.batchRootAndWindow(batchId + 1);
        vm.assertEq(root, bytes32(0), "unknown batch: no root");
        vm.assertEq(uint256(endsAt), 0, "unknown batch: no window");
    }
}

contract Settlement_OnDisputeOpened_Test is Settlement_Disputes_TestInit {
    function testFuzz_onDisputeOpened_byAnyoneButTheGame_reverts(address _caller) public {
        vm.assume(_caller != address(game));
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotDisputeGame.selector, _caller));
        settlement.onDisputeOpened(batchId, leafHash, requestId, workerA);
    }

    function test_onDisputeOpened_holdsThePendingResultAndFreezesTheWorker() public {
        vm.expectEmit(address(settlement));
        emit ISettlement.LeafDisputed(batchId, leafHash, requestId, workerA, true);
        game.open(batchId, leafHash, requestId, workerA);
        vm.assertEq(_status(requestId), uint256(RequestStatus.Disputed), "disputed");
        vm.assertTrue(settlement.isLeafDisputed(leafHash), "leaf disputed");
        vm.assertEq(_frozen(workerA), 1, "frozen once");
        vm.warp(block.timestamp + 10 * WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotPending.selector, requestId, RequestStatus.Disputed));
        settlement.finalize(requestId);
    }

    function test_onDisputeOpened_leafUnderDispute_cannotBeRevealed() public {
        bytes32 other = _request();
        ResultLeaf memory otherLeaf = _leaf(other, workerB);
        uint256 otherBatch = _commit(otherLeaf);
        bytes32 otherHash = settlement.hashResultLeaf(otherLeaf);
        game.open(otherBatch, otherHash, other, workerB);
        vm.assertEq(_status(other), uint256(RequestStatus.Open), "an unrevealed leaf holds nothing");
        bytes memory signature9 = _sign(WORKER_B_KEY, otherLeaf);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_LeafUnderDispute.selector, otherHash));
        settlement.reveal(otherBatch, otherLeaf, _output(), new bytes32[](0), signature9);
        game.resolve(otherBatch, otherHash, other, workerB, true, challenger);
        _reveal(otherBatch, otherLeaf, WORKER_B_KEY);
        vm.assertEq(_status(other), uint256(RequestStatus.Pending), "upheld leaf revealed");
    }
}

contract Settlement_OnDisputeResolved_Test is Settlement_Disputes_TestInit {
    function testFuzz_onDisputeResolved_byAnyoneButTheGame_reverts(address _caller) public {
        vm.assume(_caller != address(game));
        vm.prank(_caller);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotDisputeGame.selector, _caller));
        settlement.onDisputeResolved(batchId, leafHash, requestId, workerA, false, _caller);
    }

    function test_onDisputeResolved_defenderWins_releasesTheResultToFinalizeAfterItsWindow() public {
        game.open(batchId, leafHash, requestId, workerA);
        game.resolve(batchId, leafHash, requestId, workerA, true, challenger);
        vm.assertEq(_status(requestId), uint256(RequestStatus.Pending), "pending again");
        vm.assertEq(_frozen(workerA), 0, "unfrozen");
        vm.assertEq(escrow.claimableOf(challenger), 0, "no reward");
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(requestId);
        vm.assertEq(escrow.claimableOf(workerA), MIN_FEE, "worker paid");
    }

    function test_onDisputeResolved_challengerWins_discardsReopensAndSlashes() public {
        game.open(batchId, leafHash, requestId, workerA);
        vm.expectEmit(address(settlement));
        emit ISettlement.RequestReopened(requestId, leafHash);
        game.resolve(batchId, leafHash, requestId, workerA, false, challenger);
        vm.assertEq(_status(requestId), uint256(RequestStatus.Open), "reopened");
        vm.assertTrue(settlement.isLeafDiscarded(leafHash), "discarded");
        vm.assertEq(escrow.claimableOf(challenger), SLASH, "challenger credited");
        vm.assertEq(uint256(workers.workerOf(workerA).stake), MIN_STAKE - SLASH, "worker slashed");
        vm.assertEq(address(escrow).balance, SLASH, "the escrow holds the slash");
        vm.assertEq(address(settlement).balance, MIN_FEE, "the settlement holds the reopened request's fee");
        // The recomputed result of another worker finalizes; the discarded leaf never again.
        ResultLeaf memory honest = _leaf(requestId, workerB);
        honest.traceCommitment = keccak256("honest trace");
        _reveal(_commit(honest), honest, WORKER_B_KEY);
        uint256 again = _commit(leaf);
        bytes memory signature10 = _sign(WORKER_A_KEY, leaf);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_LeafDiscarded.selector, leafHash));
        settlement.reveal(again, leaf, _output(), new bytes32[](0), signature10);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(requestId);
        vm.assertEq(escrow.claimableOf(workerB), MIN_FEE, "recomputed result paid");
    }

    function test_onDisputeResolved_severalDisputes_holdUntilTheLastAndSlashOnce() public {
        address second = address(0x5EC0);
        game.open(batchId, leafHash, requestId, workerA);
        game.open(batchId, leafHash, requestId, workerA);
        game.open(batchId, leafHash, requestId, workerA);
        vm.assertEq(_frozen(workerA), 3, "one freeze per dispute");
        game.resolve(batchId, leafHash, requestId, workerA, true, challenger);
        vm.assertEq(_status(requestId), uint256(RequestStatus.Disputed), "still held");
        game.resolve(batchId, leafHash, requestId, workerA, false, challenger);
        game.resolve(batchId, leafHash, requestId, workerA, false, second);
        vm.assertEq(escrow.claimableOf(challenger), SLASH, "first winner rewarded");
        vm.assertEq(escrow.claimableOf(second), 0, "later winner gets nothing");
        vm.assertEq(uint256(workers.workerOf(workerA).stake), MIN_STAKE - SLASH, "slashed once");
        vm.assertEq(_frozen(workerA), 0, "all freezes released");
        vm.assertEq(settlement.openDisputesOf(leafHash), 0, "no dispute left");
    }

    function testFuzz_onDisputeResolved_slashesTheAmountOrWhatIsLeft(uint256 _slash, uint256 _extraStake) public {
        _slash = _bound(_slash, 1, MIN_STAKE);
        _extraStake = _bound(_extraStake, 0, 3 ether);
        Settlement fuzzed = new Settlement(models, workers, WINDOW, MIN_FEE, committer, _slash, 0);
        vm.assertEq(fuzzed.disputeSlashAmount(), _slash, "slash amount");
        // The registry's slasher is fixed; check the rule through the deployed Settlement with a
        // stake that may be smaller or larger than its slash amount.
        if (_extraStake != 0) _stake(workerA, _extraStake);
        uint256 stakeBefore = workers.workerOf(workerA).stake;
        game.open(batchId, leafHash, requestId, workerA);
        game.resolve(batchId, leafHash, requestId, workerA, false, challenger);
        uint256 expected = SLASH < stakeBefore ? SLASH : stakeBefore;
        vm.assertEq(escrow.claimableOf(challenger), expected, "reward = min(slash, stake)");
        vm.assertEq(uint256(workers.workerOf(workerA).stake), stakeBefore - expected, "stake left");
    }

    function testFuzz_onDisputeResolved_stakeBelowTheSlash_paysWhatItHas(uint256 _slashedBefore) public {
        // The worker lost part of its stake in an earlier dispute: a second one takes what is left.
        _slashedBefore = _bound(_slashedBefore, MIN_STAKE - SLASH + 1, MIN_STAKE);
        vm.prank(address(settlement));
        workers.slash(workerA, _slashedBefore, address(settlement));
        uint256 left = MIN_STAKE - _slashedBefore;
        game.open(batchId, leafHash, requestId, workerA);
        game.resolve(batchId, leafHash, requestId, workerA, false, challenger);
        vm.assertEq(escrow.claimableOf(challenger), left, "what was left");
        vm.assertEq(uint256(workers.workerOf(workerA).stake), 0, "stake emptied");
    }
}
