// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IEscrow} from "../../contracts/interfaces/IEscrow.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

/// @notice What the Settlement credits is claimed from the Escrow, through its one claim path:
///         a worker's fees, a prover's zk fees and a challenger's slash reward alike.
contract Settlement_Claims_Test is SettlementFixture {
    function test_claim_afterFinalize_paysTheWorkerItsFeeOnce() public {
        (bytes32 id,,) = _requestAndReveal(WORKER_A_KEY);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(id);
        uint256 before = workerA.balance;
        vm.expectEmit(address(escrow));
        emit IEscrow.Claimed(workerA, MIN_FEE);
        vm.prank(workerA);
        escrow.claim();
        vm.assertEq(workerA.balance - before, MIN_FEE, "paid");
        vm.prank(workerA);
        vm.expectRevert(abi.encodeWithSelector(IEscrow.Escrow_NothingToClaim.selector, workerA));
        escrow.claim();
    }

    function test_claim_afterAWonDispute_paysTheChallengerTheSlash() public {
        (bytes32 id, ResultLeaf memory leaf, uint256 batchId) = _requestAndReveal(WORKER_A_KEY);
        bytes32 leafHash = settlement.hashResultLeaf(leaf);
        game.open(batchId, leafHash, id, workerA);
        game.resolve(batchId, leafHash, id, workerA, false, challenger);
        vm.prank(challenger);
        escrow.claim();
        vm.assertEq(challenger.balance, SLASH, "paid");
        vm.assertEq(address(escrow).balance, 0, "the escrow paid everything it held");
        vm.assertEq(address(settlement).balance, MIN_FEE, "the reopened request's fee waits in the settlement");
    }

    function test_claim_feesAndARewardOfOneAccount_paidByOneClaim() public {
        // Worker B earns a fee, then wins a dispute against worker A's wrong result.
        (bytes32 paid,,) = _requestAndReveal(WORKER_B_KEY);
        (bytes32 id, ResultLeaf memory leaf, uint256 batchId) = _requestAndReveal(WORKER_A_KEY);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(paid);
        bytes32 leafHash = settlement.hashResultLeaf(leaf);
        game.open(batchId, leafHash, id, workerA);
        game.resolve(batchId, leafHash, id, workerA, false, workerB);
        vm.assertEq(escrow.claimableOf(workerB), MIN_FEE + SLASH, "fee and reward credited together");
        uint256 before = workerB.balance;
        vm.prank(workerB);
        escrow.claim();
        vm.assertEq(workerB.balance - before, MIN_FEE + SLASH, "one claim pays both");
    }
}
