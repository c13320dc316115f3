// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISettlement} from "../../contracts/interfaces/ISettlement.sol";
import {RequestStatus} from "../../contracts/interfaces/IVerityResults.sol";
import {ResultLeaf} from "../../contracts/libraries/LibResultMerkle.sol";
import {ConsumerMock} from "../../contracts/test/ConsumerMock.sol";
import {SettlementFixture} from "./utils/SettlementFixture.sol";

/// @dev A consumer that records the gas it was given.
contract GasProbe {
    uint256 public gasAtEntry;

    function onVerityResult(bytes32, int256[] calldata) external {
        gasAtEntry = gasleft();
    }
}

abstract contract Settlement_Finalize_TestInit is SettlementFixture {
    /// @dev Requests with `_callback`, commits and reveals a result of worker A.
    function _revealed(address _callback, uint32 _gasLimit) internal returns (bytes32 requestId_) {
        requestId_ = _request(_callback, _gasLimit);
        ResultLeaf memory leaf = _leaf(requestId_, workerA);
        _reveal(_commit(leaf), leaf, WORKER_A_KEY);
    }

    function _consumer(ConsumerMock.Behaviour _behaviour) internal returns (ConsumerMock consumer_) {
        consumer_ = new ConsumerMock();
        consumer_.setBehaviour(_behaviour);
    }
}

contract Settlement_Finalize_Test is Settlement_Finalize_TestInit {
    function testFuzz_finalize_beforeTheWindowEnds_reverts(uint256 _elapsed) public {
        bytes32 id = _revealed(address(0), 0);
        _elapsed = _bound(_elapsed, 0, WINDOW - 1);
        uint64 endsAt = uint64(block.timestamp) + WINDOW;
        vm.warp(block.timestamp + _elapsed);
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_ChallengeWindowOpen.selector, id, endsAt));
        settlement.finalize(id);
    }

    function testFuzz_finalize_afterTheWindow_creditsTheFeeOnce(uint256 _elapsed) public {
        bytes32 id = _revealed(address(0), 0);
        vm.warp(block.timestamp + _bound(_elapsed, WINDOW, 10 * 365 days));
        vm.expectEmit(address(settlement));
        emit ISettlement.ResultFinalized(id, workerA, MIN_FEE);
        settlement.finalize(id);
        vm.assertEq(_status(id), uint256(RequestStatus.Final), "final");
        vm.assertEq(escrow.claimableOf(workerA), MIN_FEE, "fee credited");
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotPending.selector, id, RequestStatus.Final));
        settlement.finalize(id);
        vm.assertEq(escrow.claimableOf(workerA), MIN_FEE, "credited once");
    }

    function test_finalize_withoutARevealedResult_reverts() public {
        bytes32 id = _request();
        vm.expectRevert(abi.encodeWithSelector(ISettlement.Settlement_NotPending.selector, id, RequestStatus.Open));
        settlement.finalize(id);
    }

    function test_finalize_callsTheConsumerOnceWithTheOutput() public {
        ConsumerMock consumer = _consumer(ConsumerMock.Behaviour.Record);
        bytes32 id = _revealed(address(consumer), 200_000);
        vm.assertEq(consumer.calls(), 0, "no callback at reveal");
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(settlement));
        emit ISettlement.ConsumerCalled(id, address(consumer), true);
        settlement.finalize(id);
        vm.assertEq(consumer.calls(), 1, "called once");
        vm.assertEq(consumer.lastRequestId(), id, "request id");
        vm.assertEq(consumer.lastOutput(), _output(), "output");
    }

    function test_finalize_reentrantConsumer_getsNoSecondCallback() public {
        ConsumerMock consumer = _consumer(ConsumerMock.Behaviour.Reenter);
        bytes32 id = _revealed(address(consumer), 300_000);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(id);
        vm.assertEq(consumer.calls(), 1, "called once");
        vm.assertTrue(consumer.reentryReverted(), "re-entrant finalize reverted");
        vm.assertEq(escrow.claimableOf(workerA), MIN_FEE, "fee credited once");
    }

    function test_finalize_revertingOrGasHungryConsumer_stillFinalizes() public {
        ConsumerMock reverting = _consumer(ConsumerMock.Behaviour.Revert);
        ConsumerMock hungry = _consumer(ConsumerMock.Behaviour.BurnGas);
        bytes32 first = _revealed(address(reverting), 100_000);
        bytes32 second = _revealed(address(hungry), 100_000);
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(settlement));
        emit ISettlement.ConsumerCalled(first, address(reverting), false);
        settlement.finalize(first);
        vm.expectEmit(address(settlement));
        emit ISettlement.ConsumerCalled(second, address(hungry), false);
        settlement.finalize(second);
        vm.assertEq(_status(first), uint256(RequestStatus.Final), "first final");
        vm.assertEq(_status(second), uint256(RequestStatus.Final), "second final");
    }

    function test_finalize_callbackToAnAccountWithoutCode_finalizes() public {
        bytes32 id = _revealed(address(0xE0A), 50_000);
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(settlement));
        emit ISettlement.ConsumerCalled(id, address(0xE0A), false);
        settlement.finalize(id);
    }

    function testFuzz_finalize_consumerGetsItsWholeGasLimit(uint32 _gasLimit) public {
        _gasLimit = uint32(_bound(_gasLimit, 30_000, settlement.MAX_CALLBACK_GAS_LIMIT()));
        GasProbe probe = new GasProbe();
        bytes32 id = _revealed(address(probe), _gasLimit);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(id);
        // What the probe sees at entry is its limit less the call's own cost and the probe's dispatch.
        vm.assertGe(probe.gasAtEntry(), uint256(_gasLimit) - 3_000, "consumer got its limit");
        vm.assertLe(probe.gasAtEntry(), _gasLimit, "and no more");
    }

    function testFuzz_finalize_tooLittleGasForTheCallback_reverts(uint32 _gasLimit) public {
        _gasLimit = uint32(_bound(_gasLimit, 100_000, settlement.MAX_CALLBACK_GAS_LIMIT()));
        GasProbe probe = new GasProbe();
        bytes32 id = _revealed(address(probe), _gasLimit);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(ISettlement.Settlement_InsufficientGasForCallback.selector, id, _gasLimit)
        );
        settlement.finalize{gas: _gasLimit}(id);
        vm.assertEq(_status(id), uint256(RequestStatus.Pending), "still pending");
    }
}

contract Settlement_FinalizeGasFee_Test is Settlement_Finalize_TestInit {
    function _feeGasPrice() internal pure override returns (uint256) {
        return 3 gwei;
    }

    function testFuzz_finalize_paysTheGasPartToTheCommitterAndTheRestToTheWorker(uint32 _gasLimit) public {
        _gasLimit = uint32(_bound(_gasLimit, 30_000, 1_000_000));
        GasProbe probe = new GasProbe();
        bytes32 id = _revealed(address(probe), _gasLimit);
        ISettlement.Request memory stored = settlement.requestOf(id);
        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(id);
        vm.assertEq(escrow.claimableOf(committer), stored.gasFee, "committer reimbursed");
        vm.assertEq(escrow.claimableOf(workerA), stored.fee - stored.gasFee, "worker earns the rest");
        vm.assertEq(stored.fee - stored.gasFee, MIN_FEE, "the rest is the minimum fee");
    }
}
