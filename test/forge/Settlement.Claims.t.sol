// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Settlement} from "../../contracts/Settlement.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

/// @dev Claims for itself and refuses ETH: a claim paid to it must revert and keep the credit.
contract RefusingClaimant {
    function claimFees(Settlement _settlement) external {
        _settlement.claimFees();
    }

    function claimRewards(Settlement _settlement) external {
        _settlement.claimRewards();
    }
}

contract Settlement_ClaimFees_Test is SettlementFixture {
    function test_claimFees_nothingToClaim_reverts() public {
        vm.prank(workerA);
        vm.expectRevert(abi.encodeWithSelector(Settlement.Settlement_NothingToClaim.selector, workerA));
        settlement.claimFees();
    }

    function test_claimFees_afterFinalize_paysOnce() public {
        (bytes32 id,,) = _requestAndReveal(WORKER_A_KEY);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(id);
        uint256 before = workerA.balance;
        vm.expectEmit(address(settlement));
        emit Settlement.FeesClaimed(workerA, MIN_FEE);
        vm.prank(workerA);
        settlement.claimFees();
        vm.assertEq(workerA.balance - before, MIN_FEE, "paid");
        vm.assertEq(settlement.claimableFees(workerA), 0, "cleared");
        vm.prank(workerA);
        vm.expectRevert(abi.encodeWithSelector(Settlement.Settlement_NothingToClaim.selector, workerA));
        settlement.claimFees();
    }

    function test_claimFees_recipientRefusesEther_revertsAndKeepsTheCredit() public {
        RefusingClaimant claimant = new RefusingClaimant();
        // A zk settlement credits the fee to the beneficiary the proof binds: here a contract that
        // refuses ETH (the mock verifier accepts any proof).
        vm.prank(requester);
        bytes32 id = settlement.requestInference{value: MIN_FEE}(ZK_MODEL, bytes32(uint256(5)), new int256[](0), MODE_ZK, address(0), 0);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = id;
        uint256[] memory inputs = new uint256[](1);
        inputs[0] = 5;
        uint256[] memory packed = new uint256[](1);
        packed[0] = 135 | (121 << 8);
        uint256[2] memory a;
        uint256[2][2] memory b;
        settlement.settleZk(ZK_MODEL, 1, ids, inputs, packed, address(claimant), a, b, a);
        vm.assertEq(settlement.claimableFees(address(claimant)), MIN_FEE, "credited");
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.Settlement_TransferFailed.selector, address(claimant), MIN_FEE)
        );
        claimant.claimFees(settlement);
        vm.assertEq(settlement.claimableFees(address(claimant)), MIN_FEE, "credit kept");
    }
}

contract Settlement_ClaimRewards_Test is SettlementFixture {
    function test_claimRewards_nothingToClaim_reverts() public {
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(Settlement.Settlement_NothingToClaim.selector, challenger));
        settlement.claimRewards();
    }

    function test_claimRewards_afterAWonDispute_paysTheSlashOnce() public {
        (bytes32 id, ResultLeaf memory leaf, uint256 batchId) = _requestAndReveal(WORKER_A_KEY);
        bytes32 leafHash = settlement.hashResultLeaf(leaf);
        game.open(batchId, leafHash, id, workerA);
        game.resolve(batchId, leafHash, id, workerA, false, challenger);
        vm.expectEmit(address(settlement));
        emit Settlement.RewardsClaimed(challenger, SLASH);
        vm.prank(challenger);
        settlement.claimRewards();
        vm.assertEq(challenger.balance, SLASH, "paid");
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(Settlement.Settlement_NothingToClaim.selector, challenger));
        settlement.claimRewards();
    }

    function test_claimRewards_recipientRefusesEther_revertsAndKeepsTheCredit() public {
        RefusingClaimant claimant = new RefusingClaimant();
        (bytes32 id, ResultLeaf memory leaf, uint256 batchId) = _requestAndReveal(WORKER_A_KEY);
        bytes32 leafHash = settlement.hashResultLeaf(leaf);
        game.open(batchId, leafHash, id, workerA);
        // The resolution itself never pays, so a refusing challenger cannot block it.
        game.resolve(batchId, leafHash, id, workerA, false, address(claimant));
        vm.expectRevert(abi.encodeWithSelector(Settlement.Settlement_TransferFailed.selector, address(claimant), SLASH));
        claimant.claimRewards(settlement);
        vm.assertEq(settlement.claimableRewards(address(claimant)), SLASH, "credit kept");
    }
}
